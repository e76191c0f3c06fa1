package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"nexus/app"
)

func TestSetupOnlyOnce(t *testing.T) {
	h := newHarness(t, options{})
	if r := h.request("GET", "/api/v1/setup", nil, nil); r.StatusCode != 200 || r.json(t)["needed"] != true {
		t.Fatalf("fresh install: %d %s, want needed=true", r.StatusCode, r.body)
	}

	invalid := []struct {
		name  string
		body  map[string]string
		field string
	}{
		{"bad email", map[string]string{"email": "not-an-email", "name": "Kim", "password": ownerPassword}, "email"},
		{"empty name", map[string]string{"email": ownerEmail, "name": "  ", "password": ownerPassword}, "name"},
		{"short password", map[string]string{"email": ownerEmail, "name": "Kim", "password": "1234567"}, "password"},
	}
	for _, tt := range invalid {
		r := h.request("POST", "/api/v1/setup", tt.body, nil)
		if r.StatusCode != 400 || r.errorCode(t) != "invalid" {
			t.Fatalf("%s: %d %s, want 400 invalid", tt.name, r.StatusCode, r.body)
		}
		details, _ := r.json(t)["error"].(map[string]any)["details"].(map[string]any)
		if details["field"] != tt.field {
			t.Errorf("%s: details = %v, want field %q", tt.name, details, tt.field)
		}
	}
	if n, _ := h.store.CountUsers(context.Background()); n != 0 {
		t.Fatalf("invalid setups created %d users", n)
	}

	r := h.setup()
	body := r.json(t)
	user := body["user"].(map[string]any)
	if user["role"] != "owner" || user["email"] != ownerEmail || user["name"] != "김민지" || body["token_type"] != "Bearer" ||
		body["expires_in"] != float64(900) {
		t.Fatalf("setup response = %s", r.body)
	}
	c := r.cookie("nexus_refresh")
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/api/v1/auth" || c.Secure {
		t.Fatalf("refresh cookie = %+v; want HttpOnly, SameSite=Strict, Path=/api/v1/auth, not Secure over plain HTTP", c)
	}
	if r := h.me(accessToken(t, r)); r.StatusCode != 200 {
		t.Fatalf("setup must sign the owner in: /me = %d", r.StatusCode)
	}
	if r := h.request("GET", "/api/v1/setup", nil, nil); r.json(t)["needed"] != false {
		t.Fatalf("after setup: %s, want needed=false", r.body)
	}
	again := h.request("POST", "/api/v1/setup", map[string]string{"email": "second@example.com", "name": "Second", "password": ownerPassword}, nil)
	if again.StatusCode != 409 || again.errorCode(t) != "conflict" {
		t.Fatalf("second setup: %d %s, want 409", again.StatusCode, again.body)
	}
	if n, _ := h.store.CountUsers(context.Background()); n != 1 {
		t.Fatalf("users = %d, want 1", n)
	}
	if a := h.audit(app.ActionSetup); len(a) != 1 || a[0].TargetID != user["id"] || a[0].Result != app.AuditSuccess {
		t.Fatalf("setup audit = %+v", a)
	}
	events, _ := h.store.OutboxEvents(context.Background(), 0, 10)
	if len(events) != 1 || events[0].Type != "user.created" || events[0].ResourceID != user["id"] {
		t.Fatalf("outbox = %+v, want one user.created", events)
	}
}

func TestSecureCookieBehindTLS(t *testing.T) {
	h := newHarness(t, options{publicURL: "https://nexus.example.com"})
	r := h.setup()
	if c := r.cookie("nexus_refresh"); c == nil || !c.Secure {
		t.Fatalf("refresh cookie over https = %+v, want Secure", c)
	}
}

func TestLogin(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	tests := []struct {
		name       string
		email      string
		password   string
		wantStatus int
		wantCode   string
	}{
		{"right password", ownerEmail, ownerPassword, 200, ""},
		{"email is case-insensitive", "  OWNER@Example.com ", ownerPassword, 200, ""},
		{"wrong password", ownerEmail, "wrong password", 401, "unauthorized"},
		{"unknown account", "nobody@example.com", ownerPassword, 401, "unauthorized"},
		{"empty password", ownerEmail, "", 400, "invalid"},
		{"malformed email", "owner", ownerPassword, 400, "invalid"},
		{"absurdly long password", ownerEmail, strings.Repeat("p", 5000), 401, "unauthorized"},
	}
	var messages []string
	for _, tt := range tests {
		r := h.login(tt.email, tt.password, nil)
		if r.StatusCode != tt.wantStatus {
			t.Fatalf("%s: %d %s, want %d", tt.name, r.StatusCode, r.body, tt.wantStatus)
		}
		if tt.wantCode != "" && r.errorCode(t) != tt.wantCode {
			t.Fatalf("%s: code %q, want %q", tt.name, r.errorCode(t), tt.wantCode)
		}
		if r.StatusCode == 200 {
			if r.json(t)["user"].(map[string]any)["email"] != ownerEmail || r.cookie("nexus_refresh") == nil {
				t.Fatalf("%s: %s", tt.name, r.body)
			}
		}
		if r.StatusCode == 401 {
			messages = append(messages, r.json(t)["error"].(map[string]any)["message"].(string))
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
			}
		}
	}
	// No account enumeration: a wrong password and an unknown account read the same.
	if len(messages) != 3 || messages[0] != messages[1] || messages[1] != messages[2] || messages[0] != "Incorrect email or password." {
		t.Fatalf("401 messages = %q, want one identical generic message", messages)
	}
	if a := h.audit(app.ActionLogin); len(a) != 2 {
		t.Fatalf("login audit rows = %d, want 2", len(a))
	}
	failed := h.audit(app.ActionLoginFailed)
	if len(failed) != 3 {
		t.Fatalf("failed-login audit rows = %d, want 3", len(failed))
	}
	for _, f := range failed {
		if f.Result != app.AuditFailure || f.IP == "" {
			t.Errorf("failed login audit = %+v", f)
		}
	}
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	login := h.login(ownerEmail, ownerPassword, nil)
	r1 := refreshToken(t, login)

	first := h.refresh(r1)
	if first.StatusCode != 200 {
		t.Fatalf("refresh: %d %s", first.StatusCode, first.body)
	}
	r2 := refreshToken(t, first)
	if r2 == r1 {
		t.Fatal("refresh did not rotate the token")
	}
	second := h.refresh(r2)
	if second.StatusCode != 200 {
		t.Fatalf("second refresh: %d %s", second.StatusCode, second.body)
	}
	r3, access3 := refreshToken(t, second), accessToken(t, second)
	if r := h.me(access3); r.StatusCode != 200 {
		t.Fatalf("fresh access token refused: %d", r.StatusCode)
	}

	// r1 was already used: someone copied it. The whole family dies.
	reuse := h.refresh(r1)
	if reuse.StatusCode != 401 {
		t.Fatalf("reused token: %d %s, want 401", reuse.StatusCode, reuse.body)
	}
	if c := reuse.cookie("nexus_refresh"); c == nil || c.Value != "" {
		t.Fatalf("a refused refresh must clear the cookie, got %+v", c)
	}
	if r := h.refresh(r3); r.StatusCode != 401 {
		t.Fatalf("newest token of a revoked family: %d, want 401", r.StatusCode)
	}
	if r := h.me(access3); r.StatusCode != 401 {
		t.Fatalf("access token of a revoked session: %d, want 401", r.StatusCode)
	}
	if a := h.audit(app.ActionRefreshReuse); len(a) != 1 || a[0].TargetType != "session" {
		t.Fatalf("reuse audit = %+v", a)
	}

	// Other sessions of the same user are not affected.
	other := h.login(ownerEmail, ownerPassword, nil)
	if r := h.refresh(refreshToken(t, other)); r.StatusCode != 200 {
		t.Fatalf("an unrelated session was revoked too: %d", r.StatusCode)
	}
}

func TestRefreshRefusals(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	if r := h.refresh(""); r.StatusCode != 401 || r.errorCode(t) != "unauthorized" {
		t.Fatalf("no cookie: %d %s", r.StatusCode, r.body)
	}
	if r := h.refresh("made-up-token"); r.StatusCode != 401 {
		t.Fatalf("unknown token: %d", r.StatusCode)
	}
	// Idle timeout: a week without use ends the session.
	tok := refreshToken(t, h.login(ownerEmail, ownerPassword, nil))
	h.clock.advance(7*24*time.Hour + time.Minute)
	if r := h.refresh(tok); r.StatusCode != 401 {
		t.Fatalf("idle session: %d, want 401", r.StatusCode)
	}
}

func TestRefreshAbsoluteLifetime(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	tok := refreshToken(t, h.login(ownerEmail, ownerPassword, nil))
	// Used every 6 days, the session stays alive until its 30-day lifetime.
	for i := 0; i < 4; i++ {
		h.clock.advance(6 * 24 * time.Hour)
		r := h.refresh(tok)
		if r.StatusCode != 200 {
			t.Fatalf("day %d: %d", (i+1)*6, r.StatusCode)
		}
		tok = refreshToken(t, r)
	}
	h.clock.advance(6*24*time.Hour + time.Minute)
	if r := h.refresh(tok); r.StatusCode != 401 {
		t.Fatalf("after 30 days: %d, want 401", r.StatusCode)
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	login := h.login(ownerEmail, ownerPassword, nil)
	tok, access := refreshToken(t, login), accessToken(t, login)

	r := h.request("POST", "/api/v1/auth/logout", nil, header{"Cookie": "nexus_refresh=" + tok})
	if r.StatusCode != 204 {
		t.Fatalf("logout: %d %s", r.StatusCode, r.body)
	}
	if c := r.cookie("nexus_refresh"); c == nil || c.Value != "" || !c.Expires.Before(time.Now()) {
		t.Fatalf("logout must clear the cookie, got %+v", c)
	}
	if r := h.refresh(tok); r.StatusCode != 401 {
		t.Fatalf("refresh after logout: %d", r.StatusCode)
	}
	if r := h.me(access); r.StatusCode != 401 {
		t.Fatalf("access token after logout: %d", r.StatusCode)
	}
	if a := h.audit(app.ActionLogout); len(a) != 1 {
		t.Fatalf("logout audit rows = %d", len(a))
	}
	// Signing out again, or with nothing, is harmless.
	for _, hdr := range []header{{"Cookie": "nexus_refresh=" + tok}, nil} {
		if r := h.request("POST", "/api/v1/auth/logout", nil, hdr); r.StatusCode != 204 {
			t.Fatalf("repeat logout: %d", r.StatusCode)
		}
	}
	if a := h.audit(app.ActionLogout); len(a) != 1 {
		t.Fatalf("a repeated logout was audited again: %d rows", len(a))
	}

	// Without the cookie, the bearer token's session is ended.
	login = h.login(ownerEmail, ownerPassword, nil)
	access = accessToken(t, login)
	if r := h.request("POST", "/api/v1/auth/logout", nil, header{"Authorization": "Bearer " + access}); r.StatusCode != 204 {
		t.Fatalf("bearer logout: %d", r.StatusCode)
	}
	if r := h.me(access); r.StatusCode != 401 {
		t.Fatalf("access token after bearer logout: %d", r.StatusCode)
	}
}

func TestMeRejectsBadTokens(t *testing.T) {
	h := newHarness(t, options{})
	setup := h.setup()
	access := accessToken(t, setup)
	userID := setup.json(t)["user"].(map[string]any)["id"].(string)

	parsed, _, err := jwt.NewParser().ParseUnverified(access, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	claims := parsed.Claims.(jwt.MapClaims)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(strings.Repeat("x", 32)))
	// The raw signing key is never used directly (keys are derived per use),
	// so even a token signed with it must fail.
	rawKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(h.signKey)
	otherUser := jwt.MapClaims{}
	for k, v := range claims {
		otherUser[k] = v
	}
	otherUser["sub"] = "someone-else"

	tests := []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"not bearer", "Basic " + access},
		{"garbage", "Bearer garbage"},
		{"alg none", "Bearer " + none},
		{"forged signature", "Bearer " + forged},
		{"signed with the raw key", "Bearer " + rawKey},
	}
	for _, tt := range tests {
		r := h.request("GET", "/api/v1/me", nil, header{"Authorization": tt.header})
		if r.StatusCode != 401 || r.errorCode(t) != "unauthorized" {
			t.Errorf("%s: %d %s, want 401", tt.name, r.StatusCode, r.body)
		}
	}
	r := h.me(access)
	if r.StatusCode != 200 || r.json(t)["id"] != userID {
		t.Fatalf("valid token: %d %s", r.StatusCode, r.body)
	}
	if strings.Contains(string(r.body), "password") || strings.Contains(string(r.body), "argon2") {
		t.Fatalf("/me leaks the password hash: %s", r.body)
	}
	h.clock.advance(16 * time.Minute)
	r = h.me(access)
	if r.StatusCode != 401 {
		t.Fatalf("expired token: %d", r.StatusCode)
	}
	details := r.json(t)["error"].(map[string]any)["details"].(map[string]any)
	if details["reason"] != "token_expired" {
		t.Fatalf("expired token reason = %v", details)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	h := newHarness(t, options{ipPerMinute: 3})
	h.setup()
	from := func(ip string) header { return header{"X-Forwarded-For": ip} }
	for i := 0; i < 3; i++ {
		if r := h.login(ownerEmail, "wrong password", from("203.0.113.7")); r.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i+1, r.StatusCode)
		}
	}
	r := h.login(ownerEmail, ownerPassword, from("203.0.113.7"))
	if r.StatusCode != 429 || r.errorCode(t) != "rate_limited" {
		t.Fatalf("4th attempt from one IP: %d %s, want 429", r.StatusCode, r.body)
	}
	if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("429 without a useful Retry-After: %q", ra)
	}
	// The real user elsewhere is unaffected.
	if r := h.login(ownerEmail, ownerPassword, from("198.51.100.20")); r.StatusCode != 200 {
		t.Fatalf("login from another IP: %d %s", r.StatusCode, r.body)
	}
	h.clock.advance(21 * time.Second)
	if r := h.login(ownerEmail, ownerPassword, from("203.0.113.7")); r.StatusCode != 200 {
		t.Fatalf("after the bucket refilled: %d %s", r.StatusCode, r.body)
	}
}

func TestStrangerCannotLockOutTheOwner(t *testing.T) {
	h := newHarness(t, options{freeFailures: 3})
	setup := h.setup()
	device := setup.cookie("nexus_device")
	if device == nil || !device.HttpOnly {
		t.Fatalf("setup must mark the owner's browser as a known device: %+v", device)
	}

	// A stranger guesses from many addresses.
	for i := 0; i < 4; i++ {
		h.login(ownerEmail, "guess"+string(rune('a'+i)), header{"X-Forwarded-For": "192.0.2." + string(rune('1'+i))})
	}
	r := h.login(ownerEmail, ownerPassword, header{"X-Forwarded-For": "192.0.2.99"})
	if r.StatusCode != 429 {
		t.Fatalf("account under attack, unknown device: %d, want 429", r.StatusCode)
	}
	// The owner's own browser still gets in.
	r = h.login(ownerEmail, ownerPassword, header{"X-Forwarded-For": "198.51.100.20", "Cookie": "nexus_device=" + device.Value})
	if r.StatusCode != 200 {
		t.Fatalf("owner on a known device: %d %s, want 200", r.StatusCode, r.body)
	}
	if a := h.audit(app.ActionLoginFailed); len(a) != 4 {
		t.Fatalf("failed attempts audited = %d, want 4", len(a))
	}
	h.login(ownerEmail, ownerPassword, header{"X-Forwarded-For": "192.0.2.98"})
	if a := h.audit(app.ActionLoginThrottled); len(a) != 1 || a[0].Result != app.AuditFailure {
		t.Fatalf("throttled attempts audited = %+v, want one row for the whole lock", a)
	}
	// And the delay ends by itself.
	h.clock.advance(2 * time.Second)
	if r := h.login(ownerEmail, ownerPassword, header{"X-Forwarded-For": "192.0.2.99"}); r.StatusCode != 200 {
		t.Fatalf("after the delay: %d %s", r.StatusCode, r.body)
	}
}
