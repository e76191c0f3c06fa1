// Package identity is account management: administering users,
// invitations and registration, profiles, and password changes and resets.
package identity

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/mail"
	"nexus/app/settings"
)

// Invitation is an administrator's invitation for one email address to
// join with a role. Only the SHA-256 of its token is stored.
type Invitation struct {
	ID             string
	Email          string
	Role           app.Role
	TokenHash      []byte
	InvitedBy      string
	InviterName    string // read with the invitation, for display
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     time.Time
	AcceptedUserID string
	RevokedAt      time.Time
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationExpired  InvitationStatus = "expired"
	InvitationRevoked  InvitationStatus = "revoked"
)

// Status is the invitation's status at now.
func (i *Invitation) Status(now time.Time) InvitationStatus {
	switch {
	case !i.AcceptedAt.IsZero():
		return InvitationAccepted
	case !i.RevokedAt.IsZero():
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// PasswordReset is one reset link sent to a user.
type PasswordReset struct {
	TokenHash []byte
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// UserFilter selects users for the admin list, ordered by name (case
// folded) then id.
type UserFilter struct {
	// Query matches part of the name or email, case-insensitively.
	Query string
	Role  app.Role
	// Status is "active", "disabled" (not deleted), "deleted", or empty
	// for every account that is not deleted.
	Status string
	// After continues a listing after this user (keyset pagination).
	After *UserCursor
	Limit int
}

// UserCursor is the position of the last user of a page.
type UserCursor struct {
	Name string `json:"n"`
	ID   string `json:"i"`
}

// InvitationFilter selects invitations, newest first.
type InvitationFilter struct {
	Status InvitationStatus // empty for all
	Now    time.Time        // decides which are expired
	Before string           // an invitation id: only older ones
	Limit  int
}

// Store is what the account use-cases read; Update runs fn in one write
// transaction.
type Store interface {
	FindUserByID(ctx context.Context, id string) (*app.User, error)
	FindUserByEmail(ctx context.Context, email string) (*app.User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]app.User, error)
	FindInvitationByTokenHash(ctx context.Context, hash []byte) (*Invitation, error)
	FindInvitations(ctx context.Context, f InvitationFilter) ([]Invitation, error)
	FindPasswordReset(ctx context.Context, hash []byte) (*PasswordReset, error)
	// FindAvatar returns the user's avatar PNG, or not_found.
	FindAvatar(ctx context.Context, userID string) ([]byte, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction. It is also an auth.Tx, so a new account and
// its first session are written together.
type Tx interface {
	auth.Tx
	mail.Outbox
	FindUserByEmail(ctx context.Context, email string) (*app.User, error)
	// UpdateUserAccount writes the account fields of u (email, name, role,
	// status, password hash, language, time zone, avatar time, deletion)
	// if the stored version is still u.Version, and then increments
	// u.Version and sets u.UpdatedAt. A stale version is a conflict.
	UpdateUserAccount(ctx context.Context, u *app.User) error
	// CountActiveOwners counts owners who are active and not deleted.
	CountActiveOwners(ctx context.Context) (int, error)
	// RevokeSessionsOfUser ends every live session of the user except
	// keepID (when set) and returns the ids it ended.
	RevokeSessionsOfUser(ctx context.Context, userID, keepID, reason string) ([]string, error)
	// RevokeAccessTokensOfUser revokes every personal access token of the
	// user and returns how many were live.
	RevokeAccessTokensOfUser(ctx context.Context, userID string) (int64, error)
	// RemoveUserMemberships takes a deleted user out of every team and
	// drops their resource grants.
	RemoveUserMemberships(ctx context.Context, userID string) error
	CreateInvitation(ctx context.Context, inv *Invitation) error
	FindInvitationByID(ctx context.Context, id string) (*Invitation, error)
	FindInvitationByTokenHash(ctx context.Context, hash []byte) (*Invitation, error)
	// FindPendingInvitationByEmail returns the invitation for email that is
	// neither accepted, revoked nor expired at now, or not_found.
	FindPendingInvitationByEmail(ctx context.Context, email string, now time.Time) (*Invitation, error)
	// UpdateInvitation writes token hash, expiry, acceptance and
	// revocation.
	UpdateInvitation(ctx context.Context, inv *Invitation) error
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	FindPasswordReset(ctx context.Context, hash []byte) (*PasswordReset, error)
	// MarkPasswordResetUsed spends a link; false when it was already spent.
	MarkPasswordResetUsed(ctx context.Context, hash []byte) (bool, error)
	// DeletePasswordResets removes every reset link of the user.
	DeletePasswordResets(ctx context.Context, userID string) error
	PutAvatar(ctx context.Context, userID string, png []byte) error
	DeleteAvatar(ctx context.Context, userID string) error
}

// Config is the part of the configuration the account use-cases read.
type Config struct {
	InvitationTTL    time.Duration
	PasswordResetTTL time.Duration
}

// Service runs the account use-cases.
type Service struct {
	store    Store
	auth     *auth.Service
	mail     *mail.Service
	settings settings.Reader
	cfg      Config
	now      func() time.Time
	log      *slog.Logger

	// Public endpoints that strangers can call are limited per client IP
	// and per target (an email address, an account), with progressive
	// delays rather than hard locks; see auth.Limiter.
	forgotLimiter   *auth.Limiter // password reset requests: per IP, per email
	resetLimiter    *auth.Limiter // reset link use: per IP, bad links slow it down
	registerLimiter *auth.Limiter // registration: per IP, per email
	inviteLimiter   *auth.Limiter // invitation lookup and accept: per IP, bad tokens slow it down
	reauthLimiter   *auth.Limiter // wrong current password on password/email change: per account
}

// NewService wires the account use-cases. settings supplies the
// registration policy; now is the clock (time.Now in production).
func NewService(store Store, authSvc *auth.Service, mailSvc *mail.Service, settings settings.Reader, cfg Config,
	now func() time.Time, log *slog.Logger) *Service {
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = 7 * 24 * time.Hour
	}
	if cfg.PasswordResetTTL <= 0 {
		cfg.PasswordResetTTL = 30 * time.Minute
	}
	return &Service{store: store, auth: authSvc, mail: mailSvc, settings: settings, cfg: cfg, now: now, log: log,
		// Every request for the same address counts: three go through at
		// once (the third starts a one-minute wait), then each waits twice
		// as long as the last; an hour without requests forgets them.
		forgotLimiter: auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 10, FreeFailures: 2,
			BaseDelay: time.Minute, MaxDelay: time.Hour, ForgetAfter: time.Hour}, now),
		resetLimiter: auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 20, FreeFailures: 5,
			BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, now),
		registerLimiter: auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 10, FreeFailures: 2,
			BaseDelay: time.Minute, MaxDelay: time.Hour, ForgetAfter: time.Hour}, now),
		inviteLimiter: auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 30, FreeFailures: 5,
			BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, now),
		reauthLimiter: auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 30, FreeFailures: 5,
			BaseDelay: time.Second, MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, now),
	}
}

var (
	errUserNotFound = &app.Error{Code: app.CodeNotFound, Message: "User not found."}
	errLastOwner    = &app.Error{Code: app.CodeConflict,
		Message: "This is the last active owner. Make someone else an owner first.",
		Details: map[string]any{"reason": "last_owner"}}
	errUserDeleted = &app.Error{Code: app.CodeConflict, Message: "This account was deleted and can no longer be changed.",
		Details: map[string]any{"reason": "deleted"}}
	errVersionRequired = app.Invalid("version", "Send the version you last read (for example 3), so a concurrent change is not overwritten.")
)

// staleVersion is the answer to an update based on an old read.
func staleVersion(current int64) error {
	return &app.Error{Code: app.CodeConflict,
		Message: "Someone else changed this in the meantime. Reload to see their change, then try again.",
		Details: map[string]any{"reason": "version_conflict", "current_version": current}}
}

// rateLimited is the 429 of the account endpoints.
func rateLimited(wait time.Duration) error {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &app.Error{Code: app.CodeRateLimited, Message: fmt.Sprintf("Too many attempts. Try again in %d %s.", secs, unit),
		Details: map[string]any{"retry_after": secs}}
}

// audit builds an audit entry for an action by p on a user.
func audit(p *app.Principal, meta app.RequestMeta, at time.Time, action, targetID string, details map[string]any) app.AuditEntry {
	e := app.AuditEntry{At: at, Action: action, TargetType: "user", TargetID: targetID, IP: meta.IP,
		UserAgent: meta.UserAgent, Result: app.AuditSuccess, Details: details}
	if p != nil {
		e.ActorID, e.ActorLabel = p.User.ID, p.User.Email
	}
	return e
}

func userEvent(typ string, u *app.User, at time.Time) app.Event {
	return app.Event{Type: typ, ResourceType: "user", ResourceID: u.ID, At: at,
		Data: map[string]any{"id": u.ID, "name": u.Name, "role": string(u.Role), "status": string(u.Status),
			"deleted": u.Deleted()}}
}

// userCreatedEvent matches the event auth writes for accounts it creates.
func userCreatedEvent(u *app.User, at time.Time) app.Event {
	return app.Event{Type: app.EventUserCreated, ResourceType: "user", ResourceID: u.ID, At: at,
		Data: map[string]any{"id": u.ID, "name": u.Name, "role": string(u.Role)}}
}

// update runs fn in a write transaction.
func (s *Service) update(ctx context.Context, fn func(Tx) error) error {
	return s.store.Update(ctx, fn)
}

// findUser reads a user inside tx, as a 404 when absent.
func findUser(ctx context.Context, tx Tx, id string) (*app.User, error) {
	u, err := tx.FindUserByID(ctx, id)
	if app.IsNotFound(err) {
		return nil, errUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// hashPassword checks the policy and hashes. field names the request
// field the password came in, for the error.
func (s *Service) hashPassword(ctx context.Context, password, field string) (string, error) {
	if err := auth.CheckPasswordPolicy(password, s.auth.PasswordMinLength()); err != nil {
		if field != "password" {
			if ae, ok := err.(*app.Error); ok {
				err = ae.WithDetail("field", field)
			}
		}
		return "", err
	}
	hash, err := s.auth.Hasher().Hash(ctx, password)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// enqueue composes a message and adds it to the outbox in tx.
func (s *Service) enqueue(ctx context.Context, tx Tx, kind mail.Kind, to, lang, tz string, restricted bool, data any) error {
	m, err := s.mail.New(kind, to, lang, tz, data)
	if err != nil {
		return err
	}
	m.CreatedAt, m.Restricted = tx.Now(), restricted
	if m.Status == mail.StatusQueued {
		m.NextAttemptAt = m.CreatedAt
	}
	return tx.EnqueueMail(ctx, m)
}
