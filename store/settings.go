package store

import (
	"context"
	"database/sql"
	"fmt"

	"nexus/app/settings"
)

// FindSettings returns the saved values (JSON text) of the keys starting
// with prefix.
func (s *Store) FindSettings(ctx context.Context, prefix string) (map[string]string, error) {
	st, err := s.readStmt(ctx, settingsQuery)
	if err != nil {
		return nil, err
	}
	return scanSettings(ctx, st, prefix)
}

// FindSettings reads saved settings inside the transaction.
func (t *Tx) FindSettings(ctx context.Context, prefix string) (map[string]string, error) {
	st, err := t.stmt(ctx, settingsQuery)
	if err != nil {
		return nil, err
	}
	return scanSettings(ctx, st, prefix)
}

// The prefix is matched with substr rather than LIKE, so an underscore or
// percent sign in it is not a wildcard.
const settingsQuery = `SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1`

func scanSettings(ctx context.Context, st *sql.Stmt, prefix string) (map[string]string, error) {
	rows, err := st.QueryContext(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("query settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("scan setting: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// PutSetting saves a JSON value under key, recording who saved it.
func (t *Tx) PutSetting(ctx context.Context, key, value, updatedBy string) error {
	var by any
	if updatedBy != "" {
		by = updatedBy
	}
	if _, err := t.exec(ctx, `INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, value, formatTime(t.now), by); err != nil {
		return fmt.Errorf("save setting %s: %w", key, err)
	}
	return nil
}

var _ settings.Tx = (*Tx)(nil)
