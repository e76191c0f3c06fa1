package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/mail"
	"nexus/store"
)

// Helpers of the accounts tests. Passwords are hashed once per test binary
// and users are inserted with that hash where a test does not exercise
// account creation itself: argon2id costs ~50 ms a hash.

const accPassword = "tangerine helicopter 42"

var (
	accHashOnce sync.Once
	accHash     string
)

func accPasswordHash(t *testing.T) string {
	t.Helper()
	accHashOnce.Do(func() {
		h, err := auth.NewHasher(1).Hash(context.Background(), accPassword)
		if err != nil {
			t.Fatal(err)
		}
		accHash = h
	})
	return accHash
}

// accDB opens a connection of its own to the test database, for states no
// API makes and for counting rows.
func (h *harness) accDB() *sql.DB {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+h.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

func (h *harness) accSQL(query string, args ...any) {
	h.t.Helper()
	if _, err := h.accDB().Exec(query, args...); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) accCount(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.accDB().QueryRow(query, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func accBearer(access string) header { return header{"Authorization": "Bearer " + access} }

// accWant asserts the status and returns the JSON body (nil when empty).
func (h *harness) accWant(r response, status int, what string) map[string]any {
	h.t.Helper()
	if r.StatusCode != status {
		h.t.Fatalf("%s: %d %s, want %d", what, r.StatusCode, r.body, status)
	}
	if len(r.body) == 0 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	return r.json(h.t)
}

// accError asserts an error answer: status, code and details.reason (when
// reason is not empty); it returns the details.
func (h *harness) accError(r response, status int, code, reason, what string) map[string]any {
	h.t.Helper()
	body := h.accWant(r, status, what)
	e, _ := body["error"].(map[string]any)
	if e == nil || e["code"] != code {
		h.t.Fatalf("%s: body %s, want code %s", what, r.body, code)
	}
	details, _ := e["details"].(map[string]any)
	if reason != "" && (details == nil || details["reason"] != reason) {
		h.t.Fatalf("%s: details %v, want reason %s", what, details, reason)
	}
	return details
}

// accOwner runs setup and returns the owner's access token and id.
func (h *harness) accOwner() (access, id string) {
	h.t.Helper()
	r := h.setup()
	return accessToken(h.t, r), r.json(h.t)["user"].(map[string]any)["id"].(string)
}

// accInsertUser adds an active account directly in the store.
func (h *harness) accInsertUser(email, name string, role app.Role) string {
	h.t.Helper()
	hash := accPasswordHash(h.t)
	var id string
	err := h.store.Update(context.Background(), func(tx *store.Tx) error {
		u := &app.User{ID: app.NewID(), Email: email, Name: name, Role: role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		id = u.ID
		return tx.CreateUser(context.Background(), u)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return id
}

// accSignIn signs in with accPassword and returns the sign-in response.
func (h *harness) accSignIn(email string) response {
	h.t.Helper()
	r := h.login(email, accPassword, nil)
	if r.StatusCode != 200 {
		h.t.Fatalf("sign in %s: %d %s", email, r.StatusCode, r.body)
	}
	return r
}

// accUser adds an account and signs it in; it returns id and access token.
func (h *harness) accUser(email, name string, role app.Role) (id, access string) {
	h.t.Helper()
	id = h.accInsertUser(email, name, role)
	return id, accessToken(h.t, h.accSignIn(email))
}

func (h *harness) accGetUser(access, id string) map[string]any {
	h.t.Helper()
	return h.accWant(h.request("GET", "/api/v1/users/"+id, nil, accBearer(access)), 200, "get user "+id)
}

// accVersion reads a user's version as an administrator.
func (h *harness) accVersion(access, id string) int64 {
	h.t.Helper()
	return int64(h.accGetUser(access, id)["version"].(float64))
}

// accMails lists the outbox, newest first, straight from the store.
func (h *harness) accMails() []mail.Message {
	h.t.Helper()
	msgs, err := h.store.FindMails(context.Background(), mail.Filter{Limit: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return msgs
}

// accLastMail returns the newest message to an address.
func (h *harness) accLastMail(to string) *mail.Message {
	h.t.Helper()
	to = strings.ToLower(to)
	for _, m := range h.accMails() {
		if m.To == to {
			return &m
		}
	}
	h.t.Fatalf("no mail to %s in the outbox", to)
	return nil
}

var accLink = regexp.MustCompile(`https?://[^\s"<>]+`)

// accLinkIn returns the first link in a message's text that contains part.
func accLinkIn(t *testing.T, m *mail.Message, part string) string {
	t.Helper()
	for _, l := range accLink.FindAllString(m.Text, -1) {
		if strings.Contains(l, part) {
			return l
		}
	}
	t.Fatalf("no %q link in mail %q:\n%s", part, m.Subject, m.Text)
	return ""
}

func accItems(body map[string]any) []map[string]any {
	raw, _ := body["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func accField(items []map[string]any, key string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it[key])
	}
	return out
}

// --- administration of users ---

func TestUserListSearchAndPaging(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	h.accInsertUser("lee@example.com", "이서연", app.RoleAdmin)
	h.accInsertUser("park@example.com", "박지훈", app.RoleMember)
	h.accInsertUser("alice@corp.example", "Alice Zhang", app.RoleGuest)
	disabledID := h.accInsertUser("bob@corp.example", "bob Stone", app.RoleMember)
	h.accSQL("UPDATE users SET status = 'disabled' WHERE id = ?", disabledID)

	list := func(query string) []string {
		t.Helper()
		return accField(accItems(h.accWant(h.request("GET", "/api/v1/users?"+query, nil, accBearer(owner)), 200, query)), "name")
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"Alice Zhang", "bob Stone", "김민지", "박지훈", "이서연"}}, // case-insensitive name order, Hangul after Latin
		{"query=서연", []string{"이서연"}},
		{"query=%EA%B9%80", []string{"김민지"}}, // 김, percent-encoded as a browser sends it
		{"query=ALICE", []string{"Alice Zhang"}},
		{"query=corp.example", []string{"Alice Zhang", "bob Stone"}},
		{"query=PARK%40EXAMPLE", []string{"박지훈"}},
		{"query=%25", nil}, // a literal %, which no name or email has
		{"role=member", []string{"bob Stone", "박지훈"}},
		{"status=disabled", []string{"bob Stone"}},
		{"status=active&role=admin", []string{"이서연"}},
		{"status=deleted", nil},
	}
	for _, tt := range tests {
		if got := list(tt.query); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("GET /users?%s = %q, want %q", tt.query, got, tt.want)
		}
	}

	// Keyset pages of two cover everyone once, in order.
	var names []string
	cursor := ""
	for page := 0; page < 5; page++ {
		body := h.accWant(h.request("GET", "/api/v1/users?limit=2&cursor="+cursor, nil, accBearer(owner)), 200, "page")
		names = append(names, accField(accItems(body), "name")...)
		cursor = body["next_cursor"].(string)
		if cursor == "" {
			break
		}
	}
	if strings.Join(names, "|") != "Alice Zhang|bob Stone|김민지|박지훈|이서연" {
		t.Fatalf("paged names = %q", names)
	}
	h.accError(h.request("GET", "/api/v1/users?cursor=garbage!", nil, accBearer(owner)), 400, "invalid", "", "bad cursor")
	h.accError(h.request("GET", "/api/v1/users?status=gone", nil, accBearer(owner)), 400, "invalid", "", "bad status")
	h.accError(h.request("GET", "/api/v1/users?role=king", nil, accBearer(owner)), 400, "invalid", "", "bad role")

	// Each user carries the profile fields.
	u := accItems(h.accWant(h.request("GET", "/api/v1/users?query=owner", nil, accBearer(owner)), 200, "owner"))[0]
	for _, k := range []string{"id", "email", "name", "role", "status", "language", "timezone", "mfa_enabled", "version", "last_seen_at", "created_at"} {
		if _, ok := u[k]; !ok {
			t.Errorf("user JSON lacks %q: %v", k, u)
		}
	}
}

func TestOnlyAdministratorsManageUsers(t *testing.T) {
	h := newHarness(t, options{})
	owner, ownerID := h.accOwner()
	_, admin := h.accUser("admin@example.com", "Admin", app.RoleAdmin)
	memberID, member := h.accUser("member@example.com", "Member", app.RoleMember)

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/users"}, {"GET", "/api/v1/users/" + ownerID}, {"GET", "/api/v1/invitations"}, {"GET", "/api/v1/mail"},
	} {
		h.accError(h.request(r.method, r.path, nil, accBearer(member)), 403, "forbidden", "", "member "+r.method+" "+r.path)
	}
	h.accError(h.request("POST", "/api/v1/users", map[string]string{"email": "x@example.com", "name": "X", "role": "member",
		"password": accPassword}, accBearer(member)), 403, "forbidden", "", "member creates a user")
	h.accError(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "admin", "version": 1}, accBearer(member)),
		403, "forbidden", "", "member promotes themselves")
	h.accError(h.request("GET", "/api/v1/users", nil, nil), 401, "unauthorized", "", "anonymous")

	// Admins manage members and admins, never owners.
	created := h.accWant(h.request("POST", "/api/v1/users", map[string]string{"email": " New@Example.com ", "name": "정하늘",
		"role": "member", "password": accPassword}, accBearer(admin)), 201, "admin creates a member")
	if created["email"] != "new@example.com" || created["role"] != "member" || created["version"] != float64(1) {
		t.Fatalf("created = %v", created)
	}
	h.accError(h.request("POST", "/api/v1/users", map[string]string{"email": "o2@example.com", "name": "O", "role": "owner",
		"password": accPassword}, accBearer(admin)), 403, "forbidden", "owner_required", "admin creates an owner")
	h.accError(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "owner", "version": 1}, accBearer(admin)),
		403, "forbidden", "owner_required", "admin makes an owner")
	h.accError(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"status": "disabled", "version": h.accVersion(owner, ownerID)},
		accBearer(admin)), 403, "forbidden", "owner_required", "admin disables the owner")
	h.accError(h.request("DELETE", "/api/v1/users/"+ownerID, nil, accBearer(admin)), 403, "forbidden", "owner_required", "admin deletes the owner")
	h.accError(h.request("POST", "/api/v1/users", map[string]string{"email": "new@example.com", "name": "Dup", "role": "member",
		"password": accPassword}, accBearer(admin)), 409, "conflict", "", "duplicate email")
	h.accError(h.request("POST", "/api/v1/users", map[string]string{"email": "weak@example.com", "name": "Weak", "role": "member",
		"password": "Password1"}, accBearer(admin)), 400, "invalid", "common_password", "common password")

	changed := h.accWant(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "guest", "version": 1}, accBearer(admin)),
		200, "admin demotes a member")
	if changed["role"] != "guest" || changed["version"] != float64(2) {
		t.Fatalf("after role change: %v", changed)
	}
	// A stale version is refused with the current one.
	d := h.accError(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "member", "version": 1}, accBearer(admin)),
		409, "conflict", "version_conflict", "stale version")
	if d["current_version"] != float64(2) {
		t.Fatalf("details = %v, want current_version 2", d)
	}
	h.accError(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "member"}, accBearer(admin)),
		400, "invalid", "", "no version")

	// Owners make owners.
	h.accWant(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"role": "owner", "version": 2}, accBearer(owner)),
		200, "owner makes an owner")
	if a := h.audit(app.ActionUserRoleChanged); len(a) != 2 || a[0].Details["to"] != "owner" || a[0].ActorID != ownerID ||
		a[1].Details["from"] != "member" || a[1].IP == "" {
		t.Fatalf("role audit = %+v", a)
	}
	if a := h.audit(app.ActionUserCreated); len(a) != 1 || a[0].Details["method"] != "admin" {
		t.Fatalf("created audit = %+v", a)
	}
}

func TestLastOwnerIsProtected(t *testing.T) {
	h := newHarness(t, options{})
	owner, ownerID := h.accOwner()
	v := h.accVersion(owner, ownerID)
	h.accError(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"role": "admin", "version": v}, accBearer(owner)),
		409, "conflict", "last_owner", "demote the last owner")
	h.accError(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"status": "disabled", "version": v}, accBearer(owner)),
		409, "conflict", "last_owner", "disable the last owner")
	h.accError(h.request("DELETE", "/api/v1/users/"+ownerID, nil, accBearer(owner)), 409, "conflict", "last_owner", "delete the last owner")

	// A disabled second owner does not count.
	secondID := h.accInsertUser("second@example.com", "Second", app.RoleOwner)
	h.accWant(h.request("PATCH", "/api/v1/users/"+secondID, map[string]any{"status": "disabled", "version": 1}, accBearer(owner)),
		200, "disable the second owner")
	h.accError(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"role": "member", "version": v}, accBearer(owner)),
		409, "conflict", "last_owner", "demote while the other owner is disabled")

	// With two active owners, one may step down; you still cannot disable
	// or delete yourself.
	h.accWant(h.request("PATCH", "/api/v1/users/"+secondID, map[string]any{"status": "active", "version": 2}, accBearer(owner)),
		200, "enable the second owner")
	h.accError(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"status": "disabled", "version": v}, accBearer(owner)),
		409, "conflict", "self", "disable yourself")
	h.accError(h.request("DELETE", "/api/v1/users/"+ownerID, nil, accBearer(owner)), 409, "conflict", "self", "delete yourself")
	h.accWant(h.request("PATCH", "/api/v1/users/"+ownerID, map[string]any{"role": "admin", "version": v}, accBearer(owner)),
		200, "step down")
	if n := len(h.audit(app.ActionUserEnabled)); n != 1 {
		t.Fatalf("user.enabled rows = %d", n)
	}
}

func TestDisablingEndsEverySessionAndToken(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	memberID := h.accInsertUser("member@example.com", "Member", app.RoleMember)
	login := h.accSignIn("member@example.com")
	access, refresh := accessToken(t, login), refreshToken(t, login)
	other := accessToken(t, h.accSignIn("member@example.com"))
	tok := h.accWant(h.request("POST", "/api/v1/me/tokens", map[string]any{"name": "script", "scopes": []string{"read"}},
		accBearer(access)), 201, "create a token")["token"].(string)
	h.accWant(h.request("GET", "/api/v1/me", nil, accBearer(tok)), 200, "token works")

	body := h.accWant(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"status": "disabled", "version": 1},
		accBearer(owner)), 200, "disable")
	if body["status"] != "disabled" {
		t.Fatalf("after disable: %v", body)
	}
	// The live access tokens, the refresh token and the personal access
	// token all stop at once.
	for name, cred := range map[string]string{"access token": access, "second session": other, "personal access token": tok} {
		if r := h.me(cred); r.StatusCode != 401 {
			t.Errorf("%s after disable: %d %s, want 401", name, r.StatusCode, r.body)
		}
	}
	if r := h.refresh(refresh); r.StatusCode != 401 {
		t.Errorf("refresh after disable: %d, want 401", r.StatusCode)
	}
	if r := h.login("member@example.com", accPassword, nil); r.StatusCode != 403 {
		t.Errorf("sign-in while disabled: %d, want 403", r.StatusCode)
	}
	if n := h.accCount("SELECT count(*) FROM personal_access_tokens WHERE revoked_at IS NOT NULL"); n != 1 {
		t.Fatalf("revoked tokens = %d", n)
	}
	a := h.audit(app.ActionUserDisabled)
	if len(a) != 1 || a[0].TargetID != memberID || a[0].Details["sessions_ended"] != float64(2) || a[0].Details["tokens_revoked"] != float64(1) {
		t.Fatalf("disable audit = %+v", a)
	}

	// Enabling lets them sign in again; the old sessions stay ended.
	h.accWant(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"status": "active", "version": 2}, accBearer(owner)), 200, "enable")
	if r := h.me(access); r.StatusCode != 401 {
		t.Errorf("old access token after enable: %d", r.StatusCode)
	}
	h.accSignIn("member@example.com")
}

func TestDeletedUserKeepsARowAndFreesTheAddress(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	memberID, access := h.accUser("member@example.com", "Member Kim", app.RoleMember)
	h.accWant(h.request("DELETE", "/api/v1/users/"+memberID, nil, accBearer(owner)), 204, "delete")
	h.accWant(h.request("DELETE", "/api/v1/users/"+memberID, nil, accBearer(owner)), 204, "delete again")
	if r := h.me(access); r.StatusCode != 401 {
		t.Fatalf("deleted user's token: %d", r.StatusCode)
	}
	u := h.accGetUser(owner, memberID)
	if u["deleted"] != true || u["name"] != "Deleted user" || u["status"] != "disabled" || strings.Contains(u["email"].(string), "member@") {
		t.Fatalf("deleted user = %v", u)
	}
	if r := h.login("member@example.com", accPassword, nil); r.StatusCode != 401 {
		t.Fatalf("sign-in as deleted user: %d", r.StatusCode)
	}
	if names := accField(accItems(h.accWant(h.request("GET", "/api/v1/users", nil, accBearer(owner)), 200, "list")), "name"); len(names) != 1 {
		t.Fatalf("default list shows deleted users: %v", names)
	}
	if ids := accField(accItems(h.accWant(h.request("GET", "/api/v1/users?status=deleted", nil, accBearer(owner)), 200, "deleted")), "id"); len(ids) != 1 || ids[0] != memberID {
		t.Fatalf("status=deleted = %v", ids)
	}
	h.accError(h.request("PATCH", "/api/v1/users/"+memberID, map[string]any{"status": "active", "version": u["version"]}, accBearer(owner)),
		409, "conflict", "deleted", "re-enable a deleted user")
	// The address is free again.
	again := h.accWant(h.request("POST", "/api/v1/users", map[string]string{"email": "member@example.com", "name": "New Member",
		"role": "member", "password": accPassword}, accBearer(owner)), 201, "reuse the address")
	if again["id"] == memberID {
		t.Fatal("the deleted row was reused")
	}
	a := h.audit(app.ActionUserDeleted)
	if len(a) != 1 || a[0].Details["email"] != "member@example.com" || a[0].Details["name"] != "Member Kim" {
		t.Fatalf("delete audit = %+v", a)
	}
	h.accError(h.request("GET", "/api/v1/users/"+app.NewID(), nil, accBearer(owner)), 404, "not_found", "", "unknown user")
}
