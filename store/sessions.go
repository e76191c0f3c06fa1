package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nexus/app"
	"nexus/app/auth"
)

const sessionColumns = `s.id, s.user_id, s.created_at, s.last_used_at, s.expires_at, s.revoked_at, s.revoke_reason, s.user_agent, s.ip`

func scanSession(row rowScanner, extra ...any) (*auth.Session, error) {
	var s auth.Session
	var created, lastUsed, expires string
	var revoked sql.NullString
	dest := append([]any{&s.ID, &s.UserID, &created, &lastUsed, &expires, &revoked, &s.Reason, &s.UserAgent, &s.IP}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if s.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if s.LastUsedAt, err = parseTime(lastUsed); err != nil {
		return nil, err
	}
	if s.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if s.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	return &s, nil
}

// FindSessionUser reads the user and session an access token names, in one
// query: it runs on every authenticated request.
func (s *Store) FindSessionUser(ctx context.Context, userID, sessionID string) (*app.User, *auth.Session, error) {
	row, err := s.queryRow(ctx, `SELECT `+userColumns+`, s.expires_at, s.revoked_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?`, sessionID, userID)
	if err != nil {
		return nil, nil, err
	}
	var expires string
	var revoked sql.NullString
	u, err := scanUser(row, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("Session")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("scan session user: %w", err)
	}
	sess := &auth.Session{ID: sessionID, UserID: userID}
	if sess.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, nil, err
	}
	if sess.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

// CreateSession inserts a new sign-in session.
func (t *Tx) CreateSession(ctx context.Context, s *auth.Session) error {
	_, err := t.exec(ctx, `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, user_agent, ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, formatTime(s.CreatedAt), formatTime(s.LastUsedAt), formatTime(s.ExpiresAt), s.UserAgent, s.IP)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// FindSession reads a session inside the transaction.
func (t *Tx) FindSession(ctx context.Context, id string) (*auth.Session, error) {
	row, err := t.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions s WHERE s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	sess, err := scanSession(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Session")
	}
	if err != nil {
		return nil, fmt.Errorf("scan session: %w", err)
	}
	return sess, nil
}

// TouchSession records a use of the session.
func (t *Tx) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE sessions SET last_used_at = ? WHERE id = ?`, formatTime(at), id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RevokeSession ends a session; revoking an ended session changes nothing.
func (t *Tx) RevokeSession(ctx context.Context, id, reason string) error {
	if _, err := t.exec(ctx, `UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL`,
		formatTime(t.now), reason, id); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// CreateRefreshToken stores the hash of a new refresh token.
func (t *Tx) CreateRefreshToken(ctx context.Context, rt *auth.RefreshToken) error {
	if _, err := t.exec(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)`,
		rt.Hash, rt.SessionID, formatTime(rt.CreatedAt)); err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// FindRefreshToken looks a token up by its hash.
func (t *Tx) FindRefreshToken(ctx context.Context, hash []byte) (*auth.RefreshToken, error) {
	row, err := t.queryRow(ctx, `SELECT session_id, created_at, used_at FROM refresh_tokens WHERE token_hash = ?`, hash)
	if err != nil {
		return nil, err
	}
	rt := &auth.RefreshToken{Hash: hash}
	var created string
	var used sql.NullString
	if err := row.Scan(&rt.SessionID, &created, &used); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Refresh token")
	} else if err != nil {
		return nil, fmt.Errorf("scan refresh token: %w", err)
	}
	if rt.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if rt.UsedAt, err = parseNullTime(used); err != nil {
		return nil, err
	}
	return rt, nil
}

// MarkRefreshTokenUsed spends a token.
func (t *Tx) MarkRefreshTokenUsed(ctx context.Context, hash []byte) error {
	if _, err := t.exec(ctx, `UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`,
		formatTime(t.now), hash); err != nil {
		return fmt.Errorf("mark refresh token used: %w", err)
	}
	return nil
}

// PurgeSessions deletes sessions (and, by cascade, their refresh tokens)
// that expired or were revoked before cutoff. They can no longer be used,
// and their used tokens no longer need to be recognised.
func (s *Store) PurgeSessions(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.Update(ctx, func(t *Tx) error {
		res, err := t.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1`, formatTime(cutoff))
		if err != nil {
			return fmt.Errorf("purge sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

var _ auth.Tx = (*Tx)(nil)
