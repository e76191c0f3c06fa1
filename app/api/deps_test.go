package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"nexus/app/api"
	"nexus/app/auth"
	"nexus/app/identity"
	"nexus/app/mail"
	"nexus/app/mfa"
	"nexus/app/sso"
	"nexus/store"
)

// buildDeps wires the real services on the test store, as main.go does.
// Each area adds its services in its own section.
func buildDeps(t *testing.T, st *store.Store, clk *clock, key []byte, o options, log *slog.Logger) api.Deps {
	t.Helper()
	tokens, err := auth.NewTokens(key, 15*time.Minute, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	limiter := auth.NewLimiter(auth.LimiterConfig{IPPerMinute: o.ipPerMinute, FreeFailures: o.freeFailures,
		BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, clk.now)
	svc := auth.NewService(authStore{Store: st, onFind: o.onFind}, tokens, auth.NewHasher(2), limiter, auth.Config{
		AccessTokenTTL: 15 * time.Minute, RefreshIdleTimeout: 7 * 24 * time.Hour,
		RefreshAbsoluteLifetime: 30 * 24 * time.Hour, PasswordMinLength: 8,
	}, clk.now, log)
	deps := api.Deps{Auth: svc, Readiness: st, UI: testUI, Log: log, Registry: prometheus.NewRegistry()}

	// --- accounts: identity, mail ---
	deps.Mail = mail.NewService(st, mail.Config{}, clk.now, log)
	deps.Identity = identity.NewService(accountsStore{st}, svc, deps.Mail, laterSecurity{&deps}, identity.Config{
		InvitationTTL: 7 * 24 * time.Hour, PasswordResetTTL: 30 * time.Minute}, clk.now, log)

	// --- access: authz, teams, audit, settings ---
	deps.Authz, deps.Audit, deps.Settings = accessServices(st, log, len(ssoConfigFor(st).Providers) > 0)

	// --- mfa and sso ---
	policy := securityPolicy(st, deps)
	mfaLimiter := auth.NewLimiter(auth.LimiterConfig{IPPerMinute: o.ipPerMinute, FreeFailures: o.freeFailures,
		BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, clk.now)
	mfaSvc, err := mfa.NewService(mfaStore{st}, bytes.Repeat([]byte{9}, mfa.KeySize), svc.Hasher(), mfaLimiter, policy, clk.now, log)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetMFAHooks(auth.MFAHooks{SecondFactor: mfaSvc, PasswordLogin: func(ctx context.Context) (bool, error) {
		sec, err := policy.Security(ctx)
		return sec.PasswordLogin, err
	}})
	ssoSvc, err := sso.NewService(ssoConfigFor(st), ssoStore{st}, svc, policy, key, nil, clk.now, log)
	if err != nil {
		t.Fatal(err)
	}
	deps.MFA, deps.SSO = mfaSvc, ssoSvc

	// --- tokens and sessions ---
	// The auth service above serves them; its store must offer them too.
	var _ auth.TokenStore = authStore{Store: st}

	// --- realtime ---
	// The bus, the outbox dispatcher and the gateway, running until the test
	// ends; realtimeOf(h) finds them (realtime_deps_test.go).
	deps.Realtime = startTestRealtime(t, st, clk, log, nil).gateway

	// --- knowledge base: render, blobs, files ---
	wireFiles(t, st, &deps, log) // files_deps_test.go

	// --- knowledge base: spaces and documents ---
	wireKB(st, clk, &deps, log) // kb_deps_test.go

	// --- chat ---
	wireChat(st, &deps, log) // chat_deps_test.go

	return deps
}
