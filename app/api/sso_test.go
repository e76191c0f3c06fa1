package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"nexus/app"
	"nexus/app/sso"
)

// oidcUser is a person at the mock provider, with the claims a test wants.
type oidcUser struct {
	sub, email, name string
	verified         bool
	groups           []string
}

func (u *oidcUser) ID() string { return u.sub }

func (u *oidcUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]any{"sub": u.sub, "email": u.email, "name": u.name})
}

type oidcUserClaims struct {
	*mockoidc.IDTokenClaims
	Email         string   `json:"email,omitempty"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name,omitempty"`
	Groups        []string `json:"groups,omitempty"`
}

func (u *oidcUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &oidcUserClaims{IDTokenClaims: base, Email: u.email, EmailVerified: u.verified, Name: u.name, Groups: u.groups}, nil
}

// mockIdP is an in-process OpenID Connect provider whose next ID token a
// test can tamper with (re-signed with the provider's real key).
type mockIdP struct {
	*mockoidc.MockOIDC
	mu     sync.Mutex
	tamper func(jwt.MapClaims)
}

func startMockIdP(t *testing.T) *mockIdP {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	idp := &mockIdP{MockOIDC: m}
	if err := m.AddMiddleware(idp.tamperTokens); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return idp
}

func (m *mockIdP) setTamper(fn func(jwt.MapClaims)) {
	m.mu.Lock()
	m.tamper = fn
	m.mu.Unlock()
}

func (m *mockIdP) tamperTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		fn := m.tamper
		m.mu.Unlock()
		if fn == nil || r.URL.Path != mockoidc.TokenEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err == nil {
			if raw, ok := body["id_token"].(string); ok {
				claims := jwt.MapClaims{}
				if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err == nil {
					fn(claims)
					body["id_token"], _ = m.Keypair.SignJWT(claims)
				}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(body)
	})
}

func (m *mockIdP) provider() sso.Provider {
	return sso.Provider{ID: "mock", Name: "Mock IdP", Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		Scopes: []string{"openid", "email", "profile", "groups"}}
}

func ssoConfig(p sso.Provider) sso.Config {
	return sso.Config{Providers: []sso.Provider{p}, AutoCreate: true, LinkByEmail: true, DefaultRole: app.RoleMember}
}

// ssoFlow drives a browser through start → provider → callback, following
// the redirects by hand. tweak may change the callback URL or the state
// cookie before the callback.
func (h *harness) ssoFlow(idp *mockIdP, user *oidcUser, returnTo string, tweak func(q url.Values, cookie *http.Cookie)) response {
	h.t.Helper()
	if user != nil {
		idp.QueueUser(user)
	}
	path := "/api/v1/auth/sso/mock/start"
	if returnTo != "" {
		path += "?return_to=" + url.QueryEscape(returnTo)
	}
	start := h.request("GET", path, nil, nil)
	if start.StatusCode != http.StatusFound {
		h.t.Fatalf("start: %d %s", start.StatusCode, start.body)
	}
	state := start.cookie("nexus_sso")
	if state == nil || !state.HttpOnly || state.SameSite != http.SameSiteLaxMode || state.Path != "/api/v1/auth/sso" || state.MaxAge != 600 {
		h.t.Fatalf("state cookie = %+v; want HttpOnly, SameSite=Lax, Path=/api/v1/auth/sso, 10 minutes", state)
	}
	authURL, err := url.Parse(start.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(authURL.String(), idp.AuthorizationEndpoint()) {
		h.t.Fatalf("start redirects to %q, want the provider", start.Header.Get("Location"))
	}
	q := authURL.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("client_id") != idp.ClientID || q.Get("redirect_uri") != "http://example.com/api/v1/auth/sso/mock/callback" {
		h.t.Fatalf("authorization request lacks PKCE, nonce or state: %s", authURL.RawQuery)
	}
	if strings.Contains(state.Value, q.Get("state")) || strings.Contains(state.Value, q.Get("nonce")) {
		h.t.Fatal("the state cookie must be sealed, not carry the state in the clear")
	}

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL.String())
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		h.t.Fatalf("provider answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cq := back.Query()
	if tweak != nil {
		tweak(cq, state)
	}
	cb := h.request("GET", back.Path+"?"+cq.Encode(), nil, header{"Cookie": joinCookies(state)})
	if c := cb.cookie("nexus_sso"); c == nil || c.MaxAge >= 0 && c.Value != "" {
		h.t.Fatalf("callback must clear the state cookie: %+v", c)
	}
	return cb
}

func ssoError(t *testing.T, r response) string {
	t.Helper()
	if r.StatusCode != http.StatusFound {
		t.Fatalf("callback: %d %s, want a redirect", r.StatusCode, r.body)
	}
	loc, _ := url.Parse(r.Header.Get("Location"))
	if loc.Path != "/signin" {
		return ""
	}
	if r.cookie("nexus_refresh") != nil {
		t.Fatalf("a refused SSO sign-in set a refresh cookie")
	}
	return loc.Query().Get("sso_error")
}

// ssoSession turns a successful callback's refresh cookie into an access
// token, as the web client does on landing.
func (h *harness) ssoSession(cb response) string {
	h.t.Helper()
	if cb.StatusCode != http.StatusFound || strings.HasPrefix(cb.Header.Get("Location"), "/signin") {
		h.t.Fatalf("callback: %d → %q", cb.StatusCode, cb.Header.Get("Location"))
	}
	c := cb.cookie("nexus_refresh")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/v1/auth" {
		h.t.Fatalf("refresh cookie = %+v", c)
	}
	if cb.cookie("nexus_device") == nil {
		h.t.Fatal("no device cookie after SSO sign-in")
	}
	r := h.refresh(c.Value)
	if r.StatusCode != 200 {
		h.t.Fatalf("refresh after SSO: %d %s", r.StatusCode, r.body)
	}
	return accessToken(h.t, r)
}

func TestSSOSignInCreatesThenReusesAccount(t *testing.T) {
	idp := startMockIdP(t)
	h := newSSOHarness(t, ssoConfig(idp.provider()), options{})
	h.setup()

	opts := h.request("GET", "/api/v1/auth/options", nil, nil).json(t)
	providers := opts["providers"].([]any)
	if len(providers) != 1 || providers[0].(map[string]any)["id"] != "mock" || providers[0].(map[string]any)["name"] != "Mock IdP" ||
		opts["password_login"] != true || opts["registration"] != "invite" {
		t.Fatalf("options = %v", opts)
	}

	jane := &oidcUser{sub: "sub-jane", email: "Jane.Doe@Example.com", name: "제인 Doe", verified: true}
	cb := h.ssoFlow(idp, jane, "/kb/welcome?tab=1", nil)
	if loc := cb.Header.Get("Location"); loc != "/kb/welcome?tab=1" {
		t.Fatalf("callback redirects to %q, want the return path", loc)
	}
	access := h.ssoSession(cb)
	me := h.me(access).json(t)
	if me["email"] != "jane.doe@example.com" || me["name"] != "제인 Doe" || me["role"] != "member" {
		t.Fatalf("/me after SSO = %v", me)
	}
	logins := h.audit(app.ActionSSOLogin)
	if len(logins) != 1 || logins[0].Details["created"] != true || logins[0].Details["provider"] != "mock" || logins[0].TargetID != me["id"] {
		t.Fatalf("auth.sso_login audit = %+v", logins)
	}
	if created := h.audit(app.ActionUserCreated); len(created) != 1 || created[0].TargetID != me["id"] {
		t.Fatalf("user.created audit = %+v", created)
	}

	// The second sign-in finds the link, even after the email changed at
	// the provider.
	jane.email = "jane@example.com"
	cb2 := h.ssoFlow(idp, jane, "https://evil.example/steal", nil)
	if loc := cb2.Header.Get("Location"); loc != "/" {
		t.Fatalf("an absolute return path must become /, got %q", loc)
	}
	if again := h.me(h.ssoSession(cb2)).json(t); again["id"] != me["id"] {
		t.Fatalf("second SSO sign-in got user %v, want %v", again["id"], me["id"])
	}
	if n, _ := h.store.CountUsers(context.Background()); n != 2 {
		t.Fatalf("users = %d, want the owner and Jane", n)
	}
}

func TestSSOLinksAccountByVerifiedEmail(t *testing.T) {
	idp := startMockIdP(t)
	h := newSSOHarness(t, ssoConfig(idp.provider()), options{})
	h.setup()
	memberID, _ := h.createMFAUser("alice@example.com", "alice password 1", app.RoleAdmin)

	cb := h.ssoFlow(idp, &oidcUser{sub: "sub-alice", email: "alice@example.com", name: "Alice", verified: true}, "", nil)
	me := h.me(h.ssoSession(cb)).json(t)
	if me["id"] != memberID || me["role"] != "admin" {
		t.Fatalf("SSO sign-in linked to %v, want the existing account %s", me, memberID)
	}
	if l := h.audit(app.ActionSSOLogin); len(l) != 1 || l[0].Details["linked"] != true {
		t.Fatalf("audit = %+v", l)
	}
}

func TestSSORefusals(t *testing.T) {
	idp := startMockIdP(t)
	p := idp.provider()
	p.AllowedDomains = []string{"example.com"}
	h := newSSOHarness(t, ssoConfig(p), options{})
	h.setup()
	disabledID, _ := h.createMFAUser("gone@example.com", "gone password 1", app.RoleMember)
	h.sqlExec(`UPDATE users SET status = 'disabled' WHERE id = ?`, disabledID)
	verified := func(sub, email string) *oidcUser { return &oidcUser{sub: sub, email: email, name: "N", verified: true} }

	tests := []struct {
		name   string
		user   *oidcUser
		tamper func(jwt.MapClaims)
		tweak  func(url.Values, *http.Cookie)
		want   string
	}{
		{name: "bad state", user: verified("s1", "a@example.com"), want: "state_mismatch",
			tweak: func(q url.Values, _ *http.Cookie) { q.Set("state", "forged-state") }},
		{name: "no state cookie", user: verified("s2", "a@example.com"), want: "state_mismatch",
			tweak: func(_ url.Values, c *http.Cookie) { c.Value = "" }},
		{name: "forged state cookie", user: verified("s3", "a@example.com"), want: "state_mismatch",
			tweak: func(_ url.Values, c *http.Cookie) { c.Value = c.Value[:len(c.Value)-6] + "AAAAAA" }},
		{name: "bad nonce", user: verified("s4", "a@example.com"), want: "nonce_mismatch",
			tamper: func(c jwt.MapClaims) { c["nonce"] = "replayed-nonce" }},
		{name: "wrong audience", user: verified("s5", "a@example.com"), want: "provider_error",
			tamper: func(c jwt.MapClaims) { c["aud"] = []string{"another-client"} }},
		{name: "wrong issuer", user: verified("s6", "a@example.com"), want: "provider_error",
			tamper: func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }},
		{name: "unverified email", user: &oidcUser{sub: "s7", email: "b@example.com", verified: false}, want: "email_unverified"},
		{name: "domain not allowed", user: verified("s8", "eve@other.org"), want: "domain_not_allowed"},
		{name: "disabled account", user: verified("s9", "gone@example.com"), want: "disabled"},
		{name: "provider error", user: verified("s10", "a@example.com"), want: "provider_error",
			tweak: func(q url.Values, _ *http.Cookie) { q.Del("code"); q.Set("error", "access_denied") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp.setTamper(tt.tamper)
			defer idp.setTamper(nil)
			before := len(h.audit(app.ActionSSOFailed))
			if got := ssoError(t, h.ssoFlow(idp, tt.user, "", tt.tweak)); got != tt.want {
				t.Fatalf("sso_error = %q, want %q", got, tt.want)
			}
			failed := h.audit(app.ActionSSOFailed)
			if len(failed) != before+1 || failed[len(failed)-1].Result != app.AuditFailure {
				t.Fatalf("auth.sso_failed audit rows: %d → %d", before, len(failed))
			}
		})
	}
	if n, _ := h.store.CountUsers(context.Background()); n != 2 {
		t.Fatalf("refused sign-ins created accounts: %d users", n)
	}
	// The tampering itself yields valid tokens: left unchanged, they sign in,
	// so the refusals above are for the claims changed.
	idp.setTamper(func(jwt.MapClaims) {})
	h.ssoSession(h.ssoFlow(idp, verified("s11", "a@example.com"), "", nil))
	idp.setTamper(nil)
	for _, e := range h.audit(app.ActionSSOFailed) {
		if e.Details["code"] == "provider_error" && e.Details["reason"] != "id_token_invalid" && e.Details["reason"] != "provider_refused" {
			t.Errorf("provider_error audit reason = %v", e.Details)
		}
	}
	if r := h.request("GET", "/api/v1/auth/sso/nope/start", nil, nil); r.StatusCode != 404 {
		t.Fatalf("unknown provider: %d", r.StatusCode)
	}
}

func TestSSOWithoutAutoCreateOrLinking(t *testing.T) {
	idp := startMockIdP(t)
	cfg := ssoConfig(idp.provider())
	cfg.AutoCreate, cfg.LinkByEmail = false, false
	h := newSSOHarness(t, cfg, options{})
	h.setup()
	h.createMFAUser("bob@example.com", "bob password 11", app.RoleMember)
	if got := ssoError(t, h.ssoFlow(idp, &oidcUser{sub: "x1", email: "new@example.com", verified: true}, "", nil)); got != "no_account" {
		t.Fatalf("unknown person without auto_create: %q", got)
	}
	if got := ssoError(t, h.ssoFlow(idp, &oidcUser{sub: "x2", email: "bob@example.com", verified: true}, "", nil)); got != "no_account" {
		t.Fatalf("existing email without link_by_email: %q", got)
	}
}

func TestSSOGroupsMapToTeams(t *testing.T) {
	idp := startMockIdP(t)
	p := idp.provider()
	p.GroupTeams = map[string]string{"eng": "Engineering", "design": "Design", "ops": "Operations"}
	h := newSSOHarness(t, ssoConfig(p), options{})
	h.setup()
	h.sqlExec(`INSERT INTO teams (id, name, description, created_at, updated_at) VALUES (?, 'design', '', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z')`, app.NewID())
	h.sqlExec(`INSERT INTO teams (id, name, description, created_at, updated_at) VALUES (?, 'Unmapped', '', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z')`, app.NewID())

	kim := &oidcUser{sub: "sub-kim", email: "kim@example.com", name: "Kim", verified: true, groups: []string{"eng", "everyone"}}
	id := h.me(h.ssoSession(h.ssoFlow(idp, kim, "", nil))).json(t)["id"].(string)
	if got := h.teamsOf(id); strings.Join(got, ",") != "Engineering" {
		t.Fatalf("teams after first sign-in = %v, want [Engineering]", got)
	}
	h.sqlExec(`INSERT INTO team_members (team_id, user_id, added_at) SELECT id, ?, '2024-01-01T00:00:00.000000Z' FROM teams WHERE name = 'Unmapped'`, id)

	kim.groups = []string{"design"}
	h.ssoSession(h.ssoFlow(idp, kim, "", nil))
	if got := h.teamsOf(id); strings.Join(got, ",") != "Unmapped,design" {
		t.Fatalf("teams after the groups changed = %v, want [Unmapped design] (existing team reused, mapped team left, unmapped kept)", got)
	}
	if a := h.audit(app.ActionTeamMemberRemoved); len(a) != 1 || a[0].Details["team_name"] != "Engineering" {
		t.Fatalf("team.member_removed audit = %+v", a)
	}
	if a := h.audit(app.ActionTeamCreated); len(a) != 1 || a[0].Details["team_name"] != "Engineering" {
		t.Fatalf("team.created audit = %+v", a)
	}
	events, _ := h.store.OutboxEvents(context.Background(), 0, 100)
	var types []string
	for _, e := range events {
		if strings.HasPrefix(e.Type, "team.") {
			types = append(types, e.Type)
		}
	}
	if strings.Join(types, ",") != "team.member_added,team.member_added,team.member_removed" {
		t.Fatalf("team events = %v", types)
	}
}

func TestSSOAccountWithMFA(t *testing.T) {
	idp := startMockIdP(t)
	h := newSSOHarness(t, ssoConfig(idp.provider()), options{})
	h.setup()
	_, access := h.createMFAUser("mia@example.com", "mia password 11", app.RoleMember)
	secret, _ := h.enrolTOTP(access)

	cb := h.ssoFlow(idp, &oidcUser{sub: "sub-mia", email: "mia@example.com", verified: true}, "", nil)
	loc, _ := url.Parse(cb.Header.Get("Location"))
	if cb.cookie("nexus_refresh") != nil || loc.Path != "/signin" {
		t.Fatalf("SSO with MFA on must not sign in yet: %q %v", cb.Header.Get("Location"), cb.Cookies())
	}
	frag, _ := url.ParseQuery(loc.Fragment)
	tok := frag.Get("mfa_token")
	if tok == "" || frag.Get("methods") != "totp,recovery_code" || loc.RawQuery != "" {
		t.Fatalf("the MFA token must travel in the fragment: %q", cb.Header.Get("Location"))
	}
	r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil)
	if r.StatusCode != 200 {
		t.Fatalf("MFA step after SSO: %d %s", r.StatusCode, r.body)
	}
	l := h.audit(app.ActionSSOLogin)
	if len(l) != 1 || l[0].Details["method"] != "sso+totp" {
		t.Fatalf("audit = %+v", l)
	}
}

// teamsOf lists the names of the user's teams, sorted.
func (h *harness) teamsOf(userID string) []string {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ? ORDER BY t.name`, userID)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}
