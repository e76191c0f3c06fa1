package store

import (
	"context"
	"fmt"
	"time"

	"nexus/app/auth"
)

// FindSessionsOfUser lists the user's sessions that are neither revoked nor
// past their absolute lifetime at now, most recently used first. (The idle
// timeout is the auth package's to apply.)
func (s *Store) FindSessionsOfUser(ctx context.Context, userID string, now time.Time) ([]auth.Session, error) {
	st, err := s.readStmt(ctx, `SELECT `+sessionColumns+` FROM sessions s
		WHERE s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?
		ORDER BY s.last_used_at DESC, s.id DESC`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, userID, formatTime(now))
	if err != nil {
		return nil, fmt.Errorf("query sessions: %w", err)
	}
	defer rows.Close()
	out := []auth.Session{}
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("scan session: %w", err)
		}
		out = append(out, *sess)
	}
	return out, rows.Err()
}

// RevokeSessionsOfUser revokes every live session of the user except keepID
// (when not empty) and returns the ids it revoked.
func (t *Tx) RevokeSessionsOfUser(ctx context.Context, userID, keepID, reason string) ([]string, error) {
	st, err := t.stmt(ctx, `UPDATE sessions SET revoked_at = ?1, revoke_reason = ?2
		WHERE user_id = ?3 AND id <> ?4 AND revoked_at IS NULL AND expires_at > ?1
		RETURNING id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, formatTime(t.now), reason, userID, keepID)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions of user: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan revoked session: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("revoke sessions of user: %w", err)
	}
	return ids, nil
}
