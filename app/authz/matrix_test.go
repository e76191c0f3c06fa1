package authz_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"nexus/app"
	"nexus/app/authz"
)

// The tables in docs/permissions.md are the specification. These tests
// parse them and check every cell against the implementation on a real
// database, so the document and the code cannot drift apart.

// readTable returns the header and rows of the markdown table that follows
// the line <!-- matrix:name --> in docs/permissions.md.
func readTable(t *testing.T, name string) (header []string, rows [][]string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "permissions.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	start := slices.Index(lines, "<!-- matrix:"+name+" -->")
	if start < 0 {
		t.Fatalf("docs/permissions.md has no <!-- matrix:%s --> table", name)
	}
	for i, line := range lines[start+1:] {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.Trim(strings.TrimSpace(cells[j]), "`")
		}
		switch i {
		case 0:
			header = cells
		case 1: // the |---| line
		default:
			rows = append(rows, cells)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("table %s in docs/permissions.md is empty", name)
	}
	return header, rows
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func parseMark(t *testing.T, s string) bool {
	t.Helper()
	switch s {
	case "✓":
		return true
	case "✗":
		return false
	}
	t.Fatalf("cell %q is neither ✓ nor ✗", s)
	return false
}

func roleName(r authz.ResourceRole) string {
	if r == authz.NoRole {
		return "none"
	}
	return string(r)
}

func parseRoleName(t *testing.T, s string) authz.ResourceRole {
	t.Helper()
	if s == "none" {
		return authz.NoRole
	}
	r, err := authz.ParseResourceRole(s)
	if err != nil {
		t.Fatalf("resource role %q: %v", s, err)
	}
	return r
}

func checkHeader(t *testing.T, name string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("table %s header = %q, want %q", name, got, want)
	}
}

// Every cell of the resource matrix, with the role granted directly and
// through a team, checked through Can, Require, EffectiveRole, Filter and
// VisibleResources.
func TestResourceMatrixMatchesDocs(t *testing.T) {
	header, rows := readTable(t, "resource")
	checkHeader(t, "resource", header, []string{"global role", "resource role", "visibility", "acts as",
		"view", "comment", "edit", "manage", "delete"})
	ctx := context.Background()
	f := newFixture(t)
	users := map[app.Role]*app.Principal{}
	seen := map[string]bool{}
	for n, row := range rows {
		if len(row) != len(header) {
			t.Fatalf("row %d has %d cells, want %d: %q", n+1, len(row), len(header), row)
		}
		global, err := app.ParseRole(row[0])
		if err != nil {
			t.Fatalf("row %d: global role %q", n+1, row[0])
		}
		granted := parseRoleName(t, row[1])
		vis := authz.Visibility(row[2])
		if vis != authz.VisibleToOrg && vis != authz.VisibleToMembers {
			t.Fatalf("row %d: visibility %q", n+1, row[2])
		}
		key := fmt.Sprint(global, granted, vis)
		if seen[key] {
			t.Fatalf("row %d repeats %s / %s / %s", n+1, row[0], row[1], row[2])
		}
		seen[key] = true
		if users[global] == nil {
			users[global] = f.user(global)
		}
		p := users[global]
		for _, via := range []string{"direct", "team"} {
			res := authz.Resource{Type: authz.ResourceTypes[n%len(authz.ResourceTypes)], ID: app.NewID(), Visibility: vis}
			if granted != authz.NoRole {
				if via == "direct" {
					f.grant(res, userGrantee(p), granted)
				} else {
					team := f.team(fmt.Sprintf("team %d", n))
					f.join(team, p.User.ID)
					f.grant(res, teamGrantee(team), granted)
				}
			}
			effective, err := f.svc.EffectiveRole(ctx, p, res)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{row[0], row[1], row[2], roleName(effective)}
			for _, a := range authz.ResourceActions {
				got = append(got, mark(f.can(p, a, res)))
			}
			if !slices.Equal(got, row) {
				t.Errorf("grant %s: docs say\n| %s |\nthe code does\n| %s |", via, strings.Join(row, " | "), strings.Join(got, " | "))
				continue
			}
			canView := parseMark(t, row[4])
			for i, a := range authz.ResourceActions {
				err := f.require(p, a, res)
				switch want := parseMark(t, row[4+i]); {
				case want && err != nil:
					t.Errorf("%s via %s: Require(%s) = %v, want nil", key, via, a, err)
				case !want && !canView && app.CodeOf(err) != app.CodeNotFound:
					t.Errorf("%s via %s: Require(%s) = %v, want not_found (cannot even view)", key, via, a, err)
				case !want && canView && app.CodeOf(err) != app.CodeForbidden:
					t.Errorf("%s via %s: Require(%s) = %v, want forbidden", key, via, a, err)
				}
			}
			kept, err := f.svc.Filter(ctx, p, authz.View, []authz.Resource{res})
			if err != nil {
				t.Fatal(err)
			}
			if (len(kept) == 1) != canView {
				t.Errorf("%s via %s: Filter(view) kept %d, want view=%v", key, via, len(kept), canView)
			}
			visible, err := f.svc.VisibleResources(ctx, p, res.Type)
			if err != nil {
				t.Fatal(err)
			}
			if visible.Contains(res) != canView {
				t.Errorf("%s via %s: VisibleResources contains=%v, want %v", key, via, visible.Contains(res), canView)
			}
		}
	}
	want := len(app.Roles) * 4 * 2
	if len(seen) != want {
		t.Errorf("the resource matrix has %d rows, want every combination: %d", len(seen), want)
	}
}

// Every cell of the organisation-wide table: each role with a session, and
// the token scope each action needs.
func TestGlobalMatrixMatchesDocs(t *testing.T) {
	header, rows := readTable(t, "global")
	checkHeader(t, "global", header, []string{"action", "meaning", "owner", "admin", "member", "guest", "token scope"})
	ctx := context.Background()
	f := newFixture(t)
	users := map[app.Role]*app.Principal{}
	for _, r := range app.Roles {
		users[r] = f.user(r)
	}
	var documented []authz.Action
	for _, row := range rows {
		a := authz.Action(row[0])
		if !a.IsGlobal() {
			t.Errorf("%q is documented but is not an organisation-wide action", a)
			continue
		}
		documented = append(documented, a)
		for i, role := range []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleMember, app.RoleGuest} {
			want := parseMark(t, row[2+i])
			p := users[role]
			if err := authz.RequireGlobal(p, a); (err == nil) != want {
				t.Errorf("%s as %s: RequireGlobal = %v, docs say %s", a, role, err, row[2+i])
			} else if err != nil && app.CodeOf(err) != app.CodeForbidden {
				t.Errorf("%s as %s: RequireGlobal = %v, want forbidden", a, role, err)
			}
			if got := f.can(p, a, authz.Resource{}); got != want {
				t.Errorf("%s as %s: Can = %v, docs say %s", a, role, got, row[2+i])
			}
		}
		// The owner may do everything with a session; with a token exactly
		// the documented scope (or a broader one) is needed.
		need := app.Scope(row[6])
		owner := users[app.RoleOwner]
		for _, have := range []app.Scope{app.ScopeRead, app.ScopeWrite, app.ScopeAdmin} {
			want := scopeRank(have) >= scopeRank(need)
			err := authz.RequireGlobal(withToken(owner, have), a)
			if (err == nil) != want {
				t.Errorf("%s with a %s token: RequireGlobal = %v, docs say it needs %s", a, have, err, need)
			}
			if err != nil {
				if e, ok := err.(*app.Error); !ok || e.Details["required_scope"] != string(need) {
					t.Errorf("%s with a %s token: error %v should name required_scope %s", a, have, err, need)
				}
			}
			if got := f.can(withToken(owner, have), a, authz.Resource{}); got != want {
				t.Errorf("%s with a %s token: Can = %v, want %v", a, have, got, want)
			}
		}
	}
	if !slices.Equal(documented, authz.GlobalActions) {
		t.Errorf("documented actions %v, want exactly %v in that order", documented, authz.GlobalActions)
	}
	_ = ctx
}

func scopeRank(s app.Scope) int {
	return slices.Index([]app.Scope{app.ScopeRead, app.ScopeWrite, app.ScopeAdmin}, s) + 1
}

// Every cell of the token scope table, for an owner (whose roles allow
// everything, so only the scope can refuse).
func TestScopeMatrixMatchesDocs(t *testing.T) {
	header, rows := readTable(t, "scopes")
	checkHeader(t, "scopes", header, []string{"token scopes", "view", "comment", "edit", "manage", "delete",
		"resources.create", "admin actions"})
	f := newFixture(t)
	owner := f.user(app.RoleOwner)
	res := authz.Resource{Type: authz.Space, ID: app.NewID(), Visibility: authz.VisibleToMembers}
	var seen []string
	for _, row := range rows {
		seen = append(seen, row[0])
		p := owner
		if row[0] != "session (no token)" {
			p = withToken(owner, app.Scope(row[0]))
		}
		for i, a := range authz.ResourceActions {
			want := parseMark(t, row[1+i])
			if got := f.can(p, a, res); got != want {
				t.Errorf("%s: Can(%s) = %v, docs say %s", row[0], a, got, row[1+i])
			}
			err := f.require(p, a, res)
			if (err == nil) != want {
				t.Errorf("%s: Require(%s) = %v, docs say %s", row[0], a, err, row[1+i])
			}
			if err != nil && app.CodeOf(err) != app.CodeForbidden {
				t.Errorf("%s: Require(%s) = %v, want forbidden (the owner can view it)", row[0], a, err)
			}
		}
		if got, want := f.can(p, authz.CreateResources, authz.Resource{}), parseMark(t, row[6]); got != want {
			t.Errorf("%s: Can(resources.create) = %v, docs say %s", row[0], got, row[6])
		}
		for _, a := range authz.GlobalActions {
			if a == authz.CreateResources {
				continue
			}
			if got, want := authz.RequireGlobal(p, a) == nil, parseMark(t, row[7]); got != want {
				t.Errorf("%s: RequireGlobal(%s) allowed=%v, docs say %s", row[0], a, got, row[7])
			}
		}
	}
	if want := []string{"read", "write", "admin", "session (no token)"}; !slices.Equal(seen, want) {
		t.Errorf("scope rows %q, want %q", seen, want)
	}
}
