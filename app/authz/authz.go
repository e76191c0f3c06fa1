// Package authz answers "may this principal do this": the one permission
// check every handler calls. See docs/permissions.md for the matrix.
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
)

var errForbidden = &app.Error{Code: app.CodeForbidden, Message: "You do not have permission to do that."}

// RequireGlobal returns a forbidden error unless p may perform the
// organisation-wide action a. Personal access tokens need the admin scope
// for any of them.
func RequireGlobal(p *app.Principal, a Action) error {
	if p == nil {
		return &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if !p.HasScope(app.ScopeAdmin) {
		return &app.Error{Code: app.CodeForbidden, Message: "This access token lacks the admin scope.",
			Details: map[string]any{"required_scope": string(app.ScopeAdmin)}}
	}
	switch a {
	case ManageOwners:
		if p.User.Role == app.RoleOwner {
			return nil
		}
	case ManageUsers, ManageTeams, ViewAudit, ManageSettings, ViewMail:
		if p.User.Role == app.RoleOwner || p.User.Role == app.RoleAdmin {
			return nil
		}
	}
	return errForbidden
}
