package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/mail"
)

// Session revocation reasons written by the account use-cases.
const (
	revokedPasswordChanged = "password_changed"
	revokedPasswordReset   = "password_reset"
)

// ChangePasswordInput is a signed-in user's password change.
type ChangePasswordInput struct {
	CurrentPassword      string
	NewPassword          string
	SignOutOtherSessions bool
}

var errWrongCurrentPassword = app.Invalid("current_password", "Your current password is not right.")

// verifyPassword re-authenticates the principal with their password. Wrong
// answers are counted per account, with growing delays, so a stolen session
// cannot be used to guess the password.
func (s *Service) verifyPassword(ctx context.Context, p *app.Principal, password, field string, meta app.RequestMeta) (*app.User, error) {
	key := "user:" + p.User.ID
	if d := s.reauthLimiter.Allow(meta.IP, key); !d.OK {
		return nil, rateLimited(d.RetryAfter)
	}
	if password == "" {
		return nil, app.Invalid(field, "Enter your current password.")
	}
	u, err := s.store.FindUserByID(ctx, p.User.ID)
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	ok := false
	if len(password) <= 4*auth.MaxPasswordLength {
		if ok, err = s.auth.Hasher().Verify(ctx, password, u.PasswordHash); err != nil {
			return nil, fmt.Errorf("verify password: %w", err)
		}
	}
	if !ok {
		s.reauthLimiter.Failure(key)
		return nil, app.Invalid(field, errWrongCurrentPassword.Message).WithDetail("reason", "wrong_password")
	}
	s.reauthLimiter.Success(key)
	return u, nil
}

// ChangePassword sets a new password after checking the current one, and
// optionally signs out every other session.
func (s *Service) ChangePassword(ctx context.Context, p *app.Principal, in ChangePasswordInput, meta app.RequestMeta) error {
	if err := auth.CheckPasswordPolicy(in.NewPassword, s.auth.PasswordMinLength()); err != nil {
		if ae, ok := err.(*app.Error); ok {
			return ae.WithDetail("field", "new_password")
		}
		return err
	}
	if _, err := s.verifyPassword(ctx, p, in.CurrentPassword, "current_password", meta); err != nil {
		if app.CodeOf(err) == app.CodeInvalid {
			if aerr := s.audit(ctx, auditFailure(p, meta, app.ActionUserPasswordChanged, "wrong_password")); aerr != nil {
				return aerr
			}
		}
		return err
	}
	hash, err := s.hashPassword(ctx, in.NewPassword, "new_password")
	if err != nil {
		return err
	}
	err = s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, p.User.ID)
		if err != nil {
			return err
		}
		now := tx.Now()
		u.PasswordHash = hash
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		// Links sent before the change must not undo it.
		if err := tx.DeletePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		ended := 0
		if in.SignOutOtherSessions {
			ids, err := tx.RevokeSessionsOfUser(ctx, u.ID, p.SessionID, revokedPasswordChanged)
			if err != nil {
				return err
			}
			if err := tx.AppendEvent(ctx, app.SessionsRevoked(u.ID, ids...)); err != nil {
				return err
			}
			ended = len(ids)
		}
		if err := tx.AppendAudit(ctx, audit(p, meta, now, app.ActionUserPasswordChanged, u.ID,
			map[string]any{"sign_out_other_sessions": in.SignOutOtherSessions, "sessions_ended": ended})); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, mail.KindPasswordChanged, u.Email, u.Language, u.Timezone, false,
			mail.PasswordChangedData{Name: u.Name, Email: u.Email, At: now, SessionsEnded: in.SignOutOtherSessions})
	})
	if err != nil {
		return err
	}
	s.mail.Notify()
	return nil
}

// ChangeEmailInput is a signed-in user's change of address.
type ChangeEmailInput struct {
	Password string
	Email    string
}

// ChangeEmail moves the account to a new address after re-authentication,
// and tells the old address, in the user's language.
func (s *Service) ChangeEmail(ctx context.Context, p *app.Principal, in ChangeEmailInput, meta app.RequestMeta) (*app.User, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if email == p.User.Email {
		return nil, app.Invalid("email", "This is already your email address.")
	}
	if _, err := s.verifyPassword(ctx, p, in.Password, "password", meta); err != nil {
		if app.CodeOf(err) == app.CodeInvalid {
			if aerr := s.audit(ctx, auditFailure(p, meta, app.ActionUserEmailChanged, "wrong_password")); aerr != nil {
				return nil, aerr
			}
		}
		return nil, err
	}
	var out *app.User
	err = s.update(ctx, func(tx Tx) error {
		u, err := findUser(ctx, tx, p.User.ID)
		if err != nil {
			return err
		}
		if _, err := tx.FindUserByEmail(ctx, email); err == nil {
			return errEmailTaken
		} else if !app.IsNotFound(err) {
			return err
		}
		now := tx.Now()
		old := u.Email
		u.Email = email
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		// A reset link went to the old address; it must not outlive it.
		if err := tx.DeletePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(p, meta, now, app.ActionUserEmailChanged, u.ID,
			map[string]any{"from": old, "to": email})); err != nil {
			return err
		}
		out = u
		return s.enqueue(ctx, tx, mail.KindEmailChanged, old, u.Language, u.Timezone, false,
			mail.EmailChangedData{Name: u.Name, OldEmail: old, NewEmail: email, At: now})
	})
	if err != nil {
		return nil, err
	}
	s.mail.Notify()
	return out, nil
}

// resetLink is the page the reset mail points to.
func resetLink(origin, token string) string {
	return strings.TrimRight(origin, "/") + "/reset-password?token=" + token
}

// ForgotPassword mails a reset link when an active account has the
// address. The answer is the same either way, after similar work (a token,
// a composed message, one write transaction), so it does not tell whether
// the address has an account. Requests are limited per client IP and per
// address.
func (s *Service) ForgotPassword(ctx context.Context, email, origin string, meta app.RequestMeta) error {
	email, err := app.NormalizeEmail(email)
	if err != nil {
		return err
	}
	key := "email:" + email
	if d := s.forgotLimiter.Allow(meta.IP, key); !d.OK {
		return rateLimited(d.RetryAfter)
	}
	s.forgotLimiter.Failure(key)

	user, err := s.store.FindUserByEmail(ctx, email)
	if err != nil && !app.IsNotFound(err) {
		return fmt.Errorf("find user: %w", err)
	}
	token, hash, err := auth.NewOpaqueToken()
	if err != nil {
		return err
	}
	eligible := user != nil && user.Status == app.UserActive && !user.Deleted()
	if !eligible {
		// The same composition work as for a real account; the message is
		// thrown away.
		if _, err := s.mail.New(mail.KindPasswordReset, email, "", "",
			mail.PasswordResetData{Name: email, Email: email, Link: resetLink(origin, token), ValidFor: s.cfg.PasswordResetTTL}); err != nil {
			return err
		}
		reason := "unknown_account"
		entry := app.AuditEntry{ActorLabel: email, Action: app.ActionUserPasswordResetRequested, TargetType: "user",
			IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure}
		if user != nil {
			reason, entry.TargetID = "disabled", user.ID
		}
		entry.Details = map[string]any{"reason": reason}
		return s.audit(ctx, entry)
	}
	err = s.update(ctx, func(tx Tx) error {
		now := tx.Now()
		// Only the newest link works.
		if err := tx.DeletePasswordResets(ctx, user.ID); err != nil {
			return err
		}
		if err := tx.CreatePasswordReset(ctx, &PasswordReset{TokenHash: hash, UserID: user.ID, CreatedAt: now,
			ExpiresAt: now.Add(s.cfg.PasswordResetTTL)}); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorLabel: email, Action: app.ActionUserPasswordResetRequested,
			TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess}); err != nil {
			return err
		}
		// A reset link for an owner is a key to the whole installation:
		// only owners may read it in the outbox.
		return s.enqueue(ctx, tx, mail.KindPasswordReset, user.Email, user.Language, user.Timezone, user.Role == app.RoleOwner,
			mail.PasswordResetData{Name: user.Name, Email: user.Email, Link: resetLink(origin, token), ValidFor: s.cfg.PasswordResetTTL})
	})
	if err != nil {
		return err
	}
	s.mail.Notify()
	return nil
}

var errResetTokenInvalid = &app.Error{Code: app.CodeInvalid,
	Message: "This password reset link is not valid any more: it was used, replaced by a newer one, or has expired. Request a new link.",
	Details: map[string]any{"reason": "token_invalid", "field": "token"}}

// ResetPassword sets a new password with a reset link. The link works
// once; every session of the user ends.
func (s *Service) ResetPassword(ctx context.Context, token, password string, meta app.RequestMeta) error {
	key := "ip:" + meta.IP
	if d := s.resetLimiter.Allow(meta.IP, key); !d.OK {
		return rateLimited(d.RetryAfter)
	}
	if token == "" || len(token) > 128 {
		s.resetLimiter.Failure(key)
		return errResetTokenInvalid
	}
	hash := auth.HashOpaqueToken(token)
	// Check the link before spending a password hash on it.
	r, err := s.store.FindPasswordReset(ctx, hash)
	if err != nil && !app.IsNotFound(err) {
		return fmt.Errorf("find password reset: %w", err)
	}
	if r == nil || !r.UsedAt.IsZero() || !s.now().Before(r.ExpiresAt) {
		s.resetLimiter.Failure(key)
		return errResetTokenInvalid
	}
	pwHash, err := s.hashPassword(ctx, password, "password")
	if err != nil {
		return err
	}
	err = s.update(ctx, func(tx Tx) error {
		now := tx.Now()
		r, err := tx.FindPasswordReset(ctx, hash)
		if app.IsNotFound(err) {
			return errResetTokenInvalid
		}
		if err != nil {
			return err
		}
		if !r.UsedAt.IsZero() || !now.Before(r.ExpiresAt) {
			return errResetTokenInvalid
		}
		u, err := findUser(ctx, tx, r.UserID)
		if err != nil {
			return err
		}
		if u.Status != app.UserActive || u.Deleted() {
			return errResetTokenInvalid
		}
		if ok, err := tx.MarkPasswordResetUsed(ctx, hash); err != nil {
			return err
		} else if !ok {
			return errResetTokenInvalid
		}
		u.PasswordHash = pwHash
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		if err := tx.DeletePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		ended, err := tx.RevokeSessionsOfUser(ctx, u.ID, "", revokedPasswordReset)
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(u.ID, ended...)); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: u.ID, ActorLabel: u.Email,
			Action: app.ActionUserPasswordReset, TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"sessions_ended": len(ended)}}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, mail.KindPasswordChanged, u.Email, u.Language, u.Timezone, false,
			mail.PasswordChangedData{Name: u.Name, Email: u.Email, At: now, Reset: true, SessionsEnded: true})
	})
	if err != nil {
		if app.CodeOf(err) == app.CodeInvalid {
			s.resetLimiter.Failure(key)
		}
		return err
	}
	s.resetLimiter.Success(key)
	s.mail.Notify()
	return nil
}

// audit writes one audit row in its own transaction (for refusals, which
// change nothing else).
func (s *Service) audit(ctx context.Context, e app.AuditEntry) error {
	return s.update(ctx, func(tx Tx) error {
		e.At = tx.Now()
		return tx.AppendAudit(ctx, e)
	})
}

func auditFailure(p *app.Principal, meta app.RequestMeta, action, reason string) app.AuditEntry {
	e := audit(p, meta, time.Time{}, action, p.User.ID, map[string]any{"reason": reason})
	e.Result = app.AuditFailure
	return e
}

// SetPasswordByOperator sets a user's password from the command line, for
// an operator recovering an account (e.g. the only owner forgot theirs and
// no mail server is set up). Every session of the user ends.
func (s *Service) SetPasswordByOperator(ctx context.Context, email, password, actorLabel string) (*app.User, error) {
	email, err := app.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	pwHash, err := s.hashPassword(ctx, password, "password")
	if err != nil {
		return nil, err
	}
	var out *app.User
	err = s.update(ctx, func(tx Tx) error {
		u, err := tx.FindUserByEmail(ctx, email)
		if app.IsNotFound(err) {
			return app.Invalid("email", "No account has this email address.")
		}
		if err != nil {
			return err
		}
		if u.Deleted() {
			return app.Invalid("email", "This account was deleted.")
		}
		u.PasswordHash = pwHash
		if err := tx.UpdateUserAccount(ctx, u); err != nil {
			return err
		}
		if err := tx.DeletePasswordResets(ctx, u.ID); err != nil {
			return err
		}
		ended, err := tx.RevokeSessionsOfUser(ctx, u.ID, "", revokedPasswordReset)
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(u.ID, ended...)); err != nil {
			return err
		}
		out = u
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorLabel: actorLabel, Action: app.ActionUserPasswordReset,
			TargetType: "user", TargetID: u.ID, UserAgent: "nexus-cli", Result: app.AuditSuccess,
			Details: map[string]any{"sessions_ended": len(ended), "by": "operator"}})
	})
	return out, err
}
