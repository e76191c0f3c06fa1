package api_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"nexus/app"
)

// accInviteToken invites email with role and returns the token from the
// link in the mail, and the invitation JSON.
func (h *harness) accInviteToken(access, email, role string) (string, map[string]any) {
	h.t.Helper()
	inv := h.accWant(h.request("POST", "/api/v1/invitations", map[string]string{"email": email, "role": role}, accBearer(access)),
		201, "invite "+email)
	link := accLinkIn(h.t, h.accLastMail(email), "/invite/")
	return link[strings.LastIndex(link, "/")+1:], inv
}

func TestInvitationFlow(t *testing.T) {
	h := newHarness(t, options{publicURL: "https://nexus.example.com"})
	owner, ownerID := h.accOwner()

	token, inv := h.accInviteToken(owner, "Park@Example.com", "admin")
	if inv["email"] != "park@example.com" || inv["role"] != "admin" || inv["status"] != "pending" ||
		inv["invited_by"].(map[string]any)["id"] != ownerID || inv["invited_by"].(map[string]any)["name"] != "김민지" {
		t.Fatalf("invitation = %v", inv)
	}
	if len(token) < 22 { // 128 bits in base64url
		t.Fatalf("token %q is too short", token)
	}
	m := h.accLastMail("park@example.com")
	if m.Status != "stored" || m.Kind != "invitation" || !strings.Contains(m.HTML, "https://nexus.example.com/invite/"+token) {
		t.Fatalf("mail = %+v", m)
	}
	// The token is stored only as a hash.
	if n := h.accCount("SELECT count(*) FROM invitations WHERE token_hash = ?", token); n != 0 {
		t.Fatal("the raw token is in the database")
	}

	// The invitation page reads it without signing in.
	pub := h.accWant(h.request("GET", "/api/v1/invitations/"+token, nil, nil), 200, "read by token")
	if pub["email"] != "park@example.com" || pub["role"] != "admin" || pub["inviter_name"] != "김민지" || pub["expires_at"] == nil {
		t.Fatalf("public invitation = %v", pub)
	}

	// An address with an account or a pending invitation cannot be invited.
	h.accError(h.request("POST", "/api/v1/invitations", map[string]string{"email": "owner@example.com", "role": "member"},
		accBearer(owner)), 409, "conflict", "", "invite an existing account")
	d := h.accError(h.request("POST", "/api/v1/invitations", map[string]string{"email": "park@example.com", "role": "member"},
		accBearer(owner)), 409, "conflict", "", "invite twice")
	if d["invitation_id"] != inv["id"] {
		t.Fatalf("details = %v", d)
	}

	h.accError(h.request("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "박지훈", "password": "password"}, nil),
		400, "invalid", "common_password", "common password")
	r := h.request("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "박지훈", "password": accPassword}, nil)
	body := h.accWant(r, 201, "accept")
	user := body["user"].(map[string]any)
	if user["email"] != "park@example.com" || user["role"] != "admin" || user["name"] != "박지훈" || r.cookie("nexus_refresh") == nil {
		t.Fatalf("accepted: %s", r.body)
	}
	if me := h.me(accessToken(t, r)); me.StatusCode != 200 {
		t.Fatalf("the new account is not signed in: %d", me.StatusCode)
	}

	// Used: the link is dead, for reading and for accepting.
	h.accError(h.request("GET", "/api/v1/invitations/"+token, nil, nil), 404, "not_found", "used", "read a used invitation")
	h.accError(h.request("POST", "/api/v1/invitations/"+token+"/accept", map[string]string{"name": "Again", "password": accPassword}, nil),
		404, "not_found", "used", "accept twice")
	h.accError(h.request("GET", "/api/v1/invitations/not-a-token", nil, nil), 404, "not_found", "unknown", "unknown token")

	list := accItems(h.accWant(h.request("GET", "/api/v1/invitations?status=accepted", nil, accBearer(owner)), 200, "accepted"))
	if len(list) != 1 || list[0]["status"] != "accepted" || list[0]["accepted_at"] == nil {
		t.Fatalf("accepted invitations = %v", list)
	}
	if a := h.audit(app.ActionUserInvitationAccepted); len(a) != 1 || a[0].ActorID != user["id"] || a[0].Details["invited_by"] != ownerID {
		t.Fatalf("accept audit = %+v", a)
	}
	if a := h.audit(app.ActionUserInvited); len(a) != 1 || a[0].ActorID != ownerID || a[0].Details["email"] != "park@example.com" ||
		a[0].TargetType != "invitation" || a[0].TargetID != inv["id"] {
		t.Fatalf("invite audit = %+v", a)
	}
}

func TestInvitationRevokeResendAndExpiry(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	_, admin := h.accUser("admin@example.com", "Admin", app.RoleAdmin)

	// Revoked.
	revokedToken, revoked := h.accInviteToken(admin, "revoked@example.com", "member")
	h.accWant(h.request("DELETE", "/api/v1/invitations/"+revoked["id"].(string), nil, accBearer(admin)), 204, "revoke")
	h.accWant(h.request("DELETE", "/api/v1/invitations/"+revoked["id"].(string), nil, accBearer(admin)), 204, "revoke again")
	h.accError(h.request("GET", "/api/v1/invitations/"+revokedToken, nil, nil), 404, "not_found", "revoked", "read revoked")
	h.accError(h.request("POST", "/api/v1/invitations/"+revokedToken+"/accept", map[string]string{"name": "R", "password": accPassword}, nil),
		404, "not_found", "revoked", "accept revoked")
	h.accError(h.request("POST", "/api/v1/invitations/"+revoked["id"].(string)+"/resend", nil, accBearer(admin)),
		409, "conflict", "revoked", "resend revoked")

	// Resent: a new token; the old link is dead.
	oldToken, inv := h.accInviteToken(admin, "resend@example.com", "guest")
	h.clock.advance(10 * time.Minute)
	resent := h.accWant(h.request("POST", "/api/v1/invitations/"+inv["id"].(string)+"/resend", nil, accBearer(admin)), 200, "resend")
	if resent["expires_at"] == inv["expires_at"] {
		t.Fatal("resend kept the old expiry")
	}
	newLink := accLinkIn(t, h.accLastMail("resend@example.com"), "/invite/")
	newToken := newLink[strings.LastIndex(newLink, "/")+1:]
	if newToken == oldToken {
		t.Fatal("resend kept the token")
	}
	h.accError(h.request("GET", "/api/v1/invitations/"+oldToken, nil, nil), 404, "not_found", "unknown", "old link after resend")
	h.accWant(h.request("GET", "/api/v1/invitations/"+newToken, nil, nil), 200, "new link")

	// Expired after auth.invitation_ttl (7 days).
	expiredToken, expired := h.accInviteToken(admin, "late@example.com", "member")
	h.clock.advance(7*24*time.Hour + time.Second)
	admin = accessToken(t, h.accSignIn("admin@example.com"))
	owner = accessToken(t, h.login(ownerEmail, ownerPassword, nil))
	h.accError(h.request("GET", "/api/v1/invitations/"+expiredToken, nil, nil), 404, "not_found", "expired", "read expired")
	h.accError(h.request("POST", "/api/v1/invitations/"+expiredToken+"/accept", map[string]string{"name": "Late", "password": accPassword}, nil),
		404, "not_found", "expired", "accept expired")
	byStatus := func(status string) []string {
		return accField(accItems(h.accWant(h.request("GET", "/api/v1/invitations?status="+status, nil, accBearer(admin)), 200, status)), "email")
	}
	if got := byStatus("expired"); strings.Join(got, ",") != "late@example.com,resend@example.com" {
		t.Fatalf("expired = %v", got)
	}
	if got := byStatus("revoked"); len(got) != 1 || got[0] != "revoked@example.com" {
		t.Fatalf("revoked = %v", got)
	}
	// An expired invitation can be sent again, and then accepted.
	h.accWant(h.request("POST", "/api/v1/invitations/"+expired["id"].(string)+"/resend", nil, accBearer(admin)), 200, "resend expired")
	link := accLinkIn(t, h.accLastMail("late@example.com"), "/invite/")
	h.accWant(h.request("POST", "/api/v1/invitations/"+link[strings.LastIndex(link, "/")+1:]+"/accept",
		map[string]string{"name": "Late", "password": accPassword}, nil), 201, "accept after resend")
	if got := byStatus("pending"); len(got) != 0 {
		t.Fatalf("pending = %v", got)
	}

	// Only owners invite owners.
	h.accError(h.request("POST", "/api/v1/invitations", map[string]string{"email": "boss@example.com", "role": "owner"}, accBearer(admin)),
		403, "forbidden", "owner_required", "admin invites an owner")
	h.accWant(h.request("POST", "/api/v1/invitations", map[string]string{"email": "boss@example.com", "role": "owner"}, accBearer(owner)),
		201, "owner invites an owner")
	if a := h.audit(app.ActionUserInvitationRevoked); len(a) != 1 {
		t.Fatalf("revoke audit rows = %d", len(a))
	}
}

func TestInvitationMailLanguage(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	ver := h.accWant(h.me(owner), 200, "me")["version"]
	h.accWant(h.request("PATCH", "/api/v1/me", map[string]any{"language": "ko", "timezone": "Asia/Seoul", "version": ver},
		accBearer(owner)), 200, "owner speaks Korean")
	h.accInviteToken(owner, "ko@example.com", "member")
	m := h.accLastMail("ko@example.com")
	if m.Language != "ko" || m.Subject != "김민지님이 Nexus에 초대했습니다" || !strings.Contains(m.Text, "멤버 역할로") ||
		!strings.Contains(m.Text, "(KST)") || !strings.Contains(m.HTML, `lang="ko"`) {
		t.Fatalf("Korean invitation:\n%s\n%s", m.Subject, m.Text)
	}

	_, admin := h.accUser("admin@example.com", "<b>Admin</b> & Co", app.RoleAdmin)
	h.accInviteToken(admin, "en@example.com", "guest")
	m = h.accLastMail("en@example.com")
	if m.Language != "en" || m.Subject != "<b>Admin</b> & Co invited you to Nexus" || !strings.Contains(m.Text, "as a guest") {
		t.Fatalf("English invitation:\n%s\n%s", m.Subject, m.Text)
	}
	// Names are escaped in HTML.
	if strings.Contains(m.HTML, "<b>Admin</b>") || !strings.Contains(m.HTML, "&lt;b&gt;Admin&lt;/b&gt; &amp; Co") {
		t.Fatalf("HTML does not escape the inviter's name:\n%s", m.HTML)
	}
}

func TestInvitationAcceptIsRateLimited(t *testing.T) {
	h := newHarness(t, options{})
	ip := header{"X-Forwarded-For": "203.0.113.9"}
	var last response
	for i := 0; i < 8; i++ {
		last = h.request("GET", "/api/v1/invitations/guess"+url.PathEscape(app.NewID()), nil, ip)
		if last.StatusCode == 429 {
			break
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("guessing tokens: %d %s, want 429 with Retry-After", last.StatusCode, last.body)
	}
	h.accError(h.request("POST", "/api/v1/invitations/x/accept", map[string]string{"name": "X", "password": accPassword}, ip),
		429, "rate_limited", "", "accept while throttled")
	// Another client is not affected.
	h.accError(h.request("GET", "/api/v1/invitations/x", nil, header{"X-Forwarded-For": "198.51.100.7"}), 404, "not_found", "unknown", "other IP")
}

// accSetRegistration changes the registration policy through the settings
// API, as an administrator would.
func (h *harness) accSetRegistration(owner, policy string, domains []string) {
	h.t.Helper()
	cur := h.accWant(h.request("GET", "/api/v1/settings/security", nil, accBearer(owner)), 200, "read settings")
	body := map[string]any{"registration": policy, "version": cur["version"]}
	if domains != nil {
		body["registration_domains"] = domains
	}
	h.accWant(h.request("PATCH", "/api/v1/settings/security", body, accBearer(owner)), 200, "set registration "+policy)
}

func TestRegistrationPolicy(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	reg := func(email, password, ip string) response {
		return h.request("POST", "/api/v1/auth/register", map[string]string{"email": email, "name": "최유나", "password": password},
			header{"X-Forwarded-For": ip})
	}
	// invite (the default): nobody signs up.
	h.accError(reg("a@example.com", accPassword, "192.0.2.1"), 403, "forbidden", "registration_closed", "invite-only")

	h.accSetRegistration(owner, "open", nil)
	r := reg("New.User@Example.com", accPassword, "192.0.2.1")
	body := h.accWant(r, 201, "open registration")
	if u := body["user"].(map[string]any); u["role"] != "member" || u["email"] != "new.user@example.com" || r.cookie("nexus_refresh") == nil {
		t.Fatalf("registered: %s", r.body)
	}
	h.accWant(h.me(accessToken(t, r)), 200, "registered user is signed in")
	h.accError(reg("new.user@example.com", accPassword, "192.0.2.1"), 409, "conflict", "", "taken address")
	h.accError(reg("b@example.com", "qwertyuiop", "192.0.2.1"), 400, "invalid", "common_password", "common password")

	h.accSetRegistration(owner, "domain", []string{"Corp.Example"})
	h.accError(reg("c@example.com", accPassword, "192.0.2.2"), 403, "forbidden", "domain_not_allowed", "other domain")
	h.accError(reg("c@sub.corp.example", accPassword, "192.0.2.2"), 403, "forbidden", "domain_not_allowed", "subdomain")
	h.accWant(reg("c@corp.example", accPassword, "192.0.2.2"), 201, "allowed domain")
	if a := h.audit(app.ActionUserRegistered); len(a) != 2 || a[0].Details["policy"] != "domain" {
		t.Fatalf("registration audit = %+v", a)
	}

	// Per address: three attempts an hour go through, then 429.
	h.accSetRegistration(owner, "open", nil)
	for i := 0; i < 3; i++ {
		reg("taken@corp.example", "x", "192.0.2.3")
	}
	last := reg("taken@corp.example", accPassword, "192.0.2.4")
	h.accError(last, 429, "rate_limited", "", "fourth attempt for one address")
	if last.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}
