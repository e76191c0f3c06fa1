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
)

// Event types.
const (
	EventUserCreated = "user.created"
)

// RequestMeta describes where a request came from, for audit rows and rate
// limiting.
type RequestMeta struct {
	IP        string
	UserAgent string
}
