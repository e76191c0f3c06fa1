package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/auth"
	"nexus/store"
)

// Browsers as they introduce themselves, for the device descriptions.
const (
	uaChromeMac    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaSafariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	uaFirefoxWin   = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)

// asBearer is the Authorization header for a token.
func asBearer(token string) header { return header{"Authorization": "Bearer " + token} }

// signIn signs in with a browser's user agent from ip and returns the access
// and refresh tokens.
func (h *harness) signIn(email, password, ua, ip string) (access, refresh string) {
	h.t.Helper()
	r := h.login(email, password, header{"User-Agent": ua, "X-Forwarded-For": ip})
	if r.StatusCode != 200 {
		h.t.Fatalf("sign in %s: %d %s", email, r.StatusCode, r.body)
	}
	return accessToken(h.t, r), refreshToken(h.t, r)
}

// addUser creates an active account with a password, straight in the store
// (the admin API is another module's), and returns its id.
func (h *harness) addUser(email string, role app.Role) string {
	h.t.Helper()
	ctx := context.Background()
	hash, err := auth.NewHasher(1).Hash(ctx, ownerPassword)
	if err != nil {
		h.t.Fatal(err)
	}
	u := &app.User{ID: app.NewID(), Email: email, Name: "User " + email, Role: role, Status: app.UserActive, PasswordHash: hash}
	err = h.store.Update(ctx, func(tx *store.Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.Now(), tx.Now()
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return u.ID
}

// execSQL changes the database behind the API's back, the way another
// module (or an operator) would.
func (h *harness) execSQL(query string, args ...any) {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		h.t.Fatal(err)
	}
}

// queryValue reads one value straight from the database.
func (h *harness) queryValue(dst any, query string, args ...any) {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.store.Path()+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(query, args...).Scan(dst); err != nil {
		h.t.Fatal(err)
	}
}

// sessions lists the caller's sessions.
func (h *harness) sessions(access string) []map[string]any {
	h.t.Helper()
	r := h.request("GET", "/api/v1/me/sessions", nil, asBearer(access))
	if r.StatusCode != 200 {
		h.t.Fatalf("GET /me/sessions: %d %s", r.StatusCode, r.body)
	}
	var out []map[string]any
	for _, it := range r.json(h.t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func sessionIDOf(t *testing.T, h *harness, access string) string {
	t.Helper()
	for _, s := range h.sessions(access) {
		if s["current"] == true {
			return s["id"].(string)
		}
	}
	t.Fatal("no current session in the list")
	return ""
}

// newToken creates a personal access token with a session's access token
// and returns the created token's JSON.
func (h *harness) newToken(access string, name string, scopes []string, days any) map[string]any {
	h.t.Helper()
	r := h.request("POST", "/api/v1/me/tokens", map[string]any{"name": name, "scopes": scopes, "expires_in_days": days}, asBearer(access))
	if r.StatusCode != 201 {
		h.t.Fatalf("POST /me/tokens: %d %s", r.StatusCode, r.body)
	}
	return r.json(h.t)
}

func errorDetails(t *testing.T, r response) map[string]any {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	return d
}

func errorMessage(t *testing.T, r response) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestSessionListMarksCurrentAndDescribesDevices(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	mac, _ := h.signIn(ownerEmail, ownerPassword, uaChromeMac, "203.0.113.7")
	h.signIn(ownerEmail, ownerPassword, uaSafariIPhone, "198.51.100.23")
	h.clock.advance(time.Minute)
	h.signIn(ownerEmail, ownerPassword, "curl/8.5.0", "192.0.2.1")

	list := h.sessions(mac)
	if len(list) != 4 { // setup signed the owner in too
		t.Fatalf("sessions = %d, want 4: %v", len(list), list)
	}
	first := list[0]
	if first["current"] != true || first["device"] != "Chrome on macOS" || first["browser"] != "Chrome" || first["os"] != "macOS" ||
		first["ip"] != "203.0.113.7" || first["created_at"] == "" || first["last_used_at"] == "" {
		t.Fatalf("the current session must come first with its device: %v", first)
	}
	devices := map[string]bool{}
	for _, s := range list[1:] {
		if s["current"] != false {
			t.Errorf("only one session is current: %v", s)
		}
		devices[s["device"].(string)] = true
	}
	for _, want := range []string{"Safari on iPhone", "curl"} {
		if !devices[want] {
			t.Errorf("no session described as %q in %v", want, devices)
		}
	}
	// The most recently used of the others comes first.
	if list[1]["device"] != "curl" {
		t.Errorf("others must be most recently used first: %v", list[1:])
	}
	if r := h.request("GET", "/api/v1/me/sessions", nil, nil); r.StatusCode != 401 {
		t.Fatalf("anonymous list: %d, want 401", r.StatusCode)
	}
}

func TestEndingAnotherSessionStopsItsTokens(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	mine, myRefresh := h.signIn(ownerEmail, ownerPassword, uaChromeMac, "203.0.113.7")
	theirs, theirRefresh := h.signIn(ownerEmail, ownerPassword, uaSafariIPhone, "198.51.100.23")
	victim := sessionIDOf(t, h, theirs)

	r := h.request("DELETE", "/api/v1/me/sessions/"+victim, nil, asBearer(mine))
	if r.StatusCode != 204 {
		t.Fatalf("end session: %d %s", r.StatusCode, r.body)
	}
	if c := r.cookie("nexus_refresh"); c != nil {
		t.Fatalf("ending another session must not touch this browser's cookie: %+v", c)
	}
	if r := h.me(theirs); r.StatusCode != 401 {
		t.Fatalf("access token of the ended session: %d, want 401 on the next request", r.StatusCode)
	}
	if r := h.refresh(theirRefresh); r.StatusCode != 401 {
		t.Fatalf("refresh token of the ended session: %d, want 401", r.StatusCode)
	}
	if r := h.me(mine); r.StatusCode != 200 {
		t.Fatalf("the caller's own session must go on: %d", r.StatusCode)
	}
	if r := h.refresh(myRefresh); r.StatusCode != 200 {
		t.Fatalf("the caller's own refresh: %d", r.StatusCode)
	}
	for _, s := range h.sessions(mine) {
		if s["id"] == victim {
			t.Fatal("an ended session is still listed")
		}
	}
	a := h.audit(app.ActionSessionRevoked)
	if len(a) != 1 || a[0].TargetType != "session" || a[0].TargetID != victim || a[0].Result != app.AuditSuccess ||
		a[0].IP == "" || a[0].Details["device"] != "Safari on iPhone" {
		t.Fatalf("audit = %+v", a)
	}
	// Ending it again is not an error.
	if r := h.request("DELETE", "/api/v1/me/sessions/"+victim, nil, asBearer(mine)); r.StatusCode != 204 {
		t.Fatalf("ending an ended session: %d", r.StatusCode)
	}

	// Someone else's session, or an id that does not exist, is not found.
	h.addUser("member@example.com", app.RoleMember)
	other, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	otherID := sessionIDOf(t, h, other)
	for _, id := range []string{otherID, app.NewID(), "not-an-id"} {
		r := h.request("DELETE", "/api/v1/me/sessions/"+id, nil, asBearer(mine))
		if r.StatusCode != 404 || r.errorCode(t) != "not_found" {
			t.Fatalf("end session %s: %d %s, want 404", id, r.StatusCode, r.body)
		}
	}
	if r := h.me(other); r.StatusCode != 200 {
		t.Fatalf("another person's session was ended: %d", r.StatusCode)
	}
}

func TestEndingTheCurrentSessionSignsOut(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	access, refresh := h.signIn(ownerEmail, ownerPassword, uaChromeMac, "203.0.113.7")
	r := h.request("DELETE", "/api/v1/me/sessions/"+sessionIDOf(t, h, access), nil, asBearer(access))
	if r.StatusCode != 204 {
		t.Fatalf("end current session: %d %s", r.StatusCode, r.body)
	}
	if c := r.cookie("nexus_refresh"); c == nil || c.Value != "" || c.Path != "/api/v1/auth" {
		t.Fatalf("ending the current session must clear the refresh cookie, got %+v", c)
	}
	if r := h.me(access); r.StatusCode != 401 {
		t.Fatalf("signed out, /me = %d", r.StatusCode)
	}
	if r := h.refresh(refresh); r.StatusCode != 401 {
		t.Fatalf("signed out, refresh = %d", r.StatusCode)
	}
}

func TestEndingAllOtherSessionsKeepsTheCurrent(t *testing.T) {
	h := newHarness(t, options{})
	setupAccess := accessToken(t, h.setup())
	mine, myRefresh := h.signIn(ownerEmail, ownerPassword, uaChromeMac, "203.0.113.7")
	phone, phoneRefresh := h.signIn(ownerEmail, ownerPassword, uaSafariIPhone, "198.51.100.23")
	h.addUser("member@example.com", app.RoleMember)
	member, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")

	if r := h.request("DELETE", "/api/v1/me/sessions", nil, asBearer(mine)); r.StatusCode != 204 {
		t.Fatalf("end other sessions: %d %s", r.StatusCode, r.body)
	}
	for name, tok := range map[string]string{"setup": setupAccess, "phone": phone} {
		if r := h.me(tok); r.StatusCode != 401 {
			t.Errorf("%s session still works: %d", name, r.StatusCode)
		}
	}
	if r := h.refresh(phoneRefresh); r.StatusCode != 401 {
		t.Errorf("phone refresh still works: %d", r.StatusCode)
	}
	if r := h.me(mine); r.StatusCode != 200 {
		t.Fatalf("the current session must be kept: %d", r.StatusCode)
	}
	if r := h.refresh(myRefresh); r.StatusCode != 200 {
		t.Fatalf("the current session's refresh: %d", r.StatusCode)
	}
	if list := h.sessions(mine); len(list) != 1 || list[0]["current"] != true {
		t.Fatalf("after ending the others: %v", list)
	}
	if r := h.me(member); r.StatusCode != 200 {
		t.Fatalf("another person's session was ended: %d", r.StatusCode)
	}
	a := h.audit(app.ActionSessionRevoked)
	if len(a) != 1 || a[0].TargetType != "user" || a[0].Details["count"] != float64(2) || a[0].Details["scope"] != "others" {
		t.Fatalf("audit = %+v", a)
	}
}

func TestAdminEndsAUsersSessions(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	memberID := h.addUser("member@example.com", app.RoleMember)
	adminID := h.addUser("admin@example.com", app.RoleAdmin)
	m1, m1Refresh := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	m2, _ := h.signIn("member@example.com", ownerPassword, uaSafariIPhone, "192.0.2.51")
	admin, _ := h.signIn("admin@example.com", ownerPassword, uaChromeMac, "192.0.2.60")
	ownerID := h.me(owner).json(t)["id"].(string)

	tests := []struct {
		name   string
		actor  string
		target string
		want   int
		code   string
	}{
		{"member cannot", m1, adminID, 403, "forbidden"},
		{"admin cannot end an owner's sessions", admin, ownerID, 403, "forbidden"},
		{"unknown user", owner, app.NewID(), 404, "not_found"},
		{"admin ends a member's sessions", admin, memberID, 204, ""},
	}
	for _, tt := range tests {
		r := h.request("DELETE", "/api/v1/users/"+tt.target+"/sessions", nil, asBearer(tt.actor))
		if r.StatusCode != tt.want || tt.code != "" && r.errorCode(t) != tt.code {
			t.Fatalf("%s: %d %s, want %d %s", tt.name, r.StatusCode, r.body, tt.want, tt.code)
		}
	}
	for i, tok := range []string{m1, m2} {
		if r := h.me(tok); r.StatusCode != 401 {
			t.Errorf("member session %d still works: %d", i+1, r.StatusCode)
		}
	}
	if r := h.refresh(m1Refresh); r.StatusCode != 401 {
		t.Errorf("member refresh still works: %d", r.StatusCode)
	}
	if r := h.me(admin); r.StatusCode != 200 {
		t.Fatalf("the admin's own session must go on: %d", r.StatusCode)
	}
	// An owner may end an owner's sessions (here, their own everywhere).
	if r := h.request("DELETE", "/api/v1/users/"+ownerID+"/sessions", nil, asBearer(owner)); r.StatusCode != 204 {
		t.Fatalf("owner ends owner sessions: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(owner); r.StatusCode != 401 {
		t.Fatalf("owner's session survived: %d", r.StatusCode)
	}
	a := h.audit(app.ActionSessionRevoked)
	if len(a) != 2 || a[1].TargetID != memberID || a[1].ActorID != adminID || a[1].Details["count"] != float64(2) ||
		a[1].Details["reason"] != auth.RevokedByAdmin {
		t.Fatalf("audit = %+v", a)
	}
}

func TestAccessTokenLifecycle(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	created := h.newToken(owner, "CI 배포 스크립트", []string{"write", "read", "read"}, 30)
	secret, _ := created["token"].(string)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(secret, "nxp_") || len(secret) != 4+43 || id == "" || created["name"] != "CI 배포 스크립트" ||
		created["last_used_at"] != nil || created["expires_at"] == nil {
		t.Fatalf("created = %v", created)
	}
	if s := created["scopes"].([]any); len(s) != 2 || s[0] != "read" || s[1] != "write" {
		t.Fatalf("scopes = %v, want [read write] deduplicated and ordered", s)
	}
	exp, _ := time.Parse(time.RFC3339, created["expires_at"].(string))
	if want := h.clock.now().Add(30 * 24 * time.Hour); exp.Sub(want).Abs() > time.Second {
		t.Fatalf("expires_at = %v, want about %v", exp, want)
	}

	me := h.me(secret)
	if me.StatusCode != 200 || me.json(t)["email"] != ownerEmail {
		t.Fatalf("the token as Bearer: %d %s", me.StatusCode, me.body)
	}

	list := h.request("GET", "/api/v1/me/tokens", nil, asBearer(owner))
	if list.StatusCode != 200 || strings.Contains(string(list.body), secret) || strings.Contains(string(list.body), `"token"`) {
		t.Fatalf("the list must never show the token: %s", list.body)
	}
	items := list.json(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != id || items[0].(map[string]any)["last_used_at"] == nil {
		t.Fatalf("list = %s, want the token with its last use", list.body)
	}

	// Only the hash is stored.
	var stored int
	h.queryValue(&stored, "SELECT count(*) FROM personal_access_tokens WHERE token_hash = ?", auth.HashOpaqueToken(secret))
	if stored != 1 {
		t.Fatalf("tokens stored under the token's SHA-256: %d, want 1", stored)
	}

	if r := h.request("DELETE", "/api/v1/me/tokens/"+id, nil, asBearer(owner)); r.StatusCode != 204 {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.body)
	}
	r := h.me(secret)
	if r.StatusCode != 401 || errorMessage(t, r) != "This access token has been revoked." || errorDetails(t, r)["reason"] != "token_revoked" {
		t.Fatalf("revoked token: %d %s", r.StatusCode, r.body)
	}
	if items := h.request("GET", "/api/v1/me/tokens", nil, asBearer(owner)).json(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("a revoked token is still listed: %v", items)
	}
	if a := h.audit(app.ActionTokenCreated); len(a) != 1 || a[0].TargetID != id || a[0].Details["name"] != "CI 배포 스크립트" {
		t.Fatalf("token.created audit = %+v", a)
	}
	if a := h.audit(app.ActionTokenRevoked); len(a) != 1 || a[0].TargetID != id {
		t.Fatalf("token.revoked audit = %+v", a)
	}

	// Unknown, malformed and other people's tokens.
	h.addUser("member@example.com", app.RoleMember)
	member, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	theirs := h.newToken(member, "theirs", []string{"read"}, nil)
	if r := h.request("DELETE", "/api/v1/me/tokens/"+theirs["id"].(string), nil, asBearer(owner)); r.StatusCode != 404 {
		t.Fatalf("revoking another person's token: %d, want 404", r.StatusCode)
	}
	if r := h.me(theirs["token"].(string)); r.StatusCode != 200 {
		t.Fatalf("their token must still work: %d", r.StatusCode)
	}
	for _, bad := range []string{"nxp_", "nxp_" + strings.Repeat("A", 43), secret[:len(secret)-1] + "!", secret + "A"} {
		r := h.me(bad)
		if r.StatusCode != 401 || errorDetails(t, r)["reason"] != "token_invalid" {
			t.Errorf("token %q: %d %s, want 401 token_invalid", bad, r.StatusCode, r.body)
		}
	}
}

func TestAccessTokenExpiry(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	day := h.newToken(owner, "one day", []string{"read"}, 1)["token"].(string)
	never := h.newToken(owner, "forever", []string{"read"}, nil)
	if never["expires_at"] != nil {
		t.Fatalf("a token without expiry: %v", never)
	}
	h.clock.advance(24*time.Hour - time.Second)
	if r := h.me(day); r.StatusCode != 200 {
		t.Fatalf("before expiry: %d", r.StatusCode)
	}
	h.clock.advance(time.Second)
	r := h.me(day)
	if r.StatusCode != 401 || errorMessage(t, r) != "This access token has expired." {
		t.Fatalf("expired token: %d %s", r.StatusCode, r.body)
	}
	h.clock.advance(400 * 24 * time.Hour)
	if r := h.me(never["token"].(string)); r.StatusCode != 200 {
		t.Fatalf("a token without expiry expired: %d", r.StatusCode)
	}
}

func TestAccessTokenValidation(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	h.addUser("member@example.com", app.RoleMember)
	member, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	tests := []struct {
		name  string
		actor string
		body  string
		field string
	}{
		{"admin scope for a member", member, `{"name":"x","scopes":["read","admin"],"expires_in_days":30}`, "scopes"},
		{"unknown scope", owner, `{"name":"x","scopes":["delete"],"expires_in_days":30}`, "scopes"},
		{"no scope", owner, `{"name":"x","scopes":[],"expires_in_days":30}`, "scopes"},
		{"scopes missing", owner, `{"name":"x","expires_in_days":30}`, "scopes"},
		{"no name", owner, `{"name":"  ","scopes":["read"],"expires_in_days":30}`, "name"},
		{"zero days", owner, `{"name":"x","scopes":["read"],"expires_in_days":0}`, "expires_in_days"},
		{"more than a year", owner, `{"name":"x","scopes":["read"],"expires_in_days":366}`, "expires_in_days"},
		{"days as text", owner, `{"name":"x","scopes":["read"],"expires_in_days":"30"}`, "expires_in_days"},
	}
	for _, tt := range tests {
		r := h.request("POST", "/api/v1/me/tokens", tt.body, asBearer(tt.actor))
		checkError(t, tt.name, r, 400, "invalid", tt.field, "")
	}
	// Members may hold read and write tokens; admins and owners the admin scope.
	h.newToken(member, "member write", []string{"read", "write"}, 7)
	h.newToken(owner, "owner admin", []string{"admin"}, 7)
	if n := len(h.audit(app.ActionTokenCreated)); n != 2 {
		t.Fatalf("token.created rows = %d, want 2 (refusals create nothing)", n)
	}
}

func TestTokenScopes(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	memberID := h.addUser("member@example.com", app.RoleMember)
	read := h.newToken(owner, "read", []string{"read"}, 30)["token"].(string)
	write := h.newToken(owner, "write", []string{"write"}, 30)["token"].(string)
	admin := h.newToken(owner, "admin", []string{"read", "write", "admin"}, 30)["token"].(string)

	tests := []struct {
		name   string
		token  string
		method string
		path   string
		body   any
		want   int
		scope  string
	}{
		{"read token reads /me", read, "GET", "/api/v1/me", nil, 200, ""},
		{"read token lists sessions", read, "GET", "/api/v1/me/sessions", nil, 200, ""},
		{"read token lists tokens", read, "GET", "/api/v1/me/tokens", nil, 200, ""},
		{"read token cannot end sessions", read, "DELETE", "/api/v1/me/sessions", nil, 403, "write"},
		{"read token cannot create tokens", read, "POST", "/api/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}, 403, "write"},
		{"read token cannot revoke", read, "DELETE", "/api/v1/me/tokens/" + app.NewID(), nil, 403, "write"},
		{"write token writes", write, "DELETE", "/api/v1/me/sessions/" + app.NewID(), nil, 404, ""},
		{"write token lacks admin for admin endpoints", write, "DELETE", "/api/v1/users/" + memberID + "/sessions", nil, 403, "admin"},
		{"admin token may use admin endpoints", admin, "DELETE", "/api/v1/users/" + memberID + "/sessions", nil, 204, ""},
		{"no token mints tokens", admin, "POST", "/api/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}, 403, ""},
	}
	for _, tt := range tests {
		r := h.request(tt.method, tt.path, tt.body, asBearer(tt.token))
		if r.StatusCode != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, r.StatusCode, r.body, tt.want)
			continue
		}
		if tt.want == 403 {
			if r.errorCode(t) != "forbidden" || tt.scope != "" && errorDetails(t, r)["required_scope"] != tt.scope {
				t.Errorf("%s: %s, want forbidden with required_scope %q", tt.name, r.body, tt.scope)
			}
		}
	}
	// A token may revoke itself.
	list := h.request("GET", "/api/v1/me/tokens", nil, asBearer(owner)).json(t)["items"].([]any)
	var writeID string
	for _, it := range list {
		if it.(map[string]any)["name"] == "write" {
			writeID = it.(map[string]any)["id"].(string)
		}
	}
	if r := h.request("DELETE", "/api/v1/me/tokens/"+writeID, nil, asBearer(write)); r.StatusCode != 204 {
		t.Fatalf("self-revoke: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(write); r.StatusCode != 401 {
		t.Fatalf("self-revoked token still works: %d", r.StatusCode)
	}
}

func TestDisabledUsersTokenIsRefused(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	memberID := h.addUser("member@example.com", app.RoleMember)
	session, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	token := h.newToken(session, "script", []string{"read", "write"}, nil)["token"].(string)
	if r := h.me(token); r.StatusCode != 200 {
		t.Fatalf("live token: %d", r.StatusCode)
	}
	h.execSQL(`UPDATE users SET status = 'disabled' WHERE id = ?`, memberID)
	r := h.me(token)
	if r.StatusCode != 401 || errorDetails(t, r)["reason"] != "account_disabled" {
		t.Fatalf("a disabled user's token: %d %s, want 401 account_disabled", r.StatusCode, r.body)
	}
	if r := h.me(session); r.StatusCode != 401 {
		t.Fatalf("a disabled user's session: %d, want 401", r.StatusCode)
	}
	h.execSQL(`UPDATE users SET status = 'active', deleted_at = ? WHERE id = ?`, h.clock.now().Format(time.RFC3339Nano), memberID)
	if r := h.me(token); r.StatusCode != 401 {
		t.Fatalf("a deleted user's token: %d, want 401", r.StatusCode)
	}
}

func TestTokenLastUsedIsWrittenAtMostOncePerMinute(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	token := h.newToken(owner, "poller", []string{"read"}, nil)["token"].(string)
	lastUsed := func() string {
		t.Helper()
		var s string
		h.queryValue(&s, "SELECT coalesce(last_used_at, '') FROM personal_access_tokens WHERE token_hash = ?", auth.HashOpaqueToken(token))
		return s
	}
	if lastUsed() != "" {
		t.Fatal("a new token has a last use")
	}
	h.me(token)
	first := lastUsed()
	if first == "" {
		t.Fatal("the first use was not recorded")
	}
	h.clock.advance(30 * time.Second)
	for i := 0; i < 5; i++ {
		h.me(token)
	}
	if got := lastUsed(); got != first {
		t.Fatalf("last use rewritten within a minute: %s → %s", first, got)
	}
	h.clock.advance(31 * time.Second)
	h.me(token)
	if got := lastUsed(); got == first {
		t.Fatal("last use not updated after a minute")
	}
}

// newRateLimitedHarness is a harness whose server applies the per-user API
// rate limit.
func newRateLimitedHarness(t *testing.T, perMinute int, exemptOwners bool) *harness {
	t.Helper()
	h := newHarness(t, options{})
	o := options{ipPerMinute: 10000, freeFailures: 5}
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: &bytes.Buffer{}}, nil))
	srv, err := api.New(api.Config{BodyLimit: 64 << 10, BodyLimitText: "64KiB", ReadTimeout: 5 * time.Second,
		WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second,
		APIRateLimit: perMinute, APIRateLimitExemptOwners: exemptOwners},
		buildDeps(t, h.store, h.clock, h.signKey, o, log))
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	return h
}

func TestPerUserAPIRateLimit(t *testing.T) {
	h := newRateLimitedHarness(t, 6, false) // one request every 10 s, a burst of 6
	owner := accessToken(t, h.setup())
	h.addUser("member@example.com", app.RoleMember)
	member, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	for i := 0; i < 6; i++ {
		if r := h.me(owner); r.StatusCode != 200 {
			t.Fatalf("request %d within the limit: %d %s", i+1, r.StatusCode, r.body)
		}
	}
	r := h.me(owner)
	checkError(t, "over the limit", r, 429, "rate_limited", "", "6 API requests a minute")
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 10 {
		t.Fatalf("Retry-After = %q, want 1–10 seconds", r.Header.Get("Retry-After"))
	}
	if errorDetails(t, r)["retry_after"] == nil {
		t.Fatalf("429 without details.retry_after: %s", r.body)
	}
	// Each person has their own budget, across all their sessions and tokens.
	if r := h.me(member); r.StatusCode != 200 {
		t.Fatalf("another user was limited: %d", r.StatusCode)
	}
	token := h.newToken(member, "t", []string{"read"}, nil)["token"].(string) // the member's 2nd request
	for i := 0; i < 4; i++ {
		h.me(token)
	}
	if r := h.me(token); r.StatusCode != 429 {
		t.Fatalf("a user's tokens share the user's budget: %d", r.StatusCode)
	}
	// The bucket refills continuously: one request every 10 s.
	h.clock.advance(10 * time.Second)
	if r := h.me(owner); r.StatusCode != 200 {
		t.Fatalf("after 10 s: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(owner); r.StatusCode != 429 {
		t.Fatalf("only one request came back after 10 s: %d", r.StatusCode)
	}
	// Sign-in and refresh are not behind the per-user limit.
	if r := h.login(ownerEmail, ownerPassword, nil); r.StatusCode != 200 {
		t.Fatalf("sign-in while limited: %d", r.StatusCode)
	}
	// Without the exemption, owners' tokens are limited like anyone's.
	h.clock.advance(time.Minute)
	ownerToken := h.newToken(owner, "owner bot", []string{"read"}, nil)["token"].(string)
	for i := 0; i < 5; i++ {
		h.me(ownerToken)
	}
	if r := h.me(ownerToken); r.StatusCode != 429 {
		t.Fatalf("owner token without the exemption: %d, want 429", r.StatusCode)
	}
}

func TestRateLimitExemptsOwnersTokens(t *testing.T) {
	h := newRateLimitedHarness(t, 3, true)
	owner := accessToken(t, h.setup())
	ownerToken := h.newToken(owner, "owner bot", []string{"read"}, nil)["token"].(string)
	h.addUser("admin@example.com", app.RoleAdmin)
	admin, _ := h.signIn("admin@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	adminToken := h.newToken(admin, "admin bot", []string{"read", "admin"}, nil)["token"].(string)
	for i := 0; i < 20; i++ {
		if r := h.me(ownerToken); r.StatusCode != 200 {
			t.Fatalf("owner token request %d: %d, want exempt", i+1, r.StatusCode)
		}
	}
	// Only the owner's tokens: their session, and admins' tokens, are
	// limited (each has used one request creating its token).
	for name, tok := range map[string]string{"owner session": owner, "admin token": adminToken} {
		h.me(tok)
		h.me(tok)
		if r := h.me(tok); r.StatusCode != 429 {
			t.Fatalf("%s: %d, want limited", name, r.StatusCode)
		}
	}
}

func TestLoginRefreshAndLogoutStillWork(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	token := h.newToken(owner, "t", []string{"read", "write"}, nil)["token"].(string)
	login := h.login(ownerEmail, ownerPassword, nil)
	if login.StatusCode != 200 {
		t.Fatalf("login: %d", login.StatusCode)
	}
	next := h.refresh(refreshToken(t, login))
	if next.StatusCode != 200 {
		t.Fatalf("refresh: %d", next.StatusCode)
	}
	// Signing out with a token as Bearer (no session) ends nothing and fails nothing.
	r := h.request("POST", "/api/v1/auth/logout", nil, asBearer(token))
	if r.StatusCode != 204 {
		t.Fatalf("logout with a token: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(accessToken(t, next)); r.StatusCode != 200 {
		t.Fatalf("a token's logout ended a session: %d", r.StatusCode)
	}
	if r := h.me(token); r.StatusCode != 200 {
		t.Fatalf("logout revoked the token: %d", r.StatusCode)
	}
}

// Through the admin API of the accounts module: disabling a person stops
// their tokens at once, and listing users needs a token with the admin scope.
func TestTokensWithTheAdminAPI(t *testing.T) {
	h := newHarness(t, options{})
	owner := accessToken(t, h.setup())
	memberID := h.addUser("member@example.com", app.RoleMember)
	member, _ := h.signIn("member@example.com", ownerPassword, uaFirefoxWin, "192.0.2.50")
	memberToken := h.newToken(member, "script", []string{"read", "write"}, nil)["token"].(string)

	read := h.newToken(owner, "reader", []string{"read"}, nil)["token"].(string)
	admin := h.newToken(owner, "admin", []string{"read", "admin"}, nil)["token"].(string)
	r := h.request("GET", "/api/v1/users", nil, asBearer(read))
	if r.StatusCode != 403 || errorDetails(t, r)["required_scope"] != "admin" {
		t.Fatalf("GET /users with a read token: %d %s, want 403 required_scope admin", r.StatusCode, r.body)
	}
	if r := h.request("GET", "/api/v1/users", nil, asBearer(admin)); r.StatusCode != 200 {
		t.Fatalf("GET /users with an admin token: %d %s", r.StatusCode, r.body)
	}

	user := h.request("GET", "/api/v1/users/"+memberID, nil, asBearer(owner))
	if user.StatusCode != 200 {
		t.Fatalf("GET /users/{id}: %d %s", user.StatusCode, user.body)
	}
	r = h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"status": "disabled", "version": user.json(t)["version"]}, asBearer(owner))
	if r.StatusCode != 200 {
		t.Fatalf("disable: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(memberToken); r.StatusCode != 401 {
		t.Fatalf("a disabled member's token: %d %s, want 401 on the next request", r.StatusCode, r.body)
	}
	if r := h.me(member); r.StatusCode != 401 {
		t.Fatalf("a disabled member's session: %d, want 401", r.StatusCode)
	}
}
