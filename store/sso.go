package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"nexus/app"
	"nexus/app/sso"
)

// FindSSOIdentity reads the link of a provider account.
func (t *Tx) FindSSOIdentity(ctx context.Context, provider, subject string) (*sso.Identity, error) {
	row, err := t.queryRow(ctx, `SELECT provider, subject, user_id, email, created_at, last_login_at
		FROM sso_identities WHERE provider = ? AND subject = ?`, provider, subject)
	if err != nil {
		return nil, err
	}
	var id sso.Identity
	var created, last string
	if err := row.Scan(&id.Provider, &id.Subject, &id.UserID, &id.Email, &created, &last); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("SSO identity")
	} else if err != nil {
		return nil, fmt.Errorf("scan sso identity: %w", err)
	}
	if id.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if id.LastLoginAt, err = parseTime(last); err != nil {
		return nil, err
	}
	return &id, nil
}

// SaveSSOIdentity inserts a link, or updates it (user, email, last sign-in)
// when the provider account is already linked.
func (t *Tx) SaveSSOIdentity(ctx context.Context, id *sso.Identity) error {
	if _, err := t.exec(ctx, `INSERT INTO sso_identities (provider, subject, user_id, email, created_at, last_login_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (provider, subject) DO UPDATE SET user_id = excluded.user_id, email = excluded.email,
			last_login_at = excluded.last_login_at`,
		id.Provider, id.Subject, id.UserID, id.Email, formatTime(id.CreatedAt), formatTime(id.LastLoginAt)); err != nil {
		return fmt.Errorf("save sso identity: %w", err)
	}
	return nil
}

// FindSSOUserByEmail reads the account with a normalized email inside the
// transaction.
func (t *Tx) FindSSOUserByEmail(ctx context.Context, email string) (*app.User, error) {
	row, err := t.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = ?`, email)
	if err != nil {
		return nil, err
	}
	return userResult(scanUser(row))
}

// SyncSSOTeams makes userID a member of exactly the wanted teams among the
// mapped ones (all named; names compare ignoring ASCII case). Wanted teams
// that do not exist are created. Teams outside mapped are left alone.
func (t *Tx) SyncSSOTeams(ctx context.Context, userID string, mapped, wanted []string) (*sso.TeamSync, error) {
	out := &sso.TeamSync{}
	want := map[string]bool{}
	for _, name := range wanted {
		ref, created, err := t.ensureSSOTeam(ctx, name)
		if err != nil {
			return nil, err
		}
		if created {
			out.Created = append(out.Created, ref)
		}
		want[ref.ID] = true
		res, err := t.exec(ctx, `INSERT INTO team_members (team_id, user_id, added_at) VALUES (?, ?, ?)
			ON CONFLICT (team_id, user_id) DO NOTHING`, ref.ID, userID, formatTime(t.now))
		if err != nil {
			return nil, fmt.Errorf("add sso team member: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out.Added = append(out.Added, ref)
		}
	}
	for _, name := range mapped {
		ref, err := t.findSSOTeam(ctx, name)
		if app.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if want[ref.ID] {
			continue
		}
		res, err := t.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, ref.ID, userID)
		if err != nil {
			return nil, fmt.Errorf("remove sso team member: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			out.Removed = append(out.Removed, ref)
		}
	}
	return out, nil
}

func (t *Tx) findSSOTeam(ctx context.Context, name string) (sso.TeamRef, error) {
	row, err := t.queryRow(ctx, `SELECT id, name FROM teams WHERE name = ? COLLATE NOCASE`, name)
	if err != nil {
		return sso.TeamRef{}, err
	}
	var ref sso.TeamRef
	if err := row.Scan(&ref.ID, &ref.Name); errors.Is(err, sql.ErrNoRows) {
		return ref, notFound("Team")
	} else if err != nil {
		return ref, fmt.Errorf("scan team: %w", err)
	}
	return ref, nil
}

func (t *Tx) ensureSSOTeam(ctx context.Context, name string) (sso.TeamRef, bool, error) {
	ref, err := t.findSSOTeam(ctx, name)
	if err == nil || !app.IsNotFound(err) {
		return ref, false, err
	}
	ref = sso.TeamRef{ID: app.NewID(), Name: name}
	if _, err := t.exec(ctx, `INSERT INTO teams (id, name, description, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)`,
		ref.ID, ref.Name, "", formatTime(t.now), formatTime(t.now)); err != nil {
		return ref, false, fmt.Errorf("create sso team: %w", err)
	}
	return ref, true, nil
}

var _ sso.Tx = (*Tx)(nil)
