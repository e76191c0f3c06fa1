// Package auth holds the sign-in use-cases: first-run setup, password
// sign-in, refresh-token rotation with reuse detection, sign-out and access
// token checks.
package auth

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"nexus/app"
)

// Config is the part of the configuration the auth use-cases read.
type Config struct {
	AccessTokenTTL          time.Duration
	RefreshIdleTimeout      time.Duration
	RefreshAbsoluteLifetime time.Duration
	PasswordMinLength       int
}

// Service runs the sign-in use-cases.
type Service struct {
	store   Store
	tokens  *Tokens
	hasher  *Hasher
	limiter *Limiter
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	mfa     MFAHooks // mfa_hook.go
	// touching holds the ids of personal access tokens whose last-used
	// time is being written right now (see touchAccessToken).
	touching sync.Map
}

// NewService wires the use-cases; now is the clock (time.Now in production).
func NewService(store Store, tokens *Tokens, hasher *Hasher, limiter *Limiter, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, tokens: tokens, hasher: hasher, limiter: limiter, cfg: cfg, now: now, log: log}
}

// SignIn is the result of a successful setup, sign-in or refresh.
type SignIn struct {
	User             app.User
	AccessToken      string
	ExpiresIn        time.Duration
	RefreshToken     string
	RefreshExpiresAt time.Time
	// DeviceCookie is set after a password sign-in: it marks this browser as
	// one the account has signed in on (see Limiter).
	DeviceCookie string
	// MFA is set instead of the tokens when the password was right but a
	// second factor is still needed.
	MFA *MFAChallenge
}

// MFAChallenge asks the client for a second factor.
type MFAChallenge struct {
	Token   string   // signed, short-lived; sent back with the code
	Methods []string // "totp", "recovery_code"
}

var (
	errBadCredentials = &app.Error{Code: app.CodeUnauthorized, Message: "Incorrect email or password."}
	errSessionEnded   = &app.Error{Code: app.CodeUnauthorized, Message: "Your session has ended. Sign in again.",
		Details: map[string]any{"reason": "session_ended"}}
	errSignInRequired = &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue.",
		Details: map[string]any{"reason": "token_missing"}}
	errTokenInvalid = &app.Error{Code: app.CodeUnauthorized, Message: "Your sign-in has expired or is not valid. Sign in again.",
		Details: map[string]any{"reason": "token_invalid"}}
	errTokenExpired = &app.Error{Code: app.CodeUnauthorized, Message: "Your sign-in has expired. Sign in again.",
		Details: map[string]any{"reason": "token_expired"}}
	errSetupDone = &app.Error{Code: app.CodeConflict, Message: "Nexus is already set up. Sign in instead."}
)

func (s *Service) startSession(ctx context.Context, tx Tx, u *app.User, meta app.RequestMeta) (*SignIn, error) {
	now := tx.Now()
	sess := &Session{ID: app.NewID(), UserID: u.ID, CreatedAt: now, LastUsedAt: now,
		ExpiresAt: now.Add(s.cfg.RefreshAbsoluteLifetime), UserAgent: truncate(meta.UserAgent, 512), IP: meta.IP}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return s.issue(ctx, tx, u, sess)
}

// issue creates the next refresh token of sess and an access token.
func (s *Service) issue(ctx context.Context, tx Tx, u *app.User, sess *Session) (*SignIn, error) {
	now := tx.Now()
	if err := tx.TouchUserSeen(ctx, u.ID, now); err != nil {
		return nil, err
	}
	u.LastSeenAt = now
	token, hash, err := NewOpaqueToken()
	if err != nil {
		return nil, err
	}
	if err := tx.CreateRefreshToken(ctx, &RefreshToken{Hash: hash, SessionID: sess.ID, CreatedAt: now}); err != nil {
		return nil, err
	}
	access, err := s.tokens.IssueAccess(u.ID, sess.ID, now)
	if err != nil {
		return nil, err
	}
	expires := now.Add(s.cfg.RefreshIdleTimeout)
	if sess.ExpiresAt.Before(expires) {
		expires = sess.ExpiresAt
	}
	return &SignIn{User: *u, AccessToken: access, ExpiresIn: s.tokens.TTL(), RefreshToken: token, RefreshExpiresAt: expires}, nil
}

func (s *Service) audit(ctx context.Context, e app.AuditEntry) error {
	return s.store.Update(ctx, func(tx Tx) error {
		e.At = tx.Now()
		return tx.AppendAudit(ctx, e)
	})
}

func userCreatedEvent(u *app.User, now time.Time) app.Event {
	return app.Event{Type: app.EventUserCreated, ResourceType: "user", ResourceID: u.ID, At: now,
		Data: map[string]any{"id": u.ID, "name": u.Name, "role": string(u.Role)}}
}

func retrySeconds(wait time.Duration) int {
	return max(1, int((wait+time.Second-1)/time.Second))
}

func rateLimited(wait time.Duration) error {
	secs := retrySeconds(wait)
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &app.Error{Code: app.CodeRateLimited, Message: fmt.Sprintf("Too many sign-in attempts. Try again in %d %s.", secs, unit),
		Details: map[string]any{"retry_after": secs}}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
