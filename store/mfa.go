package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"nexus/app/mfa"
)

const totpColumns = `user_id, secret, created_at, confirmed_at, last_step`

func scanTOTP(row rowScanner) (*mfa.TOTP, error) {
	var t mfa.TOTP
	var created string
	var confirmed sql.NullString
	if err := row.Scan(&t.UserID, &t.Secret, &created, &confirmed, &t.LastStep); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Authenticator")
	} else if err != nil {
		return nil, fmt.Errorf("scan totp: %w", err)
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if t.ConfirmedAt, err = parseNullTime(confirmed); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindTOTP returns the user's authenticator (pending or confirmed).
func (s *Store) FindTOTP(ctx context.Context, userID string) (*mfa.TOTP, error) {
	row, err := s.queryRow(ctx, `SELECT `+totpColumns+` FROM mfa_totp WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	return scanTOTP(row)
}

// CountRecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) CountRecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	row, err := s.queryRow(ctx, `SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// FindTOTP reads the user's authenticator inside the transaction.
func (t *Tx) FindTOTP(ctx context.Context, userID string) (*mfa.TOTP, error) {
	row, err := t.queryRow(ctx, `SELECT `+totpColumns+` FROM mfa_totp WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	return scanTOTP(row)
}

// SaveTOTP inserts or replaces the user's authenticator.
func (t *Tx) SaveTOTP(ctx context.Context, m *mfa.TOTP) error {
	if _, err := t.exec(ctx, `INSERT INTO mfa_totp (user_id, secret, created_at, confirmed_at, last_step) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at,
			confirmed_at = excluded.confirmed_at, last_step = excluded.last_step`,
		m.UserID, m.Secret, formatTime(m.CreatedAt), nullTime(m.ConfirmedAt), m.LastStep); err != nil {
		return fmt.Errorf("save totp: %w", err)
	}
	return nil
}

// AdvanceTOTPStep moves last_step forward to step; it reports false when
// step is not later than the stored one (the code was already used).
func (t *Tx) AdvanceTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := t.exec(ctx, `UPDATE mfa_totp SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if err != nil {
		return false, fmt.Errorf("advance totp step: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("advance totp step: %w", err)
	}
	return n == 1, nil
}

// DeleteMFA removes the user's authenticator and recovery codes.
func (t *Tx) DeleteMFA(ctx context.Context, userID string) error {
	if _, err := t.exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM mfa_totp WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete totp: %w", err)
	}
	return nil
}

// ReplaceRecoveryCodes drops the user's recovery codes, used or not, and
// stores the new hashes.
func (t *Tx) ReplaceRecoveryCodes(ctx context.Context, userID string, hashes [][]byte) error {
	if _, err := t.exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := t.exec(ctx, `INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`,
			userID, h, formatTime(t.now)); err != nil {
			return fmt.Errorf("insert recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code spent; it reports whether one
// matched.
func (t *Tx) UseRecoveryCode(ctx context.Context, userID string, hash []byte) (bool, error) {
	res, err := t.exec(ctx, `UPDATE mfa_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		formatTime(t.now), userID, hash)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return n == 1, nil
}

// CountRecoveryCodesLeft counts unused codes inside the transaction.
func (t *Tx) CountRecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	row, err := t.queryRow(ctx, `SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// SetUserMFAEnabled sets users.mfa_enabled. It is not a profile edit, so the
// user's version does not change.
func (t *Tx) SetUserMFAEnabled(ctx context.Context, userID string, enabled bool) error {
	if _, err := t.exec(ctx, `UPDATE users SET mfa_enabled = ?, updated_at = ? WHERE id = ?`,
		enabled, formatTime(t.now), userID); err != nil {
		return fmt.Errorf("set user mfa: %w", err)
	}
	return nil
}

var _ mfa.Tx = (*Tx)(nil)
