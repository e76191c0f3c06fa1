// Package auth holds the sign-in use-cases: first-run setup, password
// sign-in, refresh-token rotation with reuse detection, sign-out and access
// token checks.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

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

// SetupNeeded reports whether no user exists yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// SetupInput creates the first account.
type SetupInput struct {
	Email    string
	Name     string
	Password string
}

// Setup creates the owner account while no user exists, and signs them in.
func (s *Service) Setup(ctx context.Context, in SetupInput, meta app.RequestMeta) (*SignIn, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	if err := CheckPasswordPolicy(in.Password, s.cfg.PasswordMinLength); err != nil {
		return nil, err
	}
	// Cheap pre-check so a finished install does not spend a hash on every
	// stray setup request; the transaction below re-checks under the lock.
	if needed, err := s.SetupNeeded(ctx); err != nil {
		return nil, err
	} else if !needed {
		return nil, errSetupDone
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash owner password: %w", err)
	}

	var out *SignIn
	err = s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if n > 0 {
			return errSetupDone
		}
		now := tx.Now()
		u := &app.User{ID: app.NewID(), Email: email, Name: name, Role: app.RoleOwner, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: u.ID, ActorLabel: u.Email, Action: app.ActionSetup,
			TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"role": string(u.Role)}}); err != nil {
			return err
		}
		out, err = s.startSession(ctx, tx, u, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.DeviceCookie, err = s.tokens.SignDevice(out.User.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// LoginInput is a password sign-in attempt.
type LoginInput struct {
	Email        string
	Password     string
	DeviceCookie string
}

// Login checks a password and starts a session. Unknown accounts and wrong
// passwords get the same answer after the same work.
func (s *Service) Login(ctx context.Context, in LoginInput, meta app.RequestMeta) (*SignIn, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if in.Password == "" {
		return nil, app.Invalid("password", "Password is required.")
	}
	user, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && !app.IsNotFound(err) {
		return nil, fmt.Errorf("find user: %w", err)
	}

	limitKey := "account:" + email
	trusted := false
	if deviceID, userID, ok := s.tokens.VerifyDevice(in.DeviceCookie); ok && user != nil && userID == user.ID {
		limitKey, trusted = "device:"+deviceID, true
	}
	if d := s.limiter.Allow(meta.IP, limitKey); !d.OK {
		s.log.WarnContext(ctx, "sign-in throttled", "email", email, "ip", meta.IP, "retry_after", d.RetryAfter.Round(time.Second).String())
		if d.FirstRefusal {
			entry := app.AuditEntry{ActorLabel: email, Action: app.ActionLoginThrottled, TargetType: "user",
				IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
				Details: map[string]any{"retry_after_seconds": retrySeconds(d.RetryAfter)}}
			if user != nil {
				entry.ActorID, entry.TargetID = user.ID, user.ID
			}
			if err := s.audit(ctx, entry); err != nil {
				return nil, err
			}
		}
		return nil, rateLimited(d.RetryAfter)
	}

	var match bool
	switch {
	case len(in.Password) > 4*MaxPasswordLength:
		// No password can be this long, so there is nothing to hash; it still
		// counts as a failed attempt below.
	case user != nil:
		match, err = s.hasher.Verify(ctx, in.Password, user.PasswordHash)
	default:
		err = s.hasher.VerifyNone(ctx, in.Password)
	}
	if err != nil {
		return nil, fmt.Errorf("verify password: %w", err)
	}
	if !match {
		delay := s.limiter.Failure(limitKey)
		entry := app.AuditEntry{ActorLabel: email, Action: app.ActionLoginFailed, TargetType: "user",
			IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
			Details: map[string]any{"reason": "bad_credentials"}}
		if user != nil {
			entry.ActorID, entry.TargetID = user.ID, user.ID
		} else {
			entry.Details["reason"] = "unknown_account"
		}
		if delay > 0 {
			entry.Details["delayed_seconds"] = int(delay.Round(time.Second) / time.Second)
		}
		if err := s.audit(ctx, entry); err != nil {
			return nil, err
		}
		return nil, errBadCredentials
	}
	s.limiter.Success(limitKey)

	if user.Status != app.UserActive {
		if err := s.audit(ctx, app.AuditEntry{ActorID: user.ID, ActorLabel: email, Action: app.ActionLoginFailed,
			TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
			Details: map[string]any{"reason": "disabled"}}); err != nil {
			return nil, err
		}
		return nil, &app.Error{Code: app.CodeForbidden, Message: "This account is disabled. Ask an administrator to enable it."}
	}

	var out *SignIn
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: user.ID, ActorLabel: email, Action: app.ActionLogin,
			TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"method": "password", "known_device": trusted}}); err != nil {
			return err
		}
		out, err = s.startSession(ctx, tx, user, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.DeviceCookie = in.DeviceCookie
	if !trusted {
		if out.DeviceCookie, err = s.tokens.SignDevice(user.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Refresh rotates a refresh token: the presented token is spent and a new
// one issued in the same session. A token presented a second time revokes
// the session, because one of the two holders must have stolen it.
func (s *Service) Refresh(ctx context.Context, token string, meta app.RequestMeta) (*SignIn, error) {
	if token == "" {
		return nil, errSignInRequired
	}
	hash := HashOpaqueToken(token)
	var out *SignIn
	var refused error
	err := s.store.Update(ctx, func(tx Tx) error {
		rt, err := tx.FindRefreshToken(ctx, hash)
		if app.IsNotFound(err) {
			refused = errSessionEnded
			return nil
		}
		if err != nil {
			return err
		}
		sess, err := tx.FindSession(ctx, rt.SessionID)
		if err != nil {
			return fmt.Errorf("find session of refresh token: %w", err)
		}
		now := tx.Now()
		if !rt.UsedAt.IsZero() {
			refused = errSessionEnded
			if !sess.RevokedAt.IsZero() {
				return nil
			}
			if err := tx.RevokeSession(ctx, sess.ID, RevokedReuse); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: sess.UserID, Action: app.ActionRefreshReuse,
				TargetType: "session", TargetID: sess.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
				Details: map[string]any{"token_used_at": rt.UsedAt.UTC().Format(time.RFC3339), "session_ip": sess.IP}})
		}
		if !sess.Active(now, s.cfg.RefreshIdleTimeout) {
			refused = errSessionEnded
			return nil
		}
		user, err := tx.FindUserByID(ctx, sess.UserID)
		if err != nil {
			return fmt.Errorf("find user of session: %w", err)
		}
		if user.Status != app.UserActive {
			refused = errSessionEnded
			return nil
		}
		if err := tx.MarkRefreshTokenUsed(ctx, hash); err != nil {
			return err
		}
		if err := tx.TouchSession(ctx, sess.ID, now); err != nil {
			return err
		}
		sess.LastUsedAt = now
		out, err = s.issue(ctx, tx, user, sess)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// Logout revokes the session that the refresh token (or, without one, the
// access token's session id) belongs to. Signing out twice is not an error.
func (s *Service) Logout(ctx context.Context, refreshToken, sessionID string, meta app.RequestMeta) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if refreshToken != "" {
			rt, err := tx.FindRefreshToken(ctx, HashOpaqueToken(refreshToken))
			if err != nil && !app.IsNotFound(err) {
				return err
			}
			if rt != nil {
				sessionID = rt.SessionID
			}
		}
		if sessionID == "" {
			return nil
		}
		sess, err := tx.FindSession(ctx, sessionID)
		if app.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !sess.RevokedAt.IsZero() {
			return nil
		}
		if err := tx.RevokeSession(ctx, sess.ID, RevokedLogout); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: sess.UserID, Action: app.ActionLogout,
			TargetType: "session", TargetID: sess.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess})
	})
}

// Authenticate turns a bearer access token into the request's principal. The
// session and user are re-read on every request, so a sign-out or a disabled
// account takes effect at once rather than when the token expires.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*app.Principal, error) {
	if bearer == "" {
		return nil, errSignInRequired
	}
	claims, err := s.tokens.VerifyAccess(bearer)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, errTokenExpired
		}
		return nil, errTokenInvalid
	}
	user, sess, err := s.store.FindSessionUser(ctx, claims.Subject, claims.SessionID)
	if app.IsNotFound(err) {
		return nil, errTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("find session user: %w", err)
	}
	if !sess.RevokedAt.IsZero() || !s.now().Before(sess.ExpiresAt) || user.Status != app.UserActive {
		return nil, errSessionEnded
	}
	return &app.Principal{User: *user, SessionID: sess.ID}, nil
}

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

// CreateUserInput is an account created by an operator (the CLI today, the
// admin pages later).
type CreateUserInput struct {
	Email    string
	Name     string
	Role     app.Role
	Password string
}

// CreateUser adds an account. actorLabel names who did it in the audit log.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput, actorLabel string, meta app.RequestMeta) (*app.User, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	if _, err := app.ParseRole(string(in.Role)); err != nil {
		return nil, err
	}
	if err := CheckPasswordPolicy(in.Password, s.cfg.PasswordMinLength); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	var u *app.User
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		u = &app.User{ID: app.NewID(), Email: email, Name: name, Role: in.Role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorLabel: actorLabel, Action: app.ActionUserCreated,
			TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"role": string(u.Role), "email": u.Email}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
