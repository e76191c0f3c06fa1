// Package authz answers "may this principal do this": the one permission
// check every handler calls. See docs/permissions.md for the matrix; a test
// reads that file and checks every cell against this package, so the two
// cannot drift apart.
package authz

import (
	"nexus/app"
)

// Action is something a principal may be allowed to do.
type Action string

// Organisation-wide actions, decided by the global role alone.
const (
	ManageUsers    Action = "users.manage"    // list, invite, create, change role, disable, delete users
	ManageOwners   Action = "owners.manage"   // make someone an owner or change an owner
	ManageTeams    Action = "teams.manage"    // create teams, change members
	ViewAudit      Action = "audit.view"      // read and export the audit log
	ManageSettings Action = "settings.manage" // security settings
	ViewMail       Action = "mail.view"       // read the mail outbox
	// CreateResources is creating a space, channel or project. Guests may
	// not: they only ever see what they were explicitly added to.
	CreateResources Action = "resources.create"
)

// GlobalActions lists every organisation-wide action, in the order of the
// documented table.
var GlobalActions = []Action{ManageUsers, ManageOwners, ManageTeams, ViewAudit, ManageSettings, ViewMail, CreateResources}

// Actions on one resource (a space, channel or project).
const (
	View    Action = "view"    // open it and read what is in it
	Comment Action = "comment" // comment, reply, react
	Edit    Action = "edit"    // create and change content in it
	Manage  Action = "manage"  // change its settings and who has access
	Delete  Action = "delete"  // delete the resource itself
)

// ResourceActions lists every resource action, weakest first.
var ResourceActions = []Action{View, Comment, Edit, Manage, Delete}

// IsGlobal reports whether a is an organisation-wide action.
func (a Action) IsGlobal() bool {
	for _, g := range GlobalActions {
		if a == g {
			return true
		}
	}
	return false
}

// ResourceRole is the role a user holds on one resource, directly or
// through a team. The zero value is no role.
type ResourceRole string

const (
	NoRole  ResourceRole = ""
	Viewer  ResourceRole = "viewer"
	Editor  ResourceRole = "editor"
	Manager ResourceRole = "manager"
)

// ResourceRoles lists the grantable roles, weakest first.
var ResourceRoles = []ResourceRole{Viewer, Editor, Manager}

// Rank orders roles: none 0, viewer 1, editor 2, manager 3.
func (r ResourceRole) Rank() int {
	switch r {
	case Viewer:
		return 1
	case Editor:
		return 2
	case Manager:
		return 3
	}
	return 0
}

// RoleOfRank is the inverse of Rank; out-of-range ranks are no role.
func RoleOfRank(rank int) ResourceRole {
	switch rank {
	case 1:
		return Viewer
	case 2:
		return Editor
	case 3:
		return Manager
	}
	return NoRole
}

// ParseResourceRole validates a grantable role name.
func ParseResourceRole(s string) (ResourceRole, error) {
	for _, r := range ResourceRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return NoRole, app.Invalid("role", "Role must be one of viewer, editor, manager.")
}

// Visibility says who may see a resource without being granted a role.
type Visibility string

const (
	// VisibleToOrg resources are visible to every member of the
	// organisation (not to guests).
	VisibleToOrg Visibility = "org"
	// VisibleToMembers resources are visible only to those granted a role.
	VisibleToMembers Visibility = "members"
)

// Resource types that have grants.
const (
	Space   = "space"
	Channel = "channel"
	Project = "project"
)

// ResourceTypes lists them.
var ResourceTypes = []string{Space, Channel, Project}

// Resource is what a resource check needs to know about the thing checked.
type Resource struct {
	Type string // Space, Channel or Project
	ID   string
	// Visibility of the resource; anything but VisibleToOrg (including
	// empty) is treated as members only, the safe default.
	Visibility Visibility
}

// requiredRole is the weakest resource role that allows a.
func requiredRole(a Action) ResourceRole {
	switch a {
	case View, Comment:
		return Viewer
	case Edit:
		return Editor
	case Manage, Delete:
		return Manager
	}
	// Unknown actions need more than anyone can hold.
	return ResourceRole("unknown")
}

// requiredScope is the personal access token scope a needs. Scopes nest:
// admin includes write, write includes read. Changing who has access to a
// resource or deleting it needs the admin scope, so a leaked automation
// token can add content at worst, never hand out access or destroy a space.
func requiredScope(a Action) app.Scope {
	switch a {
	case View:
		return app.ScopeRead
	case Comment, Edit, CreateResources:
		return app.ScopeWrite
	}
	return app.ScopeAdmin
}

// hasScope reports whether p's credential carries scope s or a broader one.
// A session carries every scope; the role still decides.
func hasScope(p *app.Principal, s app.Scope) bool {
	switch s {
	case app.ScopeRead:
		return p.HasScope(app.ScopeRead) || p.HasScope(app.ScopeWrite) || p.HasScope(app.ScopeAdmin)
	case app.ScopeWrite:
		return p.HasScope(app.ScopeWrite) || p.HasScope(app.ScopeAdmin)
	}
	return p.HasScope(s)
}

// EffectiveRoleFor combines the global role, the role granted on the
// resource (the highest of the user's own grant and their teams' grants) and
// the resource's visibility into the role the user acts with:
//
//   - owners and admins act as managers on every resource, granted or not;
//   - members get at least viewer on org-wide resources;
//   - guests get only what was granted to them or their teams, and never
//     more than editor: they cannot change who has access or delete.
//
// It is pure, so the documented matrix can be checked cell by cell.
func EffectiveRoleFor(global app.Role, granted ResourceRole, vis Visibility) ResourceRole {
	switch global {
	case app.RoleOwner, app.RoleAdmin:
		return Manager
	case app.RoleMember:
		if vis == VisibleToOrg && granted.Rank() < Viewer.Rank() {
			return Viewer
		}
		return granted
	case app.RoleGuest:
		if granted.Rank() > Editor.Rank() {
			return Editor
		}
		return granted
	}
	return NoRole
}

// Allows reports whether role permits action a on a resource.
func (r ResourceRole) Allows(a Action) bool {
	need := requiredRole(a)
	return need.Rank() > 0 && r.Rank() >= need.Rank()
}

// GlobalAllowed reports whether the global role alone permits the
// organisation-wide action a (token scopes aside).
func GlobalAllowed(role app.Role, a Action) bool {
	switch a {
	case ManageOwners:
		return role == app.RoleOwner
	case ManageUsers, ManageTeams, ViewAudit, ManageSettings, ViewMail:
		return role == app.RoleOwner || role == app.RoleAdmin
	case CreateResources:
		return role == app.RoleOwner || role == app.RoleAdmin || role == app.RoleMember
	}
	return false
}

var (
	errForbidden      = &app.Error{Code: app.CodeForbidden, Message: "You do not have permission to do that."}
	errSignInRequired = &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
)

func errScope(s app.Scope) error {
	return &app.Error{Code: app.CodeForbidden, Message: "This access token lacks the " + string(s) + " scope.",
		Details: map[string]any{"required_scope": string(s)}}
}

// active reports whether p is a usable principal. Authentication already
// refuses disabled and deleted accounts; this keeps the check safe for
// callers that build principals themselves (background jobs, tests).
func active(p *app.Principal) bool {
	return p.User.Status == app.UserActive && !p.User.Deleted()
}

// RequireGlobal returns a forbidden error unless p may perform the
// organisation-wide action a. Personal access tokens need the admin scope
// for the administrative ones and the write scope for CreateResources.
func RequireGlobal(p *app.Principal, a Action) error {
	if p == nil {
		return errSignInRequired
	}
	if s := requiredScope(a); !hasScope(p, s) {
		return errScope(s)
	}
	if active(p) && GlobalAllowed(p.User.Role, a) {
		return nil
	}
	return errForbidden
}
