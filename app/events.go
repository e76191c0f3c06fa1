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
	// Knowledge base: spaces (membership changes are access.granted and
	// access.revoked), share links, permanent deletes, imports and exports.
	ActionKBSpaceCreated           = "kb.space_created"
	ActionKBSpaceVisibilityChanged = "kb.space_visibility_changed"
	ActionKBSpaceArchived          = "kb.space_archived"
	ActionKBSpaceRestored          = "kb.space_restored"
	ActionKBShareCreated           = "kb.share_created"
	ActionKBShareRevoked           = "kb.share_revoked"
	ActionKBDocumentPurged         = "kb.document_purged"
	ActionKBImported               = "kb.imported"
	ActionKBSpaceExported          = "kb.space_exported"
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
	// Knowledge base. Document events carry data.space_id; document.moved
	// also data.from_space_id; a subtree moved to or from the trash is one
	// event for its root, with data.ids listing every document in it.
	EventSpaceCreated     = "space.created"
	EventSpaceUpdated     = "space.updated"
	EventSpaceArchived    = "space.archived"
	EventSpaceRestored    = "space.restored"
	EventDocumentCreated  = "document.created"
	EventDocumentUpdated  = "document.updated"
	EventDocumentMoved    = "document.moved"
	EventDocumentDeleted  = "document.deleted"
	EventDocumentRestored = "document.restored"
	EventDocumentPurged   = "document.purged"
)

// RequestMeta describes where a request came from, for audit rows and rate
// limiting.
type RequestMeta struct {
	IP        string
	UserAgent string
}

// Chat (C1): audit actions for membership, roles, archiving and moderator
// deletions, and the chat event types. Chat events about a channel have
// resource_type "channel" and resource_id the channel ID (delivered to the
// channel's members); events for one user have resource_type
// "notification", resource_id and data.user_id that user.
const (
	ActionChannelMemberAdded   = "channel.member_added"
	ActionChannelMemberRemoved = "channel.member_removed"
	ActionChannelRoleChanged   = "channel.role_changed"
	ActionChannelTeamAdded     = "channel.team_added"
	ActionChannelTeamRemoved   = "channel.team_removed"
	ActionChannelArchived      = "channel.archived"
	ActionChannelUnarchived    = "channel.unarchived"
	ActionMessageModerated     = "message.moderator_deleted"

	EventChannelCreated      = "channel.created"
	EventChannelUpdated      = "channel.updated"
	EventChannelArchived     = "channel.archived"
	EventChannelUnarchived   = "channel.unarchived"
	EventMemberAdded         = "member.added"
	EventMemberUpdated       = "member.updated"
	EventMemberRemoved       = "member.removed"
	EventMessageCreated      = "message.created"
	EventMessageUpdated      = "message.updated"
	EventMessageDeleted      = "message.deleted"
	EventThreadUpdated       = "thread.updated"
	EventReactionAdded       = "reaction.added"
	EventReactionRemoved     = "reaction.removed"
	EventPinAdded            = "pin.added"
	EventPinRemoved          = "pin.removed"
	EventReadUpdated         = "read.updated"
	EventNotificationCreated = "notification.created"
	EventNotificationsRead   = "notification.read"
	EventChatPrefsUpdated    = "preferences.updated"
)

// Attachments (K2). resource_type and resource_id are the owner's
// ("document", "message", "draft" and its ID), so realtime refreshes the
// owner's view; data carries attachment_id, name, content_type and size.
const (
	EventAttachmentCreated = "attachment.created"
	EventAttachmentDeleted = "attachment.deleted"
)
