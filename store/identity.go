package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/identity"
)

// Account management: the admin user list, account updates, invitations,
// password reset links and avatars.

// FindUsers lists users matching f, ordered by name (ASCII case folded,
// which is all the folding Korean needs) and id, after f.After.
func (s *Store) FindUsers(ctx context.Context, f identity.UserFilter) ([]app.User, error) {
	var where []string
	var args []any
	if f.Query != "" {
		// LIKE folds ASCII case; Hangul has none. The pattern's own % and _
		// are escaped so a search for "50%" means that.
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Query)) + "%"
		where = append(where, `(u.name LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.Role != "" {
		where = append(where, `u.role = ?`)
		args = append(args, string(f.Role))
	}
	switch f.Status {
	case "active":
		where = append(where, `u.status = 'active' AND u.deleted_at IS NULL`)
	case "disabled":
		where = append(where, `u.status = 'disabled' AND u.deleted_at IS NULL`)
	case "deleted":
		where = append(where, `u.deleted_at IS NOT NULL`)
	default:
		where = append(where, `u.deleted_at IS NULL`)
	}
	if f.After != nil {
		where = append(where, `(u.name COLLATE NOCASE > ? OR (u.name COLLATE NOCASE = ? AND u.id > ?))`)
		args = append(args, f.After.Name, f.After.Name, f.After.ID)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	args = append(args, f.Limit)
	q := `SELECT ` + userColumns + ` FROM users u WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?`
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query users: %w", err)
	}
	defer rows.Close()
	var out []app.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// FindUserByEmail looks up a normalized email inside the transaction.
func (t *Tx) FindUserByEmail(ctx context.Context, email string) (*app.User, error) {
	row, err := t.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email)
	if err != nil {
		return nil, err
	}
	return userResult(scanUser(row))
}

// UpdateUserAccount writes the account fields of u if its version is
// still u.Version, then advances u.Version. A stale version is a conflict
// that carries the stored version; a taken email is a conflict on email.
func (t *Tx) UpdateUserAccount(ctx context.Context, u *app.User) error {
	res, err := t.exec(ctx, `UPDATE users SET email = ?, name = ?, role = ?, status = ?, password_hash = ?, language = ?,
		timezone = ?, avatar_updated_at = ?, deleted_at = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		u.Email, u.Name, string(u.Role), string(u.Status), u.PasswordHash, u.Language, u.Timezone,
		nullTime(u.AvatarUpdatedAt), nullTime(u.DeletedAt), formatTime(t.now), u.ID, u.Version)
	if isUniqueViolation(err) {
		return app.Invalid("email", "A user with this email already exists.").WithCode(app.CodeConflict)
	}
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update user: %w", err)
	} else if n == 0 {
		current, err := t.FindUserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		return &app.Error{Code: app.CodeConflict, Message: "Someone else changed this user in the meantime. Reload and try again.",
			Details: map[string]any{"reason": "version_conflict", "current_version": current.Version}}
	}
	u.Version++
	u.UpdatedAt = t.now
	return nil
}

// CountActiveOwners counts owners who may sign in.
func (t *Tx) CountActiveOwners(ctx context.Context) (int, error) {
	row, err := t.queryRow(ctx, `SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active' AND deleted_at IS NULL`)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count owners: %w", err)
	}
	return n, nil
}

// RevokeAccessTokensOfUser revokes every live personal access token of the
// user.
func (t *Tx) RevokeAccessTokensOfUser(ctx context.Context, userID string) (int64, error) {
	res, err := t.exec(ctx, `UPDATE personal_access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
		formatTime(t.now), userID)
	if err != nil {
		return 0, fmt.Errorf("revoke access tokens: %w", err)
	}
	return res.RowsAffected()
}

// RemoveUserMemberships takes the user out of every team and drops their
// direct resource grants.
func (t *Tx) RemoveUserMemberships(ctx context.Context, userID string) error {
	if _, err := t.exec(ctx, `DELETE FROM team_members WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("remove team memberships: %w", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM resource_grants WHERE principal_type = 'user' AND principal_id = ?`, userID); err != nil {
		return fmt.Errorf("remove resource grants: %w", err)
	}
	return nil
}

const invitationColumns = `i.id, i.email, i.role, i.token_hash, i.invited_by, coalesce(u.name, ''), i.created_at, i.expires_at,
	i.accepted_at, coalesce(i.accepted_user_id, ''), i.revoked_at`

const invitationFrom = ` FROM invitations i LEFT JOIN users u ON u.id = i.invited_by`

func scanInvitation(row rowScanner) (*identity.Invitation, error) {
	var inv identity.Invitation
	var role, created, expires string
	var accepted, revoked sql.NullString
	if err := row.Scan(&inv.ID, &inv.Email, &role, &inv.TokenHash, &inv.InvitedBy, &inv.InviterName, &created, &expires,
		&accepted, &inv.AcceptedUserID, &revoked); err != nil {
		return nil, err
	}
	inv.Role = app.Role(role)
	var err error
	if inv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if inv.AcceptedAt, err = parseNullTime(accepted); err != nil {
		return nil, err
	}
	if inv.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	return &inv, nil
}

func invitationResult(inv *identity.Invitation, err error) (*identity.Invitation, error) {
	return found(inv, err, "Invitation")
}

// FindInvitationByTokenHash finds an invitation by the hash of its token.
func (s *Store) FindInvitationByTokenHash(ctx context.Context, hash []byte) (*identity.Invitation, error) {
	row, err := s.queryRow(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.token_hash = ?`, hash)
	if err != nil {
		return nil, err
	}
	return invitationResult(scanInvitation(row))
}

// FindInvitations lists invitations matching f, newest first.
func (s *Store) FindInvitations(ctx context.Context, f identity.InvitationFilter) ([]identity.Invitation, error) {
	now := formatTime(f.Now)
	var cond string
	switch f.Status {
	case identity.InvitationPending:
		cond = `i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?2`
	case identity.InvitationAccepted:
		cond = `i.accepted_at IS NOT NULL`
	case identity.InvitationRevoked:
		cond = `i.accepted_at IS NULL AND i.revoked_at IS NOT NULL`
	case identity.InvitationExpired:
		cond = `i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at <= ?2`
	default:
		cond = `?2 = ?2`
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+invitationColumns+invitationFrom+`
		WHERE `+cond+` AND (?1 = '' OR i.id < ?1) ORDER BY i.id DESC LIMIT ?3`, f.Before, now, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("query invitations: %w", err)
	}
	defer rows.Close()
	var out []identity.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan invitation: %w", err)
		}
		out = append(out, *inv)
	}
	return out, rows.Err()
}

// CreateInvitation inserts an invitation.
func (t *Tx) CreateInvitation(ctx context.Context, inv *identity.Invitation) error {
	if _, err := t.exec(ctx, `INSERT INTO invitations (id, email, role, token_hash, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, inv.ID, inv.Email, string(inv.Role), inv.TokenHash, inv.InvitedBy,
		formatTime(inv.CreatedAt), formatTime(inv.ExpiresAt)); err != nil {
		return fmt.Errorf("insert invitation: %w", err)
	}
	return nil
}

// FindInvitationByID reads an invitation inside the transaction.
func (t *Tx) FindInvitationByID(ctx context.Context, id string) (*identity.Invitation, error) {
	row, err := t.queryRow(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return invitationResult(scanInvitation(row))
}

// FindInvitationByTokenHash reads an invitation by token inside the
// transaction.
func (t *Tx) FindInvitationByTokenHash(ctx context.Context, hash []byte) (*identity.Invitation, error) {
	row, err := t.queryRow(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.token_hash = ?`, hash)
	if err != nil {
		return nil, err
	}
	return invitationResult(scanInvitation(row))
}

// FindPendingInvitationByEmail returns the newest invitation for email that
// is still usable at now.
func (t *Tx) FindPendingInvitationByEmail(ctx context.Context, email string, now time.Time) (*identity.Invitation, error) {
	row, err := t.queryRow(ctx, `SELECT `+invitationColumns+invitationFrom+` WHERE i.email = ? AND i.accepted_at IS NULL
		AND i.revoked_at IS NULL AND i.expires_at > ? ORDER BY i.id DESC LIMIT 1`, email, formatTime(now))
	if err != nil {
		return nil, err
	}
	return invitationResult(scanInvitation(row))
}

// UpdateInvitation writes an invitation's token, expiry, acceptance and
// revocation.
func (t *Tx) UpdateInvitation(ctx context.Context, inv *identity.Invitation) error {
	var acceptedBy any
	if inv.AcceptedUserID != "" {
		acceptedBy = inv.AcceptedUserID
	}
	if _, err := t.exec(ctx, `UPDATE invitations SET token_hash = ?, expires_at = ?, accepted_at = ?, accepted_user_id = ?,
		revoked_at = ? WHERE id = ?`, inv.TokenHash, formatTime(inv.ExpiresAt), nullTime(inv.AcceptedAt), acceptedBy,
		nullTime(inv.RevokedAt), inv.ID); err != nil {
		return fmt.Errorf("update invitation: %w", err)
	}
	return nil
}

func scanPasswordReset(row rowScanner, hash []byte) (*identity.PasswordReset, error) {
	r := &identity.PasswordReset{TokenHash: hash}
	var created, expires string
	var used sql.NullString
	if err := row.Scan(&r.UserID, &created, &expires, &used); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Password reset")
	} else if err != nil {
		return nil, fmt.Errorf("scan password reset: %w", err)
	}
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if r.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	if r.UsedAt, err = parseNullTime(used); err != nil {
		return nil, err
	}
	return r, nil
}

const passwordResetQuery = `SELECT user_id, created_at, expires_at, used_at FROM password_resets WHERE token_hash = ?`

// FindPasswordReset reads a reset link by the hash of its token.
func (s *Store) FindPasswordReset(ctx context.Context, hash []byte) (*identity.PasswordReset, error) {
	row, err := s.queryRow(ctx, passwordResetQuery, hash)
	if err != nil {
		return nil, err
	}
	return scanPasswordReset(row, hash)
}

// FindPasswordReset reads a reset link inside the transaction.
func (t *Tx) FindPasswordReset(ctx context.Context, hash []byte) (*identity.PasswordReset, error) {
	row, err := t.queryRow(ctx, passwordResetQuery, hash)
	if err != nil {
		return nil, err
	}
	return scanPasswordReset(row, hash)
}

// CreatePasswordReset stores a new reset link.
func (t *Tx) CreatePasswordReset(ctx context.Context, r *identity.PasswordReset) error {
	if _, err := t.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		r.TokenHash, r.UserID, formatTime(r.CreatedAt), formatTime(r.ExpiresAt)); err != nil {
		return fmt.Errorf("insert password reset: %w", err)
	}
	return nil
}

// MarkPasswordResetUsed spends a link and reports whether it was unspent.
func (t *Tx) MarkPasswordResetUsed(ctx context.Context, hash []byte) (bool, error) {
	res, err := t.exec(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, formatTime(t.now), hash)
	if err != nil {
		return false, fmt.Errorf("mark password reset used: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeletePasswordResets removes every reset link of the user.
func (t *Tx) DeletePasswordResets(ctx context.Context, userID string) error {
	if _, err := t.exec(ctx, `DELETE FROM password_resets WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete password resets: %w", err)
	}
	return nil
}

// FindAvatar returns a user's avatar PNG.
func (s *Store) FindAvatar(ctx context.Context, userID string) ([]byte, error) {
	row, err := s.queryRow(ctx, `SELECT png FROM user_avatars WHERE user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	var png []byte
	if err := row.Scan(&png); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Avatar")
	} else if err != nil {
		return nil, fmt.Errorf("scan avatar: %w", err)
	}
	return png, nil
}

// PutAvatar stores (or replaces) a user's avatar.
func (t *Tx) PutAvatar(ctx context.Context, userID string, png []byte) error {
	if _, err := t.exec(ctx, `INSERT INTO user_avatars (user_id, png, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET png = excluded.png, updated_at = excluded.updated_at`,
		userID, png, formatTime(t.now)); err != nil {
		return fmt.Errorf("put avatar: %w", err)
	}
	return nil
}

// DeleteAvatar removes a user's avatar, if any.
func (t *Tx) DeleteAvatar(ctx context.Context, userID string) error {
	if _, err := t.exec(ctx, `DELETE FROM user_avatars WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete avatar: %w", err)
	}
	return nil
}

var _ identity.Tx = (*Tx)(nil)
