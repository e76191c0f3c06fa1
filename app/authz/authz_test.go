package authz_test

import (
	"context"
	"testing"

	"nexus/app"
	"nexus/app/authz"
	"nexus/store"
)

func space(vis authz.Visibility) authz.Resource {
	return authz.Resource{Type: authz.Space, ID: app.NewID(), Visibility: vis}
}

// Membership changes count on the very next check: there is no cache to
// expire and nothing to restart.
func TestTeamMembershipTakesEffectOnNextCheck(t *testing.T) {
	f := newFixture(t)
	kim := f.user(app.RoleMember)
	design := f.team("디자인팀")
	res := space(authz.VisibleToMembers)
	f.grant(res, teamGrantee(design), authz.Editor)

	if f.can(kim, authz.View, res) {
		t.Fatal("not in the team yet: must not view a members-only space")
	}
	f.join(design, kim.User.ID)
	if !f.can(kim, authz.Edit, res) {
		t.Fatal("added to the team: must edit on the next check")
	}
	f.leave(design, kim.User.ID)
	if f.can(kim, authz.View, res) {
		t.Fatal("removed from the team: must lose access on the next check")
	}

	// Deleting a team takes its grants with it.
	f.join(design, kim.User.ID)
	admin := f.user(app.RoleAdmin)
	if err := f.svc.DeleteTeam(context.Background(), admin, design, app.RequestMeta{}); err != nil {
		t.Fatal(err)
	}
	if f.can(kim, authz.View, res) {
		t.Fatal("team deleted: its members must lose its access")
	}
	if grants, err := f.st.FindGrants(context.Background(), res.Type, res.ID); err != nil || len(grants) != 0 {
		t.Fatalf("grants after deleting the team: %+v (%v), want none", grants, err)
	}
}

func TestGuestSeesOnlyWhatWasGranted(t *testing.T) {
	f := newFixture(t)
	guest := f.user(app.RoleGuest)
	orgWide := space(authz.VisibleToOrg)
	if f.can(guest, authz.View, orgWide) {
		t.Fatal("a guest must not read an org-wide space they were not added to")
	}
	err := f.svc.Require(context.Background(), guest, authz.View, orgWide)
	if app.CodeOf(err) != app.CodeNotFound {
		t.Fatalf("Require = %v, want not_found (do not reveal that it exists)", err)
	}
	vis, err := f.svc.VisibleResources(context.Background(), guest, authz.Space)
	if err != nil || vis.OrgWide || vis.All {
		t.Fatalf("VisibleResources = %+v, %v: a guest gets no org-wide resources", vis, err)
	}

	f.grant(orgWide, userGrantee(guest), authz.Viewer)
	if !f.can(guest, authz.View, orgWide) || f.can(guest, authz.Edit, orgWide) {
		t.Fatal("granted viewer: view yes, edit no")
	}
	// A manager grant to a guest still stops at editor.
	f.grant(orgWide, userGrantee(guest), authz.Manager)
	if !f.can(guest, authz.Edit, orgWide) || f.can(guest, authz.Manage, orgWide) || f.can(guest, authz.Delete, orgWide) {
		t.Fatal("guest with a manager grant: edit yes, manage and delete no")
	}
}

func TestAdminsActAsManagersEverywhere(t *testing.T) {
	f := newFixture(t)
	private := space(authz.VisibleToMembers)
	for _, role := range []app.Role{app.RoleAdmin, app.RoleOwner} {
		p := f.user(role)
		for _, a := range authz.ResourceActions {
			if !f.can(p, a, private) {
				t.Errorf("%s must be able to %s a members-only space (documented: admins act as managers)", role, a)
			}
		}
	}
	member := f.user(app.RoleMember)
	if f.can(member, authz.View, private) {
		t.Error("a member without a role must not view a members-only space")
	}
}

func TestHighestGrantWins(t *testing.T) {
	f := newFixture(t)
	lee := f.user(app.RoleMember)
	res := space(authz.VisibleToMembers)
	ops, eng := f.team("Ops"), f.team("Engineering")
	f.join(ops, lee.User.ID)
	f.join(eng, lee.User.ID)
	f.grant(res, userGrantee(lee), authz.Viewer)
	f.grant(res, teamGrantee(ops), authz.Editor)
	f.grant(res, teamGrantee(eng), authz.Manager)
	role, err := f.svc.EffectiveRole(context.Background(), lee, res)
	if err != nil || role != authz.Manager {
		t.Fatalf("EffectiveRole = %q, %v; want manager (the highest of direct viewer, team editor, team manager)", role, err)
	}
	f.leave(eng, lee.User.ID)
	if role, _ := f.svc.EffectiveRole(context.Background(), lee, res); role != authz.Editor {
		t.Fatalf("after leaving Engineering: %q, want editor", role)
	}
}

func TestDisabledOrDeletedUsersCanDoNothing(t *testing.T) {
	f := newFixture(t)
	res := space(authz.VisibleToOrg)
	for _, mutate := range []func(*app.Principal){
		func(p *app.Principal) { p.User.Status = app.UserDisabled },
		func(p *app.Principal) { p.User.DeletedAt = p.User.CreatedAt },
	} {
		p := f.user(app.RoleOwner)
		mutate(p)
		if f.can(p, authz.View, res) || f.can(p, authz.ManageUsers, authz.Resource{}) {
			t.Error("an inactive account must not be allowed anything")
		}
		if authz.RequireGlobal(p, authz.ManageUsers) == nil {
			t.Error("RequireGlobal allowed an inactive account")
		}
		if err := authz.RequireGranted(p, authz.View, res, authz.Manager); app.CodeOf(err) != app.CodeNotFound {
			t.Errorf("RequireGranted let an inactive account with a manager grant view: %v", err)
		}
	}
	if f.can(nil, authz.View, res) {
		t.Error("nil principal allowed")
	}
	if err := f.require(nil, authz.View, res); app.CodeOf(err) != app.CodeUnauthorized {
		t.Errorf("Require(nil) = %v, want unauthorized", err)
	}
}

func TestFilterKeepsOrderAndChecksInOneBatch(t *testing.T) {
	f := newFixture(t)
	member := f.user(app.RoleMember)
	team := f.team("Sales")
	f.join(team, member.User.ID)
	var all []authz.Resource
	want := map[string]bool{}
	for i := 0; i < 30; i++ {
		vis := authz.VisibleToMembers
		if i%5 == 0 {
			vis = authz.VisibleToOrg
			want[""+string(rune('a'+i))] = true
		}
		res := authz.Resource{Type: authz.Channel, ID: string(rune('a' + i)), Visibility: vis}
		switch i % 3 {
		case 1:
			f.grant(res, userGrantee(member), authz.Viewer)
			want[res.ID] = true
		case 2:
			if i%4 == 0 {
				f.grant(res, teamGrantee(team), authz.Editor)
				want[res.ID] = true
			}
		}
		all = append(all, res)
	}
	kept, err := f.svc.Filter(context.Background(), member, authz.View, all)
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, r := range kept {
		if !want[r.ID] {
			t.Errorf("Filter kept %s, which the member cannot view", r.ID)
		}
		i := int(r.ID[0] - 'a')
		if i <= last {
			t.Error("Filter changed the order")
		}
		last = i
		delete(want, r.ID)
	}
	if len(want) > 0 {
		t.Errorf("Filter dropped viewable resources %v", want)
	}
	if _, err := f.svc.Filter(context.Background(), member, authz.View, []authz.Resource{{Type: authz.Space, ID: "x"}, {Type: authz.Channel, ID: "y"}}); err == nil {
		t.Error("Filter accepted mixed resource types")
	}
}

func TestGrantsAreAuditedAndNeedManage(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	manager, editor, other := f.user(app.RoleMember), f.user(app.RoleMember), f.user(app.RoleMember)
	res := space(authz.VisibleToMembers)
	f.grant(res, userGrantee(manager), authz.Manager)
	f.grant(res, userGrantee(editor), authz.Editor)
	meta := app.RequestMeta{IP: "192.0.2.1", UserAgent: "test"}

	if err := f.svc.SetGrant(ctx, editor, res, userGrantee(other), authz.Viewer, meta); app.CodeOf(err) != app.CodeForbidden {
		t.Fatalf("an editor granting: %v, want forbidden", err)
	}
	if err := f.svc.SetGrant(ctx, other, res, userGrantee(other), authz.Viewer, meta); app.CodeOf(err) != app.CodeNotFound {
		t.Fatalf("someone who cannot see the space granting: %v, want not_found", err)
	}
	if err := f.svc.SetGrant(ctx, manager, res, authz.Grantee{Type: authz.GranteeUser, ID: "nobody"}, authz.Viewer, meta); app.CodeOf(err) != app.CodeNotFound {
		t.Fatalf("granting to an unknown user: %v, want not_found", err)
	}
	if err := f.svc.SetGrant(ctx, manager, res, userGrantee(other), authz.Viewer, meta); err != nil {
		t.Fatal(err)
	}
	if !f.can(other, authz.View, res) {
		t.Fatal("granted viewer: must view at once")
	}
	grants, err := f.svc.Grants(ctx, other, res)
	if err != nil || len(grants) != 3 {
		t.Fatalf("Grants = %v, %v; want 3", grants, err)
	}
	if err := f.svc.RemoveGrant(ctx, manager, res, userGrantee(other), meta); err != nil {
		t.Fatal(err)
	}
	if f.can(other, authz.View, res) {
		t.Fatal("revoked: must not view any more")
	}
	if err := f.svc.RemoveGrant(ctx, manager, res, userGrantee(other), meta); app.CodeOf(err) != app.CodeNotFound {
		t.Fatalf("revoking twice: %v, want not_found", err)
	}
	for _, action := range []string{app.ActionAccessGranted, app.ActionAccessRevoked} {
		entries, err := f.st.FindAuditEntries(ctx, store.AuditFilter{Action: action})
		if err != nil || len(entries) != 1 || entries[0].ActorID != manager.User.ID || entries[0].TargetID != res.ID || entries[0].IP != meta.IP {
			t.Fatalf("%s audit rows = %+v, %v", action, entries, err)
		}
	}
}
