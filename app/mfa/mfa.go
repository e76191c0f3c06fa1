// Package mfa is two-factor authentication with time-based one-time
// passwords (TOTP) and single-use recovery codes.
package mfa

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/authz"
	"nexus/app/settings"
)

// TOTP is a user's authenticator. Secret is sealed (see keys.sealSecret).
type TOTP struct {
	UserID      string
	Secret      []byte
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero while the enrolment is pending
	LastStep    int64     // the last time step whose code was accepted
}

// Confirmed reports whether enrolment finished (MFA is on).
func (t *TOTP) Confirmed() bool { return !t.ConfirmedAt.IsZero() }

// Store is what the MFA use-cases need from storage.
type Store interface {
	FindUserByID(ctx context.Context, id string) (*app.User, error)
	// FindTOTP returns a not_found error when the user has none.
	FindTOTP(ctx context.Context, userID string) (*TOTP, error)
	CountRecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction. It includes the sign-in transaction's methods
// because the second sign-in step spends a code in the same transaction
// that starts the session.
type Tx interface {
	auth.Tx
	FindTOTP(ctx context.Context, userID string) (*TOTP, error)
	// SaveTOTP inserts or replaces the user's authenticator.
	SaveTOTP(ctx context.Context, t *TOTP) error
	// AdvanceTOTPStep records step as used; it reports false (and changes
	// nothing) unless step is later than the stored one.
	AdvanceTOTPStep(ctx context.Context, userID string, step int64) (bool, error)
	// DeleteMFA removes the authenticator and every recovery code.
	DeleteMFA(ctx context.Context, userID string) error
	ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error
	// UseRecoveryCode spends an unused code; it reports whether one matched.
	UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error)
	CountRecoveryCodesLeft(ctx context.Context, userID string) (int, error)
	// SetUserMFAEnabled keeps users.mfa_enabled in step.
	SetUserMFAEnabled(ctx context.Context, userID string, enabled bool) error
}

// Service runs the MFA use-cases.
type Service struct {
	store    Store
	keys     *keys
	hasher   *auth.Hasher
	limiter  *auth.Limiter
	settings settings.Reader
	now      func() time.Time
	log      *slog.Logger
}

// NewService wires the use-cases. key is data/keys/mfa.key (KeySize bytes);
// limiter throttles wrong codes and passwords on the account pages; settings
// tells whether MFA is required; now is the clock.
func NewService(store Store, key []byte, hasher *auth.Hasher, limiter *auth.Limiter, settings settings.Reader,
	now func() time.Time, log *slog.Logger) (*Service, error) {
	k, err := newKeys(key)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, keys: k, hasher: hasher, limiter: limiter, settings: settings, now: now, log: log}, nil
}

// Status is what the account page shows.
type Status struct {
	Enabled           bool
	Pending           bool // an enrolment was started and not confirmed
	RecoveryCodesLeft int
}

// Status reads the user's MFA state.
func (s *Service) Status(ctx context.Context, userID string) (*Status, error) {
	t, err := s.store.FindTOTP(ctx, userID)
	if err != nil && !app.IsNotFound(err) {
		return nil, fmt.Errorf("find totp: %w", err)
	}
	st := &Status{}
	if t != nil {
		st.Enabled, st.Pending = t.Confirmed(), !t.Confirmed()
	}
	if st.Enabled {
		if st.RecoveryCodesLeft, err = s.store.CountRecoveryCodesLeft(ctx, userID); err != nil {
			return nil, fmt.Errorf("count recovery codes: %w", err)
		}
	}
	return st, nil
}

// EnrollmentRequired reports whether an administrator requires MFA and
// this user has not enrolled yet.
func (s *Service) EnrollmentRequired(ctx context.Context, u *app.User) (bool, error) {
	if u.MFAEnabled || s.settings == nil {
		return false, nil
	}
	sec, err := s.settings.Security(ctx)
	if err != nil {
		return false, fmt.Errorf("read security settings: %w", err)
	}
	return sec.MFARequired, nil
}

// Enrollment is a started TOTP enrolment: what the authenticator app needs.
type Enrollment struct {
	Secret     string // base32, for typing in by hand
	OTPAuthURI string
	QRPNG      string // data:image/png;base64,…
}

var (
	errSessionOnly = &app.Error{Code: app.CodeForbidden,
		Message: "Manage two-factor authentication while signed in, not with an access token.",
		Details: map[string]any{"reason": "session_required"}}
	errAlreadyOn = &app.Error{Code: app.CodeConflict,
		Message: "Two-factor authentication is already on. Turn it off first to set up a new authenticator."}
	errNotStarted = &app.Error{Code: app.CodeConflict,
		Message: "Start setting up two-factor authentication first.", Details: map[string]any{"reason": "not_started"}}
	errNotOn = &app.Error{Code: app.CodeConflict,
		Message: "Two-factor authentication is not on.", Details: map[string]any{"reason": "not_enabled"}}
	errWrongCode = &app.Error{Code: app.CodeInvalid,
		Message: "That code is not right. Check the time on your phone and enter the current code.",
		Details: map[string]any{"field": "code", "reason": "mfa_code_invalid"}}
	errUsedCode = &app.Error{Code: app.CodeInvalid,
		Message: "That code was already used. Wait for the next code.",
		Details: map[string]any{"field": "code", "reason": "mfa_code_used"}}
	errWrongPassword = &app.Error{Code: app.CodeInvalid, Message: "Incorrect password.",
		Details: map[string]any{"field": "password"}}
)

// BeginTOTP starts (or restarts) an enrolment: a new secret, pending until
// ConfirmTOTP proves the app has it.
func (s *Service) BeginTOTP(ctx context.Context, p *app.Principal) (*Enrollment, error) {
	if p.TokenID != "" {
		return nil, errSessionOnly
	}
	key, err := newKey(p.User.Email)
	if err != nil {
		return nil, err
	}
	qr, err := qrDataURL(key)
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.sealSecret(p.User.ID, key.Secret())
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindTOTP(ctx, p.User.ID)
		if err != nil && !app.IsNotFound(err) {
			return err
		}
		if cur != nil && cur.Confirmed() {
			return errAlreadyOn
		}
		return tx.SaveTOTP(ctx, &TOTP{UserID: p.User.ID, Secret: sealed, CreatedAt: tx.Now()})
	})
	if err != nil {
		return nil, err
	}
	return &Enrollment{Secret: key.Secret(), OTPAuthURI: key.URL(), QRPNG: qr}, nil
}

// ConfirmTOTP finishes enrolment with a current code: MFA is on from now,
// and the user gets recovery codes, shown this once.
func (s *Service) ConfirmTOTP(ctx context.Context, p *app.Principal, code string, meta app.RequestMeta) ([]string, error) {
	if p.TokenID != "" {
		return nil, errSessionOnly
	}
	userID := p.User.ID
	limitKey := "mfa:" + userID
	if d := s.limiter.Allow(meta.IP, limitKey); !d.OK {
		return nil, rateLimited(d.RetryAfter)
	}
	codes, hashes, err := s.newRecoveryCodes(userID)
	if err != nil {
		return nil, err
	}
	var check auth.CodeCheck
	err = s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTOTP(ctx, userID)
		if app.IsNotFound(err) {
			return errNotStarted
		}
		if err != nil {
			return err
		}
		if t.Confirmed() {
			return errAlreadyOn
		}
		step, err := s.matchTOTP(t, code)
		if err != nil {
			return err
		}
		if step == 0 {
			check = auth.CodeWrong
			return nil
		}
		check = auth.CodeAccepted
		now := tx.Now()
		t.ConfirmedAt, t.LastStep = now, step
		if err := tx.SaveTOTP(ctx, t); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
			return err
		}
		if err := tx.SetUserMFAEnabled(ctx, userID, true); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: userID, ActorLabel: p.User.Email, Action: app.ActionMFAEnrolled,
			TargetType: "user", TargetID: userID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"method": auth.MethodTOTP}})
	})
	if err != nil {
		return nil, err
	}
	if check != auth.CodeAccepted {
		s.limiter.Failure(limitKey)
		return nil, errWrongCode
	}
	s.limiter.Success(limitKey)
	return codes, nil
}

// RegenerateRecoveryCodes replaces every recovery code with ten new ones,
// after re-checking the password.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, p *app.Principal, password string, meta app.RequestMeta) ([]string, error) {
	if p.TokenID != "" {
		return nil, errSessionOnly
	}
	if err := s.reauthenticate(ctx, p, password, "", meta); err != nil {
		return nil, err
	}
	userID := p.User.ID
	codes, hashes, err := s.newRecoveryCodes(userID)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTOTP(ctx, userID)
		if app.IsNotFound(err) || (err == nil && !t.Confirmed()) {
			return errNotOn
		}
		if err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: userID, ActorLabel: p.User.Email,
			Action: app.ActionMFARecoveryCodesRegenerated, TargetType: "user", TargetID: userID, IP: meta.IP,
			UserAgent: meta.UserAgent, Result: app.AuditSuccess})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// Disable turns the user's MFA off after re-checking the password (and the
// code, when one is given).
func (s *Service) Disable(ctx context.Context, p *app.Principal, password, code string, meta app.RequestMeta) error {
	if p.TokenID != "" {
		return errSessionOnly
	}
	if err := s.reauthenticate(ctx, p, password, code, meta); err != nil {
		return err
	}
	userID := p.User.ID
	return s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTOTP(ctx, userID)
		if app.IsNotFound(err) {
			return errNotOn
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteMFA(ctx, userID); err != nil {
			return err
		}
		if !t.Confirmed() {
			return nil // only a pending enrolment: nothing was on
		}
		if err := tx.SetUserMFAEnabled(ctx, userID, false); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: userID, ActorLabel: p.User.Email, Action: app.ActionMFADisabled,
			TargetType: "user", TargetID: userID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess})
	})
}

// Reset turns another user's MFA off (they lost their phone and their
// recovery codes). Owners and admins may; only an owner may reset an
// owner's.
func (s *Service) Reset(ctx context.Context, actor *app.Principal, userID string, meta app.RequestMeta) error {
	if err := authz.RequireGlobal(actor, authz.ManageUsers); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		target, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return err
		}
		if target.Role == app.RoleOwner {
			if err := authz.RequireGlobal(actor, authz.ManageOwners); err != nil {
				return err
			}
		}
		cur, err := tx.FindTOTP(ctx, userID)
		if err != nil && !app.IsNotFound(err) {
			return err
		}
		if err := tx.DeleteMFA(ctx, userID); err != nil {
			return err
		}
		if err := tx.SetUserMFAEnabled(ctx, userID, false); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: actor.User.ID, ActorLabel: actor.User.Email,
			Action: app.ActionMFAReset, TargetType: "user", TargetID: userID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"was_enabled": cur != nil && cur.Confirmed()}})
	})
}

// VerifyCode implements auth.SecondFactor: it checks a TOTP or recovery
// code inside the sign-in transaction and spends it.
func (s *Service) VerifyCode(ctx context.Context, atx auth.Tx, userID, method, code string) (auth.CodeCheck, error) {
	tx, ok := atx.(Tx)
	if !ok {
		return auth.CodeWrong, fmt.Errorf("verify mfa code: transaction %T lacks the MFA methods", atx)
	}
	switch method {
	case auth.MethodTOTP:
		t, err := tx.FindTOTP(ctx, userID)
		if app.IsNotFound(err) {
			return auth.CodeWrong, nil
		}
		if err != nil {
			return auth.CodeWrong, err
		}
		if !t.Confirmed() {
			return auth.CodeWrong, nil
		}
		return s.spendTOTP(ctx, tx, t, code)
	case auth.MethodRecoveryCode:
		if normalizeRecoveryCode(code) == "" {
			return auth.CodeWrong, nil
		}
		used, err := tx.UseRecoveryCode(ctx, userID, s.keys.hashRecoveryCode(userID, code))
		if err != nil || !used {
			return auth.CodeWrong, err
		}
		return auth.CodeAccepted, nil
	}
	return auth.CodeWrong, nil
}

// spendTOTP accepts a code once: its time step must be later than the last
// one accepted.
func (s *Service) spendTOTP(ctx context.Context, tx Tx, t *TOTP, code string) (auth.CodeCheck, error) {
	step, err := s.matchTOTP(t, code)
	if err != nil || step == 0 {
		return auth.CodeWrong, err
	}
	advanced, err := tx.AdvanceTOTPStep(ctx, t.UserID, step)
	if err != nil {
		return auth.CodeWrong, err
	}
	if !advanced {
		return auth.CodeReused, nil
	}
	return auth.CodeAccepted, nil
}

func (s *Service) matchTOTP(t *TOTP, code string) (int64, error) {
	secret, err := s.keys.openSecret(t.UserID, t.Secret)
	if err != nil {
		return 0, err
	}
	return matchStep(secret, code, s.now())
}

// reauthenticate checks the password before a sensitive change. Accounts
// without a password (created by single sign-on) prove themselves with a
// current code instead. Wrong answers are throttled like sign-ins.
func (s *Service) reauthenticate(ctx context.Context, p *app.Principal, password, code string, meta app.RequestMeta) error {
	limitKey := "reauth:" + p.User.ID
	if d := s.limiter.Allow(meta.IP, limitKey); !d.OK {
		return rateLimited(d.RetryAfter)
	}
	ok, err := s.checkReauth(ctx, p, password, code)
	if err != nil {
		if app.CodeOf(err) == app.CodeInvalid {
			s.limiter.Failure(limitKey)
		}
		return err
	}
	if !ok {
		s.limiter.Failure(limitKey)
		return errWrongPassword
	}
	s.limiter.Success(limitKey)
	return nil
}

func (s *Service) checkReauth(ctx context.Context, p *app.Principal, password, code string) (bool, error) {
	hasPassword := p.User.PasswordHash != ""
	if hasPassword {
		if password == "" {
			return false, app.Invalid("password", "Enter your password to confirm.")
		}
		if len(password) > 4*auth.MaxPasswordLength {
			return false, nil
		}
		match, err := s.hasher.Verify(ctx, password, p.User.PasswordHash)
		if err != nil || !match {
			return false, err
		}
	}
	if code == "" {
		if !hasPassword {
			return false, app.Invalid("code", "Enter a code from your authenticator app to confirm.")
		}
		return true, nil
	}
	// A code was given (or is the only proof): it must be right, and is
	// spent like a sign-in code.
	var check auth.CodeCheck
	err := s.store.Update(ctx, func(tx Tx) error {
		t, err := tx.FindTOTP(ctx, p.User.ID)
		if app.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !t.Confirmed() {
			return nil
		}
		check, err = s.spendTOTP(ctx, tx, t, code)
		return err
	})
	if err != nil {
		return false, err
	}
	switch check {
	case auth.CodeAccepted:
		return true, nil
	case auth.CodeReused:
		return false, errUsedCode
	}
	return false, errWrongCode
}

func (s *Service) newRecoveryCodes(userID string) (codes []string, hashes [][]byte, err error) {
	for range RecoveryCodeCount {
		c, err := newRecoveryCode()
		if err != nil {
			return nil, nil, err
		}
		codes = append(codes, c)
		hashes = append(hashes, s.keys.hashRecoveryCode(userID, c))
	}
	return codes, hashes, nil
}

func rateLimited(wait time.Duration) error {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	return &app.Error{Code: app.CodeRateLimited, Message: fmt.Sprintf("Too many attempts. Try again in %d seconds.", secs),
		Details: map[string]any{"retry_after": secs}}
}
