package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/sso"
)

func TestTOTPEnrolment(t *testing.T) {
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	auth := withBearer(access)

	if r := h.request("GET", "/api/v1/me/mfa", nil, auth); r.StatusCode != 200 || r.json(t)["enabled"] != false {
		t.Fatalf("GET /me/mfa before enrolment: %d %s", r.StatusCode, r.body)
	}
	begin := h.request("POST", "/api/v1/me/mfa/totp", nil, auth)
	if begin.StatusCode != 200 {
		t.Fatalf("begin: %d %s", begin.StatusCode, begin.body)
	}
	body := begin.json(t)
	secret, _ := body["secret"].(string)
	uri, err := url.Parse(body["otpauth_uri"].(string))
	if err != nil || uri.Scheme != "otpauth" || uri.Host != "totp" || uri.Query().Get("issuer") != "Nexus" ||
		uri.Query().Get("secret") != secret || !strings.HasSuffix(uri.Path, "Nexus:"+ownerEmail) {
		t.Fatalf("otpauth uri = %v (%v)", body["otpauth_uri"], err)
	}
	qr, _ := body["qr_png"].(string)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(qr, "data:image/png;base64,"))
	if !strings.HasPrefix(qr, "data:image/png;base64,") || err != nil {
		t.Fatalf("qr_png = %.60q…", qr)
	}
	if img, err := png.Decode(bytes.NewReader(raw)); err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("qr png does not decode: %v", err)
	}

	// Pending: sign-in does not ask for a code yet, and /me says MFA is off.
	if r := h.request("GET", "/api/v1/me/mfa", nil, auth); r.json(t)["enabled"] != false || r.json(t)["pending"] != true {
		t.Fatalf("pending enrolment: %s", r.body)
	}
	if r := h.login(ownerEmail, ownerPassword, nil); r.StatusCode != 200 || r.json(t)["access_token"] == nil {
		t.Fatalf("login during pending enrolment: %d %s", r.StatusCode, r.body)
	}

	// The secret is sealed at rest.
	stored, err := h.store.FindTOTP(context.Background(), mfaUserID(t, h, access))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.Secret, []byte(secret)) || len(stored.Secret) < 28 {
		t.Fatalf("stored secret is not encrypted: %q", stored.Secret)
	}

	wrong := h.request("POST", "/api/v1/me/mfa/totp/confirm", map[string]string{"code": "000000"}, auth)
	if wrong.StatusCode != 400 || errReason(t, wrong) != "mfa_code_invalid" {
		t.Fatalf("confirm with a wrong code: %d %s", wrong.StatusCode, wrong.body)
	}
	confirm := h.request("POST", "/api/v1/me/mfa/totp/confirm", map[string]string{"code": h.totpCode(secret)}, auth)
	if confirm.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", confirm.StatusCode, confirm.body)
	}
	codes := confirm.json(t)["recovery_codes"].([]any)
	seen := map[string]bool{}
	for _, c := range codes {
		seen[c.(string)] = true
	}
	if len(codes) != 10 || len(seen) != 10 {
		t.Fatalf("recovery codes = %v, want 10 distinct", codes)
	}
	if r := h.me(access); r.json(t)["mfa_enabled"] != true {
		t.Fatalf("/me after enrolment: %s", r.body)
	}
	if r := h.request("GET", "/api/v1/me/mfa", nil, auth); r.json(t)["enabled"] != true || r.json(t)["recovery_codes_left"] != float64(10) {
		t.Fatalf("GET /me/mfa after enrolment: %s", r.body)
	}
	if a := h.audit(app.ActionMFAEnrolled); len(a) != 1 || a[0].Result != app.AuditSuccess {
		t.Fatalf("mfa.enrolled audit = %+v", a)
	}
	if r := h.request("POST", "/api/v1/me/mfa/totp", nil, auth); r.StatusCode != 409 {
		t.Fatalf("second enrolment while on: %d %s, want 409", r.StatusCode, r.body)
	}
	if r := h.request("POST", "/api/v1/me/mfa/totp/confirm", map[string]string{"code": h.totpCode(secret)}, auth); r.StatusCode != 409 {
		t.Fatalf("confirm again: %d %s, want 409", r.StatusCode, r.body)
	}

	// The code that confirmed enrolment cannot also sign in.
	tok := h.mfaToken(ownerEmail, ownerPassword)
	if r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil); r.StatusCode != 401 || errReason(t, r) != "mfa_code_used" {
		t.Fatalf("confirmation code reused for sign-in: %d %s, want 401 mfa_code_used", r.StatusCode, r.body)
	}
}

func TestSignInWithTOTP(t *testing.T) {
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	secret, _ := h.enrolTOTP(access)

	// Unknown or wrong passwords never reach the MFA step.
	if r := h.login(ownerEmail, "wrong password!", nil); r.StatusCode != 401 || r.json(t)["mfa_token"] != nil {
		t.Fatalf("wrong password with MFA on: %d %s", r.StatusCode, r.body)
	}
	login := h.login(ownerEmail, ownerPassword, nil)
	body := login.json(t)
	if login.StatusCode != 200 || body["mfa_required"] != true || body["access_token"] != nil || login.cookie("nexus_refresh") != nil {
		t.Fatalf("password step: %d %s", login.StatusCode, login.body)
	}
	if m := body["methods"].([]any); len(m) != 2 || m[0] != "totp" || m[1] != "recovery_code" {
		t.Fatalf("methods = %v", m)
	}
	if a := h.audit(app.ActionLogin); len(a) != 0 {
		t.Fatalf("the password step alone must not sign in: %d auth.login rows", len(a))
	}
	tok := body["mfa_token"].(string)

	wrong := h.mfaLogin(tok, map[string]string{"code": "123456"}, nil)
	if wrong.StatusCode != 401 || errReason(t, wrong) != "mfa_code_invalid" || wrong.cookie("nexus_refresh") != nil {
		t.Fatalf("wrong code: %d %s", wrong.StatusCode, wrong.body)
	}
	if a := h.audit(app.ActionMFAFailed); len(a) != 1 || a[0].Details["reason"] != "wrong_code" || a[0].Result != app.AuditFailure {
		t.Fatalf("auth.mfa_failed audit = %+v", a)
	}
	if r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret), "recovery_code": "x"}, nil); r.StatusCode != 400 {
		t.Fatalf("both code and recovery code: %d %s", r.StatusCode, r.body)
	}

	code := h.totpCode(secret)
	ok := h.mfaLogin(tok, map[string]string{"code": code}, nil)
	if ok.StatusCode != 200 {
		t.Fatalf("right code: %d %s", ok.StatusCode, ok.body)
	}
	if r := h.me(accessToken(t, ok)); r.StatusCode != 200 || r.json(t)["email"] != ownerEmail {
		t.Fatalf("/me after MFA sign-in: %d %s", r.StatusCode, r.body)
	}
	if refreshToken(t, ok) == "" || ok.cookie("nexus_device") == nil {
		t.Fatalf("MFA sign-in must set the refresh and device cookies: %v", ok.Cookies())
	}
	logins := h.audit(app.ActionLogin)
	if len(logins) != 1 || logins[0].Details["method"] != "password+totp" {
		t.Fatalf("auth.login audit = %+v", logins)
	}

	// The same code again, with a fresh token, is refused: each code works once.
	tok2 := h.mfaToken(ownerEmail, ownerPassword)
	if r := h.mfaLogin(tok2, map[string]string{"code": code}, nil); r.StatusCode != 401 || errReason(t, r) != "mfa_code_used" {
		t.Fatalf("reused TOTP code: %d %s, want 401 mfa_code_used", r.StatusCode, r.body)
	}
	// So is the previous step's code (inside the skew window, but older).
	h.nextTOTPStep()
	if r := h.mfaLogin(tok2, map[string]string{"code": code}, nil); r.StatusCode != 401 {
		t.Fatalf("older code: %d %s", r.StatusCode, r.body)
	}
	// The next code works, from a known device too (its cookie is kept).
	device := ok.cookie("nexus_device")
	tok3 := h.mfaToken(ownerEmail, ownerPassword)
	r := h.mfaLogin(tok3, map[string]string{"code": " " + h.totpCode(secret)[:3] + " " + h.totpCode(secret)[3:]}, header{"Cookie": joinCookies(device)})
	if r.StatusCode != 200 {
		t.Fatalf("next code (typed with spaces): %d %s", r.StatusCode, r.body)
	}
	if c := r.cookie("nexus_device"); c == nil || c.Value != device.Value {
		t.Fatalf("a known device keeps its cookie: %v", r.Cookies())
	}
}

func TestMFATokenRejections(t *testing.T) {
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	secret, _ := h.enrolTOTP(access)

	tok := h.mfaToken(ownerEmail, ownerPassword)
	h.clock.advance(5*time.Minute + 10*time.Second)
	if r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil); r.StatusCode != 401 || errReason(t, r) != "mfa_token_expired" {
		t.Fatalf("expired mfa_token: %d %s", r.StatusCode, r.body)
	}
	for name, bad := range map[string]string{
		"empty":        "",
		"garbage":      "not-a-token",
		"access token": access,
		"tampered":     tok[:len(tok)-4] + "AAAA",
	} {
		if r := h.mfaLogin(bad, map[string]string{"code": h.totpCode(secret)}, nil); r.StatusCode != 401 || errReason(t, r) != "mfa_token_invalid" {
			t.Errorf("%s mfa_token: %d %s, want 401 mfa_token_invalid", name, r.StatusCode, r.body)
		}
	}
	// An MFA token is no access token either.
	fresh := h.mfaToken(ownerEmail, ownerPassword)
	if r := h.me(fresh); r.StatusCode != 401 {
		t.Fatalf("mfa_token used as bearer: %d", r.StatusCode)
	}
	if r := h.mfaLogin(fresh, map[string]string{}, nil); r.StatusCode != 400 {
		t.Fatalf("no code: %d %s", r.StatusCode, r.body)
	}
}

func TestMFARateLimited(t *testing.T) {
	h := newHarness(t, options{freeFailures: 3})
	access := accessToken(t, h.setup())
	secret, _ := h.enrolTOTP(access)
	tok := h.mfaToken(ownerEmail, ownerPassword)

	var last response
	for i := 0; i < 4; i++ {
		last = h.mfaLogin(tok, map[string]string{"code": "999999"}, nil)
		if last.StatusCode != 401 {
			t.Fatalf("wrong code %d: %d %s", i+1, last.StatusCode, last.body)
		}
	}
	// The fourth failure started a delay: even the right code waits.
	r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil)
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after repeated wrong codes: %d %s (Retry-After %q), want 429", r.StatusCode, r.body, r.Header.Get("Retry-After"))
	}
	if a := h.audit(app.ActionLoginThrottled); len(a) != 1 || a[0].Details["step"] != "mfa" {
		t.Fatalf("throttle audit = %+v", a)
	}
	// The delay is temporary.
	h.clock.advance(2 * time.Second)
	if r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil); r.StatusCode != 200 {
		t.Fatalf("after the delay: %d %s", r.StatusCode, r.body)
	}
}

func TestSignInWithRecoveryCode(t *testing.T) {
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	_, codes := h.enrolTOTP(access)

	tok := h.mfaToken(ownerEmail, ownerPassword)
	r := h.mfaLogin(tok, map[string]string{"recovery_code": strings.ToUpper(codes[3])}, nil)
	if r.StatusCode != 200 {
		t.Fatalf("recovery code: %d %s", r.StatusCode, r.body)
	}
	logins := h.audit(app.ActionLogin)
	if logins[len(logins)-1].Details["method"] != "password+recovery_code" {
		t.Fatalf("audit method = %v", logins[len(logins)-1].Details)
	}
	fresh := accessToken(t, r)
	if s := h.request("GET", "/api/v1/me/mfa", nil, withBearer(fresh)); s.json(t)["recovery_codes_left"] != float64(9) {
		t.Fatalf("codes left: %s", s.body)
	}
	tok = h.mfaToken(ownerEmail, ownerPassword)
	if r := h.mfaLogin(tok, map[string]string{"recovery_code": codes[3]}, nil); r.StatusCode != 401 || errReason(t, r) != "mfa_code_invalid" {
		t.Fatalf("recovery code used twice: %d %s, want 401", r.StatusCode, r.body)
	}

	// Regenerating needs the password and replaces every old code.
	if r := h.request("POST", "/api/v1/me/mfa/recovery-codes", map[string]string{"password": "not my password"}, withBearer(fresh)); r.StatusCode != 400 {
		t.Fatalf("regenerate with a wrong password: %d %s", r.StatusCode, r.body)
	}
	if r := h.request("POST", "/api/v1/me/mfa/recovery-codes", map[string]string{}, withBearer(fresh)); r.StatusCode != 400 {
		t.Fatalf("regenerate without a password: %d %s", r.StatusCode, r.body)
	}
	regen := h.request("POST", "/api/v1/me/mfa/recovery-codes", map[string]string{"password": ownerPassword}, withBearer(fresh))
	if regen.StatusCode != 200 || len(regen.json(t)["recovery_codes"].([]any)) != 10 {
		t.Fatalf("regenerate: %d %s", regen.StatusCode, regen.body)
	}
	if a := h.audit(app.ActionMFARecoveryCodesRegenerated); len(a) != 1 {
		t.Fatalf("regenerate audit = %+v", a)
	}
	tok = h.mfaToken(ownerEmail, ownerPassword)
	if r := h.mfaLogin(tok, map[string]string{"recovery_code": codes[5]}, nil); r.StatusCode != 401 {
		t.Fatalf("old recovery code after regeneration: %d %s", r.StatusCode, r.body)
	}
	newCode := regen.json(t)["recovery_codes"].([]any)[0].(string)
	if r := h.mfaLogin(tok, map[string]string{"recovery_code": newCode}, nil); r.StatusCode != 200 {
		t.Fatalf("new recovery code: %d %s", r.StatusCode, r.body)
	}
}

func TestDisableMFA(t *testing.T) {
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	secret, _ := h.enrolTOTP(access)
	auth := withBearer(access)

	if r := h.request("DELETE", "/api/v1/me/mfa", map[string]string{}, auth); r.StatusCode != 400 {
		t.Fatalf("disable without password: %d %s", r.StatusCode, r.body)
	}
	if r := h.request("DELETE", "/api/v1/me/mfa", map[string]string{"password": "guess guess guess"}, auth); r.StatusCode != 400 {
		t.Fatalf("disable with a wrong password: %d %s", r.StatusCode, r.body)
	}
	if r := h.request("DELETE", "/api/v1/me/mfa", map[string]string{"password": ownerPassword, "code": "000000"}, auth); r.StatusCode != 400 {
		t.Fatalf("disable with a wrong code: %d %s", r.StatusCode, r.body)
	}
	if r := h.me(access); r.json(t)["mfa_enabled"] != true {
		t.Fatal("failed attempts turned MFA off")
	}
	if r := h.request("DELETE", "/api/v1/me/mfa", map[string]string{"password": ownerPassword, "code": h.totpCode(secret)}, auth); r.StatusCode != 204 {
		t.Fatalf("disable: %d %s", r.StatusCode, r.body)
	}
	if a := h.audit(app.ActionMFADisabled); len(a) != 1 || a[0].Result != app.AuditSuccess {
		t.Fatalf("mfa.disabled audit = %+v", a)
	}
	if r := h.me(access); r.json(t)["mfa_enabled"] != false {
		t.Fatalf("/me after disable: %s", r.body)
	}
	if r := h.login(ownerEmail, ownerPassword, nil); r.StatusCode != 200 || r.json(t)["access_token"] == nil {
		t.Fatalf("sign-in after disabling MFA: %d %s", r.StatusCode, r.body)
	}
	if r := h.request("DELETE", "/api/v1/me/mfa", map[string]string{"password": ownerPassword}, auth); r.StatusCode != 409 {
		t.Fatalf("disable twice: %d %s", r.StatusCode, r.body)
	}
}

func TestAdminResetsMFA(t *testing.T) {
	h := newHarness(t, options{})
	ownerAccess := accessToken(t, h.setup())
	ownerID := mfaUserID(t, h, ownerAccess)
	h.enrolTOTP(ownerAccess)
	adminID, adminAccess := h.createMFAUser("admin@example.com", "admin password 1", app.RoleAdmin)
	memberID, memberAccess := h.createMFAUser("member@example.com", "member password 1", app.RoleMember)
	h.enrolTOTP(memberAccess)

	if r := h.request("DELETE", "/api/v1/users/"+adminID+"/mfa", nil, withBearer(memberAccess)); r.StatusCode != 403 {
		t.Fatalf("member resets someone's MFA: %d %s", r.StatusCode, r.body)
	}
	if r := h.request("DELETE", "/api/v1/users/"+ownerID+"/mfa", nil, withBearer(adminAccess)); r.StatusCode != 403 {
		t.Fatalf("admin resets the owner's MFA: %d %s, want 403", r.StatusCode, r.body)
	}
	if r := h.request("DELETE", "/api/v1/users/"+app.NewID()+"/mfa", nil, withBearer(adminAccess)); r.StatusCode != 404 {
		t.Fatalf("reset for an unknown user: %d %s", r.StatusCode, r.body)
	}
	h.mfaToken("member@example.com", "member password 1")
	if r := h.request("DELETE", "/api/v1/users/"+memberID+"/mfa", nil, withBearer(adminAccess)); r.StatusCode != 204 {
		t.Fatalf("admin resets a member's MFA: %d %s", r.StatusCode, r.body)
	}
	a := h.audit(app.ActionMFAReset)
	if len(a) != 1 || a[0].ActorID != adminID || a[0].TargetID != memberID || a[0].Details["was_enabled"] != true {
		t.Fatalf("mfa.reset audit = %+v", a)
	}
	if r := h.login("member@example.com", "member password 1", nil); r.StatusCode != 200 || r.json(t)["access_token"] == nil {
		t.Fatalf("member signs in after the reset: %d %s", r.StatusCode, r.body)
	}
	if s, _ := h.store.FindUserByID(context.Background(), memberID); s.MFAEnabled {
		t.Fatal("users.mfa_enabled still set after reset")
	}
	if r := h.request("DELETE", "/api/v1/users/"+ownerID+"/mfa", nil, withBearer(ownerAccess)); r.StatusCode != 204 {
		t.Fatalf("owner resets an owner's MFA: %d %s", r.StatusCode, r.body)
	}
}

func TestMFARequiredRestrictsUntilEnrolled(t *testing.T) {
	h := newHarness(t, options{})
	ownerAccess := accessToken(t, h.setup())
	h.enrolTOTP(ownerAccess)
	memberID, _ := h.createMFAUser("member@example.com", "member password 1", app.RoleMember)
	_, adminAccess := h.createMFAUser("admin@example.com", "admin password 1", app.RoleAdmin)
	_, memberSession := mfaLoginAs(t, h, "member@example.com", "member password 1")
	pat := h.request("POST", "/api/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"read"}}, withBearer(memberSession))
	if pat.StatusCode != 201 {
		t.Fatalf("create token: %d %s", pat.StatusCode, pat.body)
	}
	memberPAT := pat.json(t)["token"].(string)
	if r := h.me(memberPAT); r.StatusCode != 200 {
		t.Fatalf("token before the requirement: %d %s", r.StatusCode, r.body)
	}
	h.setSecurityPolicy(ownerAccess, true, true)

	// The admin's existing session is restricted from its next request.
	auth := withBearer(adminAccess)
	me := h.me(adminAccess)
	if me.StatusCode != 200 || me.json(t)["mfa_enrollment_required"] != true {
		t.Fatalf("GET /me while enrolment is required: %d %s", me.StatusCode, me.body)
	}
	r := h.request("DELETE", "/api/v1/users/"+memberID+"/mfa", nil, auth)
	if r.StatusCode != 403 || r.errorCode(t) != "forbidden" || errReason(t, r) != "mfa_enrollment_required" {
		t.Fatalf("admin action before enrolment: %d %s, want 403 mfa_enrollment_required", r.StatusCode, r.body)
	}
	if r := h.request("GET", "/api/v1/me/sessions", nil, auth); r.StatusCode != 403 || errReason(t, r) != "mfa_enrollment_required" {
		t.Fatalf("GET /me/sessions before enrolment: %d %s", r.StatusCode, r.body)
	}
	// The member's personal access token is refused outright until they
	// enrol, even for GET /me.
	if r := h.me(memberPAT); r.StatusCode != 403 || errReason(t, r) != "mfa_enrollment_required" {
		t.Fatalf("personal access token before enrolment: %d %s", r.StatusCode, r.body)
	}
	// A fresh sign-in works (no MFA yet) but is restricted the same way.
	login := h.login("admin@example.com", "admin password 1", nil)
	if login.StatusCode != 200 || login.json(t)["access_token"] == nil {
		t.Fatalf("sign-in without MFA while required: %d %s", login.StatusCode, login.body)
	}
	if r := h.request("GET", "/api/v1/me/mfa", nil, auth); r.StatusCode != 200 {
		t.Fatalf("GET /me/mfa is allowed: %d %s", r.StatusCode, r.body)
	}
	// Enrolment is allowed, and lifts the restriction on the next request.
	h.enrolTOTP(adminAccess)
	if me := h.me(adminAccess); me.json(t)["mfa_enrollment_required"] != false {
		t.Fatalf("/me after enrolment: %s", me.body)
	}
	if r := h.request("DELETE", "/api/v1/users/"+memberID+"/mfa", nil, auth); r.StatusCode != 204 {
		t.Fatalf("admin action after enrolment: %d %s", r.StatusCode, r.body)
	}
	// Sign-out is always possible.
	if r := h.request("POST", "/api/v1/auth/logout", nil, withBearer(accessToken(t, login))); r.StatusCode != 204 {
		t.Fatalf("logout while restricted: %d", r.StatusCode)
	}

	// Turning the requirement off lifts it for everyone else.
	h.setSecurityPolicy(ownerAccess, false, true)
	_, memberAccess := mfaLoginAs(t, h, "member@example.com", "member password 1")
	if me := h.me(memberAccess); me.json(t)["mfa_enrollment_required"] != false {
		t.Fatalf("/me with the requirement off: %s", me.body)
	}
}

func TestPasswordLoginOff(t *testing.T) {
	// Password sign-in can only be turned off while an SSO provider is
	// configured; this one is never contacted.
	h := newSSOHarness(t, sso.Config{Providers: []sso.Provider{{ID: "corp", Name: "Corp", Issuer: "http://127.0.0.1:9/oidc", ClientID: "nexus"}},
		AutoCreate: true, LinkByEmail: true, DefaultRole: app.RoleMember}, options{freeFailures: 20})
	ownerAccess := accessToken(t, h.setup())
	h.createMFAUser("member@example.com", "member password 1", app.RoleMember)
	h.setSecurityPolicy(ownerAccess, false, false)

	opts := h.request("GET", "/api/v1/auth/options", nil, nil)
	if opts.StatusCode != 200 || opts.json(t)["password_login"] != false {
		t.Fatalf("options: %d %s", opts.StatusCode, opts.body)
	}
	for _, pw := range []string{"member password 1", "wrong password 1"} {
		r := h.login("member@example.com", pw, nil)
		if r.StatusCode != 403 || errReason(t, r) != "password_login_disabled" {
			t.Fatalf("member password sign-in while off (%q): %d %s", pw, r.StatusCode, r.body)
		}
	}
	if r := h.login("nobody@example.com", "whatever pass", nil); r.StatusCode != 403 || errReason(t, r) != "password_login_disabled" {
		t.Fatalf("unknown account while off: %d %s", r.StatusCode, r.body)
	}
	// Owners keep a way in, so a broken identity provider cannot lock the
	// organisation out; a wrong owner password gets the same answer as
	// everyone.
	if r := h.login(ownerEmail, "wrong password 1", nil); r.StatusCode != 403 || errReason(t, r) != "password_login_disabled" {
		t.Fatalf("owner wrong password while off: %d %s", r.StatusCode, r.body)
	}
	if r := h.login(ownerEmail, ownerPassword, nil); r.StatusCode != 200 {
		t.Fatalf("owner password sign-in while off: %d %s", r.StatusCode, r.body)
	}
	failed := h.audit(app.ActionLoginFailed)
	if len(failed) == 0 || failed[0].Details["reason"] != "password_login_disabled" {
		t.Fatalf("login_failed audit = %+v", failed)
	}
	h.setSecurityPolicy(ownerAccess, false, true)
	if r := h.login("member@example.com", "member password 1", nil); r.StatusCode != 200 {
		t.Fatalf("member after turning password sign-in back on: %d %s", r.StatusCode, r.body)
	}
}

func TestMFAStepRefusesDisabledAccount(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	memberID, memberAccess := h.createMFAUser("member@example.com", "member password 1", app.RoleMember)
	secret, _ := h.enrolTOTP(memberAccess)
	tok := h.mfaToken("member@example.com", "member password 1")
	h.sqlExec(`UPDATE users SET status = 'disabled' WHERE id = ?`, memberID)
	if r := h.mfaLogin(tok, map[string]string{"code": h.totpCode(secret)}, nil); r.StatusCode != 403 || r.cookie("nexus_refresh") != nil {
		t.Fatalf("MFA step for a disabled account: %d %s", r.StatusCode, r.body)
	}
}

func mfaUserID(t *testing.T, h *harness, access string) string {
	t.Helper()
	id, _ := h.me(access).json(t)["id"].(string)
	if id == "" {
		t.Fatal("no user id from /me")
	}
	return id
}

func mfaLoginAs(t *testing.T, h *harness, email, password string) (response, string) {
	t.Helper()
	r := h.login(email, password, nil)
	if r.StatusCode != 200 {
		t.Fatalf("login %s: %d %s", email, r.StatusCode, r.body)
	}
	return r, accessToken(t, r)
}
