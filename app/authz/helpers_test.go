package authz_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"nexus/app"
	"nexus/app/authz"
	"nexus/store"
)

// testStore adapts the real store to authz.Store, as main.go does.
type testStore struct{ *store.Store }

func (s testStore) Update(ctx context.Context, fn func(authz.Tx) error) error {
	return s.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// fixture is a migrated SQLite store with the access service on it.
type fixture struct {
	t   testing.TB
	st  *store.Store
	svc *authz.Service
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, st: st, svc: authz.NewService(testStore{st})}
}

func (f *fixture) update(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(context.Background(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// user creates an active account with the global role and returns a
// session principal for it.
func (f *fixture) user(role app.Role) *app.Principal {
	f.t.Helper()
	var u *app.User
	f.update(func(tx *store.Tx) error {
		id := app.NewID()
		u = &app.User{ID: id, Email: id + "@example.com", Name: "User " + string(role), Role: role,
			Status: app.UserActive, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		return tx.CreateUser(context.Background(), u)
	})
	return &app.Principal{User: *u, SessionID: "session-" + u.ID}
}

func (f *fixture) team(name string) string {
	f.t.Helper()
	id := app.NewID()
	f.update(func(tx *store.Tx) error {
		return tx.CreateTeam(context.Background(), &authz.Team{ID: id, Name: name, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
	})
	return id
}

func (f *fixture) join(teamID, userID string) {
	f.t.Helper()
	f.update(func(tx *store.Tx) error {
		_, err := tx.AddTeamMember(context.Background(), teamID, userID)
		return err
	})
}

func (f *fixture) leave(teamID, userID string) {
	f.t.Helper()
	f.update(func(tx *store.Tx) error {
		_, err := tx.RemoveTeamMember(context.Background(), teamID, userID)
		return err
	})
}

func (f *fixture) grant(res authz.Resource, to authz.Grantee, role authz.ResourceRole) {
	f.t.Helper()
	f.update(func(tx *store.Tx) error {
		return tx.PutGrant(context.Background(), authz.Grant{ResourceType: res.Type, ResourceID: res.ID, Grantee: to, Role: role})
	})
}

func (f *fixture) can(p *app.Principal, a authz.Action, res authz.Resource) bool {
	f.t.Helper()
	ok, err := f.svc.Can(context.Background(), p, a, res)
	if err != nil {
		f.t.Fatal(err)
	}
	return ok
}

// require runs Require and checks that RequireGranted, given the role the
// store's grant query reads, decides exactly the same (same error).
func (f *fixture) require(p *app.Principal, a authz.Action, res authz.Resource) error {
	f.t.Helper()
	err := f.svc.Require(context.Background(), p, a, res)
	granted := authz.NoRole
	if p != nil {
		var gerr error
		if granted, gerr = f.st.GrantedRole(context.Background(), p.User.ID, res.Type, res.ID); gerr != nil {
			f.t.Fatal(gerr)
		}
	}
	if got := authz.RequireGranted(p, a, res, granted); !reflect.DeepEqual(got, err) {
		f.t.Errorf("RequireGranted(%s, granted %q) = %v, Require = %v", a, granted, got, err)
	}
	return err
}

func userGrantee(p *app.Principal) authz.Grantee {
	return authz.Grantee{Type: authz.GranteeUser, ID: p.User.ID}
}

func teamGrantee(id string) authz.Grantee { return authz.Grantee{Type: authz.GranteeTeam, ID: id} }

func withToken(p *app.Principal, scopes ...app.Scope) *app.Principal {
	c := *p
	c.SessionID, c.TokenID, c.Scopes = "", "token-"+p.User.ID, scopes
	return &c
}
