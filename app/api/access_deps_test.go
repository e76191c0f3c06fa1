package api_test

import (
	"context"
	"log/slog"
	"time"

	"nexus/app/audit"
	"nexus/app/authz"
	"nexus/app/settings"
	"nexus/store"
)

// Adapters from the store's transaction type to the ones the access
// use-cases declare, as main.go has them.
type accessAuthzStore struct{ *store.Store }

func (a accessAuthzStore) Update(ctx context.Context, fn func(authz.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type accessAuditStore struct{ *store.Store }

func (a accessAuditStore) Update(ctx context.Context, fn func(audit.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type accessSettingsStore struct{ *store.Store }

func (a accessSettingsStore) Update(ctx context.Context, fn func(settings.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// accessServices builds the access services for the harness: the
// configuration defaults of a fresh install (invite-only registration,
// password sign-in on, MFA optional, one year of audit retention).
func accessServices(st *store.Store, log *slog.Logger, ssoConfigured bool) (*authz.Service, *audit.Service, *settings.Service) {
	return authz.NewService(accessAuthzStore{st}),
		audit.NewService(accessAuditStore{st}, audit.Config{Retention: 365 * 24 * time.Hour}, log),
		settings.NewService(accessSettingsStore{st}, settings.Security{Registration: settings.RegistrationInvite, PasswordLogin: true}, ssoConfigured)
}
