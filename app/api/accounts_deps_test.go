package api_test

import (
	"context"

	"nexus/app/api"
	"nexus/app/identity"
	"nexus/app/settings"
	"nexus/store"
)

// accountsStore adapts the real store to identity.Store, as main.go does.
type accountsStore struct{ *store.Store }

func (a accountsStore) Update(ctx context.Context, fn func(identity.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// laterSecurity reads the security settings from the settings service,
// which buildDeps wires after the account services (as main.go does).
type laterSecurity struct{ deps *api.Deps }

func (l laterSecurity) Security(ctx context.Context) (settings.Security, error) {
	if l.deps.Settings != nil {
		return l.deps.Settings.Security(ctx)
	}
	return settings.Security{Registration: "invite", PasswordLogin: true, Version: 1}, nil
}
