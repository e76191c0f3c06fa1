package api_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"nexus/app/api"
	"nexus/app/auth"
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

	// --- access: authz, teams, audit, settings ---

	// --- mfa and sso ---

	// --- tokens and sessions ---

	return deps
}
