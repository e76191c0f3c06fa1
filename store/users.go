package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"nexus/app"
)

const userColumns = `u.id, u.email, u.name, u.role, u.status, u.password_hash, u.created_at, u.updated_at,
	u.language, u.timezone, u.avatar_updated_at, u.last_seen_at, u.deleted_at, u.mfa_enabled, u.version`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(row rowScanner, extra ...any) (*app.User, error) {
	var u app.User
	var role, status, created, updated string
	var avatar, seen, deleted sql.NullString
	dest := append([]any{&u.ID, &u.Email, &u.Name, &role, &status, &u.PasswordHash, &created, &updated,
		&u.Language, &u.Timezone, &avatar, &seen, &deleted, &u.MFAEnabled, &u.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.Role, u.Status = app.Role(role), app.UserStatus(status)
	var err error
	if u.AvatarUpdatedAt, err = parseNullTime(avatar); err != nil {
		return nil, err
	}
	if u.LastSeenAt, err = parseNullTime(seen); err != nil {
		return nil, err
	}
	if u.DeletedAt, err = parseNullTime(deleted); err != nil {
		return nil, err
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &u, nil
}

func userResult(u *app.User, err error) (*app.User, error) { return found(u, err, "User") }

// CountUsers counts accounts of every status.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	row, err := s.queryRow(ctx, `SELECT count(*) FROM users`)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// FindUserByID returns app.ErrNotFound (as a not_found *app.Error) when absent.
func (s *Store) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	row, err := s.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return userResult(scanUser(row))
}

// FindUserByEmail looks up a normalized email.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*app.User, error) {
	row, err := s.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email)
	if err != nil {
		return nil, err
	}
	return userResult(scanUser(row))
}

// CountUsers counts accounts inside the transaction.
func (t *Tx) CountUsers(ctx context.Context) (int, error) {
	row, err := t.queryRow(ctx, `SELECT count(*) FROM users`)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// FindUserByID reads a user inside the transaction.
func (t *Tx) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	row, err := t.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return userResult(scanUser(row))
}

// TouchUserSeen sets when the user was last active.
func (t *Tx) TouchUserSeen(ctx context.Context, userID string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE users SET last_seen_at = ? WHERE id = ?`, formatTime(at), userID); err != nil {
		return fmt.Errorf("touch user last seen: %w", err)
	}
	return nil
}

// CreateUser inserts u. A taken email is a conflict.
func (t *Tx) CreateUser(ctx context.Context, u *app.User) error {
	if u.Version == 0 {
		u.Version = 1
	}
	_, err := t.exec(ctx, `INSERT INTO users (id, email, name, role, status, password_hash, language, timezone, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, string(u.Role), string(u.Status), u.PasswordHash, u.Language, u.Timezone, u.Version,
		formatTime(u.CreatedAt), formatTime(u.UpdatedAt))
	if isUniqueViolation(err) {
		return app.Invalid("email", "A user with this email already exists.").WithCode(app.CodeConflict)
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}
