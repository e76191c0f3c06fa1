package settings_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"nexus/app"
	"nexus/app/settings"
	"nexus/store"
)

type settingsStore struct{ *store.Store }

func (s settingsStore) Update(ctx context.Context, fn func(settings.Tx) error) error {
	return s.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

var (
	admin  = &app.Principal{User: app.User{ID: "admin-1", Email: "admin@example.com", Role: app.RoleAdmin, Status: app.UserActive}, SessionID: "s"}
	member = &app.Principal{User: app.User{ID: "member-1", Email: "m@example.com", Role: app.RoleMember, Status: app.UserActive}, SessionID: "s"}
	meta   = app.RequestMeta{IP: "192.0.2.9", UserAgent: "test"}
)

func configDefaults() settings.Security {
	return settings.Security{Registration: "invite", RegistrationDomains: nil, MFARequired: false, PasswordLogin: true}
}

func ptr[T any](v T) *T { return &v }

func TestSecurityDefaultsThenSavedValuesWin(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	svc := settings.NewService(settingsStore{st}, configDefaults(), false)
	got, err := svc.Security(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Registration != "invite" || got.MFARequired || !got.PasswordLogin || got.Version != 1 || got.RegistrationDomains == nil {
		t.Fatalf("defaults = %+v", got)
	}

	updated, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{
		Registration:        ptr("domain"),
		RegistrationDomains: ptr([]string{" Example.COM ", "회사.kr", "example.com"}),
		MFARequired:         ptr(true),
	}, 1, meta)
	if err != nil {
		t.Fatal(err)
	}
	want := settings.Security{Registration: "domain", RegistrationDomains: []string{"example.com", "회사.kr"}, MFARequired: true,
		PasswordLogin: true, Version: 2}
	if !equal(updated, want) {
		t.Fatalf("UpdateSecurity = %+v, want %+v", updated, want)
	}
	// Visible at once through the cheap reader.
	if got, _ := svc.Security(ctx); !equal(got, want) {
		t.Fatalf("Security after update = %+v", got)
	}
	// Audited with before and after.
	entries, err := st.FindAuditEntries(ctx, store.AuditFilter{Action: app.ActionSettingsChanged})
	if err != nil || len(entries) != 1 {
		t.Fatalf("settings.changed rows: %v, %v", entries, err)
	}
	e := entries[0]
	before, _ := e.Details["before"].(map[string]any)
	after, _ := e.Details["after"].(map[string]any)
	if e.ActorID != admin.User.ID || e.IP != meta.IP || before["registration"] != "invite" || after["registration"] != "domain" ||
		after["mfa_required"] != true || before["mfa_required"] != false {
		t.Fatalf("audit row = %+v", e)
	}

	// A restart reads the saved values; fields never saved follow the
	// (changed) configuration.
	cfg := configDefaults()
	cfg.Registration = "open"
	restarted := settings.NewService(settingsStore{st}, cfg, false)
	if err := restarted.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := restarted.Security(ctx); !equal(got, want) {
		t.Fatalf("after restart = %+v, want %+v", got, want)
	}
	fresh := settings.NewService(settingsStore{openStore(t)}, cfg, false)
	if got, _ := fresh.Security(ctx); got.Registration != "open" {
		t.Fatalf("unsaved registration must follow the configuration: %+v", got)
	}

	// Saving the same values again changes nothing.
	same, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{MFARequired: ptr(true)}, 2, meta)
	if err != nil || same.Version != 2 {
		t.Fatalf("no-op update = %+v, %v; want version 2", same, err)
	}
	if entries, _ := st.FindAuditEntries(ctx, store.AuditFilter{Action: app.ActionSettingsChanged}); len(entries) != 1 {
		t.Fatalf("a no-op update wrote an audit row")
	}
}

func equal(a, b settings.Security) bool {
	return a.Registration == b.Registration && slices.Equal(a.RegistrationDomains, b.RegistrationDomains) &&
		a.MFARequired == b.MFARequired && a.PasswordLogin == b.PasswordLogin && a.Version == b.Version
}

func TestUpdateSecurityConflictsAndValidation(t *testing.T) {
	ctx := context.Background()
	svc := settings.NewService(settingsStore{openStore(t)}, configDefaults(), false)
	if _, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{MFARequired: ptr(true)}, 1, meta); err != nil {
		t.Fatal(err)
	}
	_, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{MFARequired: ptr(false)}, 1, meta)
	var ae *app.Error
	if app.CodeOf(err) != app.CodeConflict {
		t.Fatalf("stale version: %v, want conflict", err)
	}
	if e, ok := err.(*app.Error); ok {
		ae = e
	}
	if ae == nil || ae.Details["current_version"] != int64(2) {
		t.Fatalf("conflict must carry current_version 2: %#v", err)
	}
	for name, patch := range map[string]settings.SecurityPatch{
		"registration":      {Registration: ptr("anyone")},
		"domain, no list":   {Registration: ptr("domain")},
		"bad domain":        {RegistrationDomains: ptr([]string{"kim@example.com"})},
		"single label":      {RegistrationDomains: ptr([]string{"localhost"})},
		"password off, sso": {PasswordLogin: ptr(false)},
	} {
		if _, err := svc.UpdateSecurity(ctx, admin, patch, 2, meta); app.CodeOf(err) != app.CodeInvalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{MFARequired: ptr(false)}, 0, meta); app.CodeOf(err) != app.CodeInvalid {
		t.Errorf("missing version: %v, want invalid", err)
	}
	if _, err := svc.UpdateSecurity(ctx, member, settings.SecurityPatch{MFARequired: ptr(false)}, 2, meta); app.CodeOf(err) != app.CodeForbidden {
		t.Errorf("member: %v, want forbidden", err)
	}
	token := *admin
	token.SessionID, token.TokenID, token.Scopes = "", "tok", []app.Scope{app.ScopeWrite}
	if _, err := svc.UpdateSecurity(ctx, &token, settings.SecurityPatch{MFARequired: ptr(false)}, 2, meta); app.CodeOf(err) != app.CodeForbidden {
		t.Errorf("write-scoped token: %v, want forbidden", err)
	}
	if got, _ := svc.Security(ctx); got.Version != 2 || !got.MFARequired {
		t.Fatalf("refused updates must change nothing: %+v", got)
	}
}

func TestPasswordLoginNeedsSSO(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	withSSO := settings.NewService(settingsStore{st}, configDefaults(), true)
	got, err := withSSO.UpdateSecurity(ctx, admin, settings.SecurityPatch{PasswordLogin: ptr(false)}, 1, meta)
	if err != nil || got.PasswordLogin {
		t.Fatalf("with SSO: %+v, %v; want password sign-in off", got, err)
	}
	// The SSO providers are removed from the configuration later: password
	// sign-in comes back rather than locking everybody out.
	withoutSSO := settings.NewService(settingsStore{st}, configDefaults(), false)
	if got, _ := withoutSSO.Security(ctx); !got.PasswordLogin {
		t.Fatalf("without SSO providers password sign-in must stay on: %+v", got)
	}
}

func TestSecurityIsSafeForConcurrentUse(t *testing.T) {
	ctx := context.Background()
	svc := settings.NewService(settingsStore{openStore(t)}, configDefaults(), false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				s, err := svc.Security(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				s.RegistrationDomains = append(s.RegistrationDomains, "mutated.example") // a copy: must not leak
			}
		}()
	}
	for v := int64(1); v <= 5; v++ {
		if _, err := svc.UpdateSecurity(ctx, admin, settings.SecurityPatch{MFARequired: ptr(v%2 == 1)}, v, meta); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got, _ := svc.Security(ctx); got.Version != 6 || len(got.RegistrationDomains) != 0 {
		t.Fatalf("after concurrent use: %+v", got)
	}
}
