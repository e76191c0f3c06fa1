package api_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/auth"
	"nexus/app/mfa"
	"nexus/app/settings"
	"nexus/app/sso"
	"nexus/store"
)

// mfaStore and ssoStore adapt the real store to the MFA and SSO use-cases,
// as main.go does.
type mfaStore struct{ *store.Store }

func (m mfaStore) Update(ctx context.Context, fn func(mfa.Tx) error) error {
	return m.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type ssoStore struct{ *store.Store }

func (s ssoStore) Update(ctx context.Context, fn func(sso.Tx) error) error {
	return s.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// fakeSecurity stands in for the security settings when the access module
// does not provide them in the harness.
type fakeSecurity struct {
	mu  sync.Mutex
	sec settings.Security
}

func (f *fakeSecurity) Security(context.Context) (settings.Security, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sec, nil
}

var fakeSecurities sync.Map // *store.Store → *fakeSecurity

// securityPolicy is the settings reader the MFA and SSO services use: the
// real settings service when the harness has one, else a fake that
// setSecurity changes.
func securityPolicy(st *store.Store, deps api.Deps) settings.Reader {
	if deps.Settings != nil {
		if r, ok := any(deps.Settings).(settings.Reader); ok {
			return r
		}
	}
	f := &fakeSecurity{sec: settings.Security{Registration: "invite", PasswordLogin: true, Version: 1}}
	fakeSecurities.Store(st, f)
	return f
}

// nextSSOConfig is the SSO configuration of the next harness built (see
// newSSOHarness).
var nextSSOConfig atomic.Pointer[sso.Config]

func ssoConfigFor(*store.Store) sso.Config {
	if c := nextSSOConfig.Load(); c != nil {
		return *c
	}
	return sso.Config{AutoCreate: true, LinkByEmail: true, DefaultRole: app.RoleMember}
}

var ssoHarnessMu sync.Mutex

func newSSOHarness(t *testing.T, cfg sso.Config, o options) *harness {
	t.Helper()
	ssoHarnessMu.Lock()
	defer ssoHarnessMu.Unlock()
	nextSSOConfig.Store(&cfg)
	defer nextSSOConfig.Store(nil)
	return newHarness(t, o)
}

// setSecurity changes the security settings: on the fake directly, or as
// the owner through the settings API.
func (h *harness) setSecurityPolicy(ownerAccess string, mfaRequired, passwordLogin bool) {
	h.t.Helper()
	if f, ok := fakeSecurities.Load(h.store); ok {
		fs := f.(*fakeSecurity)
		fs.mu.Lock()
		fs.sec.MFARequired, fs.sec.PasswordLogin = mfaRequired, passwordLogin
		fs.sec.Version++
		fs.mu.Unlock()
		return
	}
	auth := header{"Authorization": "Bearer " + ownerAccess}
	cur := h.request("GET", "/api/v1/settings/security", nil, auth)
	if cur.StatusCode != 200 {
		h.t.Fatalf("GET settings: %d %s", cur.StatusCode, cur.body)
	}
	r := h.request("PATCH", "/api/v1/settings/security", map[string]any{"mfa_required": mfaRequired,
		"password_login": passwordLogin, "version": cur.json(h.t)["version"]}, auth)
	if r.StatusCode != 200 {
		h.t.Fatalf("PATCH settings: %d %s", r.StatusCode, r.body)
	}
}

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpCode is the authenticator app's code at the harness clock's time.
func (h *harness) totpCode(secret string) string {
	h.t.Helper()
	code, err := totp.GenerateCodeCustom(secret, h.clock.now(), totpOpts)
	if err != nil {
		h.t.Fatal(err)
	}
	return code
}

// nextStep moves the clock into the next 30-second TOTP step, so the app
// shows a new code.
func (h *harness) nextTOTPStep() { h.clock.advance(30 * time.Second) }

func withBearer(access string) header { return header{"Authorization": "Bearer " + access} }

// createMember adds a member through the store and signs them in.
func (h *harness) createMFAUser(email, password string, role app.Role) (userID, access string) {
	h.t.Helper()
	hash, err := mfaTestHasher.Hash(context.Background(), password)
	if err != nil {
		h.t.Fatal(err)
	}
	err = h.store.Update(context.Background(), func(tx *store.Tx) error {
		now := tx.Now()
		u := &app.User{ID: app.NewID(), Email: email, Name: "Member " + email, Role: role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		userID = u.ID
		return tx.CreateUser(context.Background(), u)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	r := h.login(email, password, nil)
	if r.StatusCode != 200 {
		h.t.Fatalf("login %s: %d %s", email, r.StatusCode, r.body)
	}
	return userID, accessToken(h.t, r)
}

// enrolTOTP runs enrolment for a signed-in user and returns the secret and
// the recovery codes.
func (h *harness) enrolTOTP(access string) (secret string, recovery []string) {
	h.t.Helper()
	r := h.request("POST", "/api/v1/me/mfa/totp", nil, withBearer(access))
	if r.StatusCode != 200 {
		h.t.Fatalf("begin totp: %d %s", r.StatusCode, r.body)
	}
	secret, _ = r.json(h.t)["secret"].(string)
	c := h.request("POST", "/api/v1/me/mfa/totp/confirm", map[string]string{"code": h.totpCode(secret)}, withBearer(access))
	if c.StatusCode != 200 {
		h.t.Fatalf("confirm totp: %d %s", c.StatusCode, c.body)
	}
	for _, v := range c.json(h.t)["recovery_codes"].([]any) {
		recovery = append(recovery, v.(string))
	}
	h.nextTOTPStep()
	return secret, recovery
}

// mfaLogin is the second sign-in step.
func (h *harness) mfaLogin(token string, body map[string]string, hdr header) response {
	h.t.Helper()
	b := map[string]string{"mfa_token": token}
	for k, v := range body {
		b[k] = v
	}
	return h.request("POST", "/api/v1/auth/mfa", b, hdr)
}

// mfaToken signs in with a password and expects the MFA challenge.
func (h *harness) mfaToken(email, password string) string {
	h.t.Helper()
	r := h.login(email, password, nil)
	body := r.json(h.t)
	tok, _ := body["mfa_token"].(string)
	if r.StatusCode != 200 || body["mfa_required"] != true || tok == "" || body["access_token"] != nil || r.cookie("nexus_refresh") != nil {
		h.t.Fatalf("login with MFA: %d %s; want mfa_required and no session", r.StatusCode, r.body)
	}
	return tok
}

func errReason(t *testing.T, r response) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	reason, _ := d["reason"].(string)
	return reason
}

func joinCookies(cookies ...*http.Cookie) string {
	var parts []string
	for _, c := range cookies {
		if c != nil {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

var mfaTestHasher = auth.NewHasher(2)

// sqlExec changes the database behind the services' backs, on a
// connection of its own, for states no API of this module makes.
func (h *harness) sqlExec(query string, args ...any) {
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
