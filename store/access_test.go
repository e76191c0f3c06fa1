package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/audit"
	"nexus/app/authz"
	"nexus/store"
)

func mustUpdate(t *testing.T, st *store.Store, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func newTeam(name string) *authz.Team {
	now := time.Now().UTC()
	return &authz.Team{ID: app.NewID(), Name: name, CreatedAt: now, UpdatedAt: now}
}

func TestTeamsStore(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	kim := MustCreateUser(t, st, "kim@example.com", app.RoleMember)
	lee := MustCreateUser(t, st, "lee@example.com", app.RoleGuest)
	design, eng := newTeam("디자인팀"), newTeam("Engineering")
	mustUpdate(t, st, func(tx *store.Tx) error {
		for _, tm := range []*authz.Team{design, eng} {
			if err := tx.CreateTeam(ctx, tm); err != nil {
				return err
			}
		}
		for _, u := range []string{kim.ID, lee.ID} {
			if _, err := tx.AddTeamMember(ctx, design.ID, u); err != nil {
				return err
			}
		}
		added, err := tx.AddTeamMember(ctx, design.ID, kim.ID)
		if err != nil || added {
			t.Errorf("adding a member twice: added=%v err=%v", added, err)
		}
		return nil
	})
	for _, name := range []string{"디자인팀", "engineering", "ENGINEERING"} {
		err := st.Update(ctx, func(tx *store.Tx) error { return tx.CreateTeam(ctx, newTeam(name)) })
		if app.CodeOf(err) != app.CodeConflict {
			t.Errorf("duplicate team %q: %v, want conflict", name, err)
		}
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		eng.Name, eng.Version = "디자인팀", 2
		return tx.UpdateTeam(ctx, eng)
	})
	if app.CodeOf(err) != app.CodeConflict {
		t.Errorf("renaming onto a taken name: %v, want conflict", err)
	}

	teams, err := st.FindTeams(ctx)
	if err != nil || len(teams) != 2 || teams[0].Name != "Engineering" || teams[0].MemberCount != 0 ||
		teams[1].Name != "디자인팀" || teams[1].MemberCount != 2 {
		t.Fatalf("FindTeams = %+v, %v", teams, err)
	}
	if got, err := st.FindTeamByName(ctx, "engineering"); err != nil || got.ID != eng.ID {
		t.Fatalf("FindTeamByName ignoring case = %+v, %v", got, err)
	}
	members, err := st.FindTeamMembers(ctx, design.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("FindTeamMembers = %v, %v", members, err)
	}
	if ids, _ := st.FindUserTeamIDs(ctx, kim.ID); !slices.Equal(ids, []string{design.ID}) {
		t.Fatalf("FindUserTeamIDs = %v", ids)
	}

	// A deleted account is left out of member lists and counts.
	if err := st.ExecForTest(ctx, `UPDATE users SET deleted_at = '2026-01-01T00:00:00.000000Z' WHERE id = '`+lee.ID+`'`); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.FindTeamByID(ctx, design.ID); got.MemberCount != 1 {
		t.Fatalf("member_count with a deleted member = %d, want 1", got.MemberCount)
	}
	if members, _ := st.FindTeamMembers(ctx, design.ID); len(members) != 1 || members[0].ID != kim.ID {
		t.Fatalf("members with a deleted one = %+v", members)
	}

	// Deleting a team removes its memberships and its grants, nothing else.
	res := authz.Resource{Type: authz.Space, ID: "space-1"}
	mustUpdate(t, st, func(tx *store.Tx) error {
		if err := tx.PutGrant(ctx, authz.Grant{ResourceType: res.Type, ResourceID: res.ID, Grantee: authz.Grantee{Type: authz.GranteeTeam, ID: design.ID}, Role: authz.Editor}); err != nil {
			return err
		}
		if err := tx.PutGrant(ctx, authz.Grant{ResourceType: res.Type, ResourceID: res.ID, Grantee: authz.Grantee{Type: authz.GranteeUser, ID: lee.ID}, Role: authz.Viewer}); err != nil {
			return err
		}
		return tx.DeleteTeam(ctx, design.ID)
	})
	if _, err := st.FindTeamByID(ctx, design.ID); !app.IsNotFound(err) {
		t.Fatalf("deleted team: %v", err)
	}
	if ids, _ := st.FindUserTeamIDs(ctx, kim.ID); len(ids) != 0 {
		t.Fatalf("memberships left after delete: %v", ids)
	}
	grants, err := st.FindGrants(ctx, res.Type, res.ID)
	if err != nil || len(grants) != 1 || grants[0].Grantee.ID != lee.ID || grants[0].Name != lee.Name {
		t.Fatalf("grants after deleting the team = %+v, %v", grants, err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteTeam(ctx, design.ID) })
	if !app.IsNotFound(err) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestGrantQueries(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	kim := MustCreateUser(t, st, "kim@example.com", app.RoleMember)
	ops, sales := newTeam("Ops"), newTeam("Sales")
	grant := func(tx *store.Tx, id string, to authz.Grantee, role authz.ResourceRole) error {
		return tx.PutGrant(ctx, authz.Grant{ResourceType: authz.Channel, ResourceID: id, Grantee: to, Role: role})
	}
	user := authz.Grantee{Type: authz.GranteeUser, ID: kim.ID}
	mustUpdate(t, st, func(tx *store.Tx) error {
		for _, tm := range []*authz.Team{ops, sales} {
			if err := tx.CreateTeam(ctx, tm); err != nil {
				return err
			}
		}
		if _, err := tx.AddTeamMember(ctx, ops.ID, kim.ID); err != nil {
			return err
		}
		for _, err := range []error{
			grant(tx, "c1", user, authz.Viewer),
			grant(tx, "c1", authz.Grantee{Type: authz.GranteeTeam, ID: ops.ID}, authz.Manager),
			grant(tx, "c2", user, authz.Editor),
			grant(tx, "c3", authz.Grantee{Type: authz.GranteeTeam, ID: ops.ID}, authz.Viewer),
			grant(tx, "c4", authz.Grantee{Type: authz.GranteeTeam, ID: sales.ID}, authz.Manager), // not kim's team
			grant(tx, "c2", user, authz.Viewer),                                                  // replaces editor
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	for id, want := range map[string]authz.ResourceRole{"c1": authz.Manager, "c2": authz.Viewer, "c3": authz.Viewer, "c4": authz.NoRole, "c5": authz.NoRole} {
		if got, err := st.GrantedRole(ctx, kim.ID, authz.Channel, id); err != nil || got != want {
			t.Errorf("GrantedRole(%s) = %q, %v; want %q", id, got, err, want)
		}
		if got, _ := st.GrantedRole(ctx, kim.ID, authz.Space, id); got != authz.NoRole {
			t.Errorf("a channel grant must not count for a space with the same ID")
		}
	}
	roles, err := st.GrantedRoles(ctx, kim.ID, authz.Channel, []string{"c1", "c2", "c3", "c4", "c5", `"quoted"`})
	if err != nil || len(roles) != 3 || roles["c1"] != authz.Manager || roles["c2"] != authz.Viewer || roles["c3"] != authz.Viewer {
		t.Fatalf("GrantedRoles = %v, %v", roles, err)
	}
	ids, err := st.GrantedResourceIDs(ctx, kim.ID, authz.Channel)
	if err != nil || !slices.Equal(ids, []string{"c1", "c2", "c3"}) {
		t.Fatalf("GrantedResourceIDs = %v, %v", ids, err)
	}
	mustUpdate(t, st, func(tx *store.Tx) error {
		if removed, err := tx.DeleteGrant(ctx, authz.Channel, "c2", user); err != nil || !removed {
			t.Errorf("DeleteGrant = %v, %v", removed, err)
		}
		if removed, _ := tx.DeleteGrant(ctx, authz.Channel, "c2", user); removed {
			t.Error("DeleteGrant twice reported a removal")
		}
		return tx.DeleteResourceGrants(ctx, authz.Channel, "c1")
	})
	if ids, _ := st.GrantedResourceIDs(ctx, kim.ID, authz.Channel); !slices.Equal(ids, []string{"c3"}) {
		t.Fatalf("after deletes: %v", ids)
	}
}

// The permission check must stay two index lookups: a full scan would miss
// the 20 µs target as soon as an organisation grows.
func TestPermissionQueryUsesIndexes(t *testing.T) {
	st := MustOpenStore(t)
	plan, err := st.ExplainForTest(context.Background(), store.GrantedRoleQueryForTest, "space", "s1", "u1")
	if err != nil {
		t.Fatal(err)
	}
	searches := 0
	for _, line := range strings.Split(plan, "\n") {
		if strings.HasPrefix(line, "SCAN") && !strings.HasPrefix(line, "SCAN (subquery") {
			t.Fatalf("the permission query scans a table:\n%s", plan)
		}
		if strings.HasPrefix(line, "SEARCH") && strings.Contains(line, " USING ") {
			searches++
		}
	}
	if searches < 3 {
		t.Fatalf("want three index searches (user grant, team grants, memberships):\n%s", plan)
	}
}

func TestSettingsStore(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	mustUpdate(t, st, func(tx *store.Tx) error {
		for k, v := range map[string]string{"security.mfa_required": "true", "security.version": "2", "securityXfoo": "1", "mail.from": `"x"`} {
			if err := tx.PutSetting(ctx, k, v, "admin-1"); err != nil {
				return err
			}
		}
		return tx.PutSetting(ctx, "security.version", "3", "") // upsert
	})
	got, err := st.FindSettings(ctx, "security.")
	if err != nil || len(got) != 2 || got["security.version"] != "3" || got["security.mfa_required"] != "true" {
		t.Fatalf("FindSettings = %v, %v", got, err)
	}
	if got, _ := st.FindSettings(ctx, "security_"); len(got) != 0 {
		t.Fatalf("an underscore in the prefix must not be a wildcard: %v", got)
	}
}

func TestAuditQueriesAndRetentionGuard(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	mustUpdate(t, st, func(tx *store.Tx) error {
		for i, action := range []string{"user.created", "user.disabled", "users.listed", "team.created", "user.created"} {
			if err := tx.AppendAudit(ctx, app.AuditEntry{At: base.Add(time.Duration(i) * time.Hour), Action: action, Result: app.AuditSuccess}); err != nil {
				return err
			}
		}
		return nil
	})
	entries, err := st.QueryAudit(ctx, audit.Filter{Action: "user.*"}, 10)
	if err != nil || len(entries) != 3 {
		t.Fatalf("user.* matched %d (%v), want 3 (not users.listed)", len(entries), err)
	}
	if n, err := st.CountAudit(ctx, audit.Filter{}, 3); err != nil || n != 3 {
		t.Fatalf("CountAudit capped = %d, %v; want 3", n, err)
	}
	if actions, _ := st.AuditActions(ctx); !slices.Equal(actions, []string{"team.created", "user.created", "user.disabled", "users.listed"}) {
		t.Fatalf("AuditActions = %v", actions)
	}
	// With the cutoff two hours in, only the two oldest rows can go; asking
	// for more fails as a whole.
	mustUpdate(t, st, func(tx *store.Tx) error { return tx.SetAuditCutoff(ctx, base.Add(2*time.Hour)) })
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteAuditBefore(ctx, base.Add(3*time.Hour), 100)
		return err
	})
	if err == nil {
		t.Fatal("deleting past the recorded cutoff must fail")
	}
	mustUpdate(t, st, func(tx *store.Tx) error {
		n, err := tx.DeleteAuditBefore(ctx, base.Add(2*time.Hour), 100)
		if n != 2 {
			t.Errorf("deleted %d, want 2", n)
		}
		return err
	})
	if cutoff, err := st.AuditCutoff(ctx); err != nil || !cutoff.Equal(base.Add(2*time.Hour)) {
		t.Fatalf("AuditCutoff = %v, %v", cutoff, err)
	}
}
