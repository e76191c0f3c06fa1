package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

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
	if refused, err := s.passwordLoginRefused(ctx, user, match); err != nil {
		return nil, err
	} else if refused {
		// Every refusal counts as a failure and gets the same answer, right
		// password or not, so that turning password sign-in off does not
		// turn this endpoint into a password oracle.
		delay := s.limiter.Failure(limitKey)
		entry := app.AuditEntry{ActorLabel: email, Action: app.ActionLoginFailed, TargetType: "user",
			IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
			Details: map[string]any{"reason": "password_login_disabled"}}
		if user != nil {
			entry.ActorID, entry.TargetID = user.ID, user.ID
		}
		if delay > 0 {
			entry.Details["delayed_seconds"] = int(delay.Round(time.Second) / time.Second)
		}
		if err := s.audit(ctx, entry); err != nil {
			return nil, err
		}
		return nil, errPasswordLoginDisabled
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

	if user.MFAEnabled {
		// The password was right; the session starts after the second
		// factor (CompleteMFA).
		return s.ChallengeMFA(user, viaPassword, trusted)
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

var errPasswordLoginDisabled = &app.Error{Code: app.CodeForbidden,
	Message: "Password sign-in is turned off. Sign in with your organisation's single sign-on.",
	Details: map[string]any{"reason": "password_login_disabled"}}

// passwordLoginRefused applies the "password sign-in" security setting.
// While it is off, only owners may still sign in with a password, so that a
// broken identity provider cannot lock everyone out.
func (s *Service) passwordLoginRefused(ctx context.Context, user *app.User, match bool) (bool, error) {
	if s.mfa.PasswordLogin == nil {
		return false, nil
	}
	on, err := s.mfa.PasswordLogin(ctx)
	if err != nil {
		return false, fmt.Errorf("read password sign-in setting: %w", err)
	}
	if on {
		return false, nil
	}
	return !match || user.Role != app.RoleOwner, nil
}

// ChallengeMFA answers a successful first factor for a user with MFA on:
// no session yet, only a signed five-minute token to send back with a code.
// via is "password" or "sso:<provider id>".
func (s *Service) ChallengeMFA(user *app.User, via string, trustedDevice bool) (*SignIn, error) {
	if s.mfa.SecondFactor == nil {
		return nil, errors.New("sign-in: user has MFA on but no second-factor checker is configured")
	}
	token, err := s.tokens.signMFA(user.ID, via, trustedDevice, s.now())
	if err != nil {
		return nil, err
	}
	return &SignIn{User: *user, MFA: &MFAChallenge{Token: token, Methods: []string{MethodTOTP, MethodRecoveryCode}}}, nil
}

// MFAInput is the second sign-in step: the token from the first step and
// either a TOTP code or a recovery code.
type MFAInput struct {
	Token        string
	Code         string
	RecoveryCode string
	DeviceCookie string
}

var (
	errMFATokenInvalid = &app.Error{Code: app.CodeUnauthorized, Message: "This sign-in attempt is no longer valid. Sign in again.",
		Details: map[string]any{"reason": "mfa_token_invalid"}}
	errMFATokenExpired = &app.Error{Code: app.CodeUnauthorized, Message: "This sign-in attempt took too long. Sign in again.",
		Details: map[string]any{"reason": "mfa_token_expired"}}
	errMFACodeWrong = &app.Error{Code: app.CodeUnauthorized, Message: "That code is not right. Check your authenticator app and try again.",
		Details: map[string]any{"reason": "mfa_code_invalid"}}
	errMFACodeReused = &app.Error{Code: app.CodeUnauthorized, Message: "That code was already used. Wait for the next code and try again.",
		Details: map[string]any{"reason": "mfa_code_used"}}
	errMFAAccountDisabled = &app.Error{Code: app.CodeForbidden, Message: "This account is disabled. Ask an administrator to enable it.",
		Details: map[string]any{"reason": "disabled"}}
)

// CompleteMFA checks the second factor and starts the session, exactly as a
// password sign-in without MFA would. Wrong codes are throttled per account
// (a progressive delay) and per client IP.
func (s *Service) CompleteMFA(ctx context.Context, in MFAInput, meta app.RequestMeta) (*SignIn, error) {
	if s.mfa.SecondFactor == nil {
		return nil, errMFATokenInvalid
	}
	method, code := MethodTOTP, in.Code
	switch {
	case in.Code != "" && in.RecoveryCode != "":
		return nil, app.Invalid("code", "Send either a code or a recovery code, not both.")
	case in.RecoveryCode != "":
		method, code = MethodRecoveryCode, in.RecoveryCode
	case in.Code == "":
		return nil, app.Invalid("code", "Enter the code from your authenticator app.")
	}
	if in.Token == "" {
		return nil, errMFATokenInvalid
	}
	claims, err := s.tokens.verifyMFA(in.Token, s.now())
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, errMFATokenExpired
		}
		return nil, errMFATokenInvalid
	}
	if len(code) > 64 {
		code = code[:64] // longer than any code; still counts as a wrong one
	}

	userID := claims.Subject
	limitKey := "mfa:" + userID
	if d := s.limiter.Allow(meta.IP, limitKey); !d.OK {
		s.log.WarnContext(ctx, "mfa sign-in throttled", "user_id", userID, "ip", meta.IP, "retry_after", d.RetryAfter.Round(time.Second).String())
		if d.FirstRefusal {
			if err := s.audit(ctx, app.AuditEntry{ActorID: userID, Action: app.ActionLoginThrottled, TargetType: "user", TargetID: userID,
				IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
				Details: map[string]any{"step": "mfa", "retry_after_seconds": retrySeconds(d.RetryAfter)}}); err != nil {
				return nil, err
			}
		}
		return nil, rateLimited(d.RetryAfter)
	}

	var out *SignIn
	var user *app.User
	check := CodeWrong
	var refused error
	err = s.store.Update(ctx, func(tx Tx) error {
		var err error
		user, err = tx.FindUserByID(ctx, userID)
		if app.IsNotFound(err) {
			refused = errMFATokenInvalid
			return nil
		}
		if err != nil {
			return fmt.Errorf("find user: %w", err)
		}
		if user.Status != app.UserActive {
			refused = errMFAAccountDisabled
			return nil
		}
		if !user.MFAEnabled {
			// MFA was reset since the first step; start over.
			refused = errMFATokenInvalid
			return nil
		}
		check, err = s.mfa.SecondFactor.VerifyCode(ctx, tx, user.ID, method, code)
		if err != nil || check != CodeAccepted {
			return err
		}
		action, details := app.ActionLogin, map[string]any{"method": "password+" + method, "known_device": claims.Trusted}
		if provider, ok := strings.CutPrefix(claims.Via, viaSSOPrefix); ok {
			action, details = app.ActionSSOLogin, map[string]any{"method": "sso+" + method, "provider": provider}
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: user.ID, ActorLabel: user.Email, Action: action,
			TargetType: "user", TargetID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: details}); err != nil {
			return err
		}
		out, err = s.startSession(ctx, tx, user, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	if check != CodeAccepted {
		delay := s.limiter.Failure(limitKey)
		reason, answer := "wrong_code", errMFACodeWrong
		if check == CodeReused {
			reason, answer = "code_reused", errMFACodeReused
		}
		entry := app.AuditEntry{ActorID: user.ID, ActorLabel: user.Email, Action: app.ActionMFAFailed, TargetType: "user", TargetID: user.ID,
			IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure, Details: map[string]any{"method": method, "reason": reason}}
		if delay > 0 {
			entry.Details["delayed_seconds"] = int(delay.Round(time.Second) / time.Second)
		}
		if err := s.audit(ctx, entry); err != nil {
			return nil, err
		}
		return nil, answer
	}
	s.limiter.Success(limitKey)

	out.DeviceCookie = in.DeviceCookie
	if _, deviceUser, ok := s.tokens.VerifyDevice(in.DeviceCookie); !ok || deviceUser != user.ID {
		if out.DeviceCookie, err = s.tokens.SignDevice(user.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
