package app

import "time"

// AuditEntry is one row of the append-only audit log. It is written in the
// same transaction as the change it describes.
type AuditEntry struct {
	ID         string
	At         time.Time
	ActorID    string // empty for anonymous actors (e.g. a failed sign-in)
	ActorLabel string // what identified the actor: an email, "cli", "system"
	Action     string // e.g. "auth.login", "auth.login_failed"
	TargetType string
	TargetID   string
	IP         string
	UserAgent  string
	Result     AuditResult
	Details    map[string]any
}

// AuditResult is the outcome recorded in an audit entry.
type AuditResult string

const (
	AuditSuccess AuditResult = "success"
	AuditFailure AuditResult = "failure"
)

// Event is a change notification appended to the outbox in the same
// transaction as the change. After commit, the dispatcher publishes it on the
// bus for realtime delivery, indexing and embedding.
type Event struct {
	Seq          int64 // assigned by the store
	Type         string
	ResourceType string
	ResourceID   string
	At           time.Time
	Data         map[string]any
}

// Audit action names. Keep them stable: operators filter and alert on them.
const (
	ActionSetup          = "auth.setup"
	ActionLogin          = "auth.login"
	ActionLoginFailed    = "auth.login_failed"
	ActionLoginThrottled = "auth.login_throttled"
	ActionLogout         = "auth.logout"
	ActionRefreshReuse   = "auth.refresh_reuse"
	ActionUserCreated    = "user.created"
	// Accounts (users, invitations, registration, profile, passwords).
	ActionUserInvited                = "user.invited"
	ActionUserInvitationRevoked      = "user.invitation_revoked"
	ActionUserInvitationAccepted     = "user.invitation_accepted"
	ActionUserRegistered             = "user.registered"
	ActionUserRoleChanged            = "user.role_changed"
	ActionUserDisabled               = "user.disabled"
	ActionUserEnabled                = "user.enabled"
	ActionUserDeleted                = "user.deleted"
	ActionUserProfileUpdated         = "user.profile_updated"
	ActionUserEmailChanged           = "user.email_changed"
	ActionUserPasswordChanged        = "user.password_changed"
	ActionUserPasswordResetRequested = "user.password_reset_requested"
	ActionUserPasswordReset          = "user.password_reset"
	// Access (teams, resource grants, audit log, settings).
	ActionTeamCreated       = "team.created"
	ActionTeamUpdated       = "team.updated"
	ActionTeamDeleted       = "team.deleted"
	ActionTeamMemberAdded   = "team.member_added"
	ActionTeamMemberRemoved = "team.member_removed"
	ActionAccessGranted     = "access.granted"
	ActionAccessRevoked     = "access.revoked"
	ActionSettingsChanged   = "settings.changed"
	ActionAuditExpired      = "audit.expired"
	ActionAuditExported     = "audit.exported"
	// MFA and SSO.
	ActionMFAEnrolled                 = "mfa.enrolled"
	ActionMFADisabled                 = "mfa.disabled"
	ActionMFAReset                    = "mfa.reset"
	ActionMFARecoveryCodesRegenerated = "mfa.recovery_codes_regenerated"
	ActionMFAFailed                   = "auth.mfa_failed"
	ActionSSOLogin                    = "auth.sso_login"
	ActionSSOFailed                   = "auth.sso_failed"
	// Sessions and personal access tokens.
	ActionSessionRevoked = "session.revoked"
	ActionTokenCreated   = "token.created"
	ActionTokenRevoked   = "token.revoked"
)

// Event types.
const (
	EventUserCreated = "user.created"
	// Accounts: a user's name, role, status or avatar changed (realtime
	// refreshes what it shows, and drops a disabled user's connections);
	// a user was deleted.
	EventUserUpdated = "user.updated"
	EventUserDeleted = "user.deleted"
	// Access: realtime re-evaluates who may see what when these arrive.
	EventTeamMemberAdded   = "team.member_added"
	EventTeamMemberRemoved = "team.member_removed"
	EventTeamDeleted       = "team.deleted"
	EventAccessGranted     = "access.granted"
	EventAccessRevoked     = "access.revoked"
	EventSettingsChanged   = "settings.changed"
)

// RequestMeta describes where a request came from, for audit rows and rate
// limiting.
type RequestMeta struct {
	IP        string
	UserAgent string
}
