package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/auth"
)

const accessTokenColumns = `t.id, t.user_id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

// accessTokenRow receives the accessTokenColumns of one row.
type accessTokenRow struct {
	tok                    auth.AccessToken
	scopes, created        string
	expires, used, revoked sql.NullString
}

func (r *accessTokenRow) dest() []any {
	return []any{&r.tok.ID, &r.tok.UserID, &r.tok.Name, &r.scopes, &r.created, &r.expires, &r.used, &r.revoked}
}

func (r *accessTokenRow) finish() (*auth.AccessToken, error) {
	t := &r.tok
	t.Scopes = parseScopes(r.scopes)
	var err error
	if t.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, err
	}
	if t.ExpiresAt, err = parseNullTime(r.expires); err != nil {
		return nil, err
	}
	if t.LastUsedAt, err = parseNullTime(r.used); err != nil {
		return nil, err
	}
	if t.RevokedAt, err = parseNullTime(r.revoked); err != nil {
		return nil, err
	}
	return t, nil
}

// Scope lists are stored as "read,write". The common lists are shared
// rather than built on every request; callers never modify them.
var storedScopes = map[string][]app.Scope{}

func init() {
	all := []app.Scope{app.ScopeRead, app.ScopeWrite, app.ScopeAdmin}
	for mask := 1; mask < 1<<len(all); mask++ {
		var list []app.Scope
		for i, sc := range all {
			if mask&(1<<i) != 0 {
				list = append(list, sc)
			}
		}
		storedScopes[formatScopes(list)] = list
	}
}

func parseScopes(s string) []app.Scope {
	if list, ok := storedScopes[s]; ok {
		return list
	}
	var out []app.Scope
	for _, name := range strings.Split(s, ",") {
		if name != "" {
			out = append(out, app.Scope(name))
		}
	}
	return out
}

func formatScopes(scopes []app.Scope) string {
	names := make([]string, len(scopes))
	for i, sc := range scopes {
		names[i] = string(sc)
	}
	return strings.Join(names, ",")
}

// FindAccessTokenUser reads a personal access token by its hash together
// with its user, in one indexed query: it runs on every request made with a
// token.
func (s *Store) FindAccessTokenUser(ctx context.Context, hash []byte) (*app.User, *auth.AccessToken, error) {
	row, err := s.queryRow(ctx, `SELECT `+userColumns+`, `+accessTokenColumns+`
		FROM personal_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, hash)
	if err != nil {
		return nil, nil, err
	}
	var r accessTokenRow
	u, err := scanUser(row, r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("Access token")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("scan access token user: %w", err)
	}
	tok, err := r.finish()
	if err != nil {
		return nil, nil, err
	}
	tok.Hash = hash
	return u, tok, nil
}

// FindAccessTokensOfUser lists the user's tokens that were not revoked,
// newest first.
func (s *Store) FindAccessTokensOfUser(ctx context.Context, userID string) ([]auth.AccessToken, error) {
	st, err := s.readStmt(ctx, `SELECT `+accessTokenColumns+` FROM personal_access_tokens t
		WHERE t.user_id = ? AND t.revoked_at IS NULL ORDER BY t.created_at DESC, t.id DESC`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("query access tokens: %w", err)
	}
	defer rows.Close()
	out := []auth.AccessToken{}
	for rows.Next() {
		var r accessTokenRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, fmt.Errorf("scan access token: %w", err)
		}
		tok, err := r.finish()
		if err != nil {
			return nil, err
		}
		out = append(out, *tok)
	}
	return out, rows.Err()
}

// CreateAccessToken inserts a new token.
func (t *Tx) CreateAccessToken(ctx context.Context, tok *auth.AccessToken) error {
	_, err := t.exec(ctx, `INSERT INTO personal_access_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tok.ID, tok.UserID, tok.Name, tok.Hash, formatScopes(tok.Scopes), formatTime(tok.CreatedAt), nullTime(tok.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert access token: %w", err)
	}
	return nil
}

// FindAccessToken reads a token by id inside the transaction.
func (t *Tx) FindAccessToken(ctx context.Context, id string) (*auth.AccessToken, error) {
	row, err := t.queryRow(ctx, `SELECT `+accessTokenColumns+` FROM personal_access_tokens t WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	var r accessTokenRow
	if err := row.Scan(r.dest()...); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Access token")
	} else if err != nil {
		return nil, fmt.Errorf("scan access token: %w", err)
	}
	return r.finish()
}

// CountActiveAccessTokens counts the user's tokens that are neither revoked
// nor expired at now.
func (t *Tx) CountActiveAccessTokens(ctx context.Context, userID string, now time.Time) (int, error) {
	row, err := t.queryRow(ctx, `SELECT count(*) FROM personal_access_tokens
		WHERE user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, userID, formatTime(now))
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count access tokens: %w", err)
	}
	return n, nil
}

// RevokeAccessToken revokes a token; revoking a revoked token changes
// nothing.
func (t *Tx) RevokeAccessToken(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `UPDATE personal_access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`,
		formatTime(t.now), id); err != nil {
		return fmt.Errorf("revoke access token: %w", err)
	}
	return nil
}

// TouchAccessToken sets the token's last-used time to the transaction's
// time, unless it is already later than notBefore (another request got
// there first).
func (t *Tx) TouchAccessToken(ctx context.Context, id string, notBefore time.Time) error {
	if _, err := t.exec(ctx, `UPDATE personal_access_tokens SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
		formatTime(t.now), id, formatTime(notBefore)); err != nil {
		return fmt.Errorf("touch access token: %w", err)
	}
	return nil
}

var _ auth.TokenStore = (*Store)(nil)
var _ auth.TokenTx = (*Tx)(nil)
