package auth

import (
	"context"
	"fmt"
	"time"

	"nexus/app"
)

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
