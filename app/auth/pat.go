package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"nexus/app"
)

// Personal access tokens are long-lived credentials a person creates for
// scripts and integrations and sends as `Authorization: Bearer nxp_…`. A
// token is 32 random bytes, so a fast hash (SHA-256) is the right way to
// store it; the token itself is shown once, when it is created.

// AccessTokenPrefix starts every personal access token. It tells a token
// from a JWT without parsing, and lets secret scanners recognise a leaked one.
const AccessTokenPrefix = "nxp_"

// accessTokenLength is the length of a token: the prefix and 32 bytes in
// unpadded base64url.
var accessTokenLength = len(AccessTokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

// Limits on personal access tokens.
const (
	MaxAccessTokenDays = 365
	// MaxActiveAccessTokens bounds the tokens one person can hold at once.
	MaxActiveAccessTokens = 50
	// accessTokenTouchEvery is how stale a token's last-used time may get:
	// it is written at most once per this period, never on every request.
	accessTokenTouchEvery = time.Minute
)

// AccessToken is a personal access token. Only the hash of the token is
// stored.
type AccessToken struct {
	ID         string
	UserID     string
	Name       string
	Hash       []byte
	Scopes     []app.Scope
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never expires
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero while usable
}

// Expired reports whether the token has expired at now.
func (t *AccessToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// TokenStore is the part of Store that sessions and personal access tokens
// need.
type TokenStore interface {
	// FindAccessTokenUser returns the token with this hash and its user in
	// one query: it runs on every request made with a token.
	FindAccessTokenUser(ctx context.Context, hash []byte) (*app.User, *AccessToken, error)
	// FindAccessTokensOfUser lists a user's tokens that were not revoked,
	// newest first.
	FindAccessTokensOfUser(ctx context.Context, userID string) ([]AccessToken, error)
	// FindSessionsOfUser lists a user's sessions that are neither revoked
	// nor past their absolute lifetime at now.
	FindSessionsOfUser(ctx context.Context, userID string, now time.Time) ([]Session, error)
}

// TokenTx is the part of Tx that sessions and access tokens need.
type TokenTx interface {
	CreateAccessToken(ctx context.Context, t *AccessToken) error
	// FindAccessToken returns app.ErrNotFound for an unknown id.
	FindAccessToken(ctx context.Context, id string) (*AccessToken, error)
	// CountActiveAccessTokens counts the user's tokens that are neither
	// revoked nor expired at now.
	CountActiveAccessTokens(ctx context.Context, userID string, now time.Time) (int, error)
	RevokeAccessToken(ctx context.Context, id string) error
	// TouchAccessToken sets the last-used time to the transaction's time
	// unless it is already later than notBefore.
	TouchAccessToken(ctx context.Context, id string, notBefore time.Time) error
	// RevokeSessionsOfUser revokes every live session of the user except
	// keepID (when set) and returns the ids it revoked.
	RevokeSessionsOfUser(ctx context.Context, userID, keepID, reason string) ([]string, error)
}

// Now is the service's clock. Callers that must agree with it (the API's
// per-user rate limit) read it here.
func (s *Service) Now() time.Time { return s.now() }

var (
	errAccessTokenInvalid = &app.Error{Code: app.CodeUnauthorized, Message: "This access token is not valid.",
		Details: map[string]any{"reason": "token_invalid"}}
	errAccessTokenRevoked = &app.Error{Code: app.CodeUnauthorized, Message: "This access token has been revoked.",
		Details: map[string]any{"reason": "token_revoked"}}
	errAccessTokenExpired = &app.Error{Code: app.CodeUnauthorized, Message: "This access token has expired.",
		Details: map[string]any{"reason": "token_expired"}}
	errAccessTokenDisabled = &app.Error{Code: app.CodeUnauthorized, Message: "The account this access token belongs to is disabled.",
		Details: map[string]any{"reason": "account_disabled"}}
	errAccessTokenNotFound = &app.Error{Code: app.CodeNotFound, Message: "Access token not found."}
)

// authenticateAccessToken resolves a personal access token. The token row
// and its user are read in one indexed query, so a revoked token or a
// disabled account is refused on the very next request.
func (s *Service) authenticateAccessToken(ctx context.Context, bearer string) (*app.Principal, error) {
	if !wellFormedAccessToken(bearer) {
		return nil, errAccessTokenInvalid
	}
	user, tok, err := s.store.FindAccessTokenUser(ctx, HashOpaqueToken(bearer))
	if app.IsNotFound(err) {
		return nil, errAccessTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("find access token: %w", err)
	}
	now := s.now()
	switch {
	case !tok.RevokedAt.IsZero():
		return nil, errAccessTokenRevoked
	case tok.Expired(now):
		return nil, errAccessTokenExpired
	case user.Status != app.UserActive || user.Deleted():
		return nil, errAccessTokenDisabled
	}
	s.touchAccessToken(ctx, tok, now)
	return &app.Principal{User: *user, TokenID: tok.ID, Scopes: tok.Scopes}, nil
}

// wellFormedAccessToken checks the shape of a token before any lookup, so
// garbage never reaches the database.
func wellFormedAccessToken(s string) bool {
	if len(s) != accessTokenLength || !strings.HasPrefix(s, AccessTokenPrefix) {
		return false
	}
	for i := len(AccessTokenPrefix); i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// touchAccessToken records that the token was used, at most once per
// accessTokenTouchEvery: the time read with the token decides, so almost
// every request writes nothing, and concurrent requests with one token
// write it once. Failing to record it does not fail the request.
func (s *Service) touchAccessToken(ctx context.Context, tok *AccessToken, now time.Time) {
	if !tok.LastUsedAt.IsZero() && now.Sub(tok.LastUsedAt) < accessTokenTouchEvery {
		return
	}
	if _, busy := s.touching.LoadOrStore(tok.ID, struct{}{}); busy {
		return
	}
	defer s.touching.Delete(tok.ID)
	ctx = context.WithoutCancel(ctx)
	err := s.store.Update(ctx, func(tx Tx) error {
		return tx.TouchAccessToken(ctx, tok.ID, tx.Now().Add(-accessTokenTouchEvery))
	})
	if err != nil {
		s.log.WarnContext(ctx, "could not record the use of an access token", "token_id", tok.ID, "error", err)
		return
	}
	tok.LastUsedAt = now
}

// newAccessTokenSecret returns a new token and the hash it is stored under.
func newAccessTokenSecret() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("read random access token: %w", err)
	}
	token = AccessTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashOpaqueToken(token), nil
}

// ParseScopes validates the scopes asked for a token of a user with role:
// at least one, each of read, write and admin, and only what the role
// allows (the admin scope only for owners and admins). The result is
// deduplicated and in canonical order.
func ParseScopes(names []string, role app.Role) ([]app.Scope, error) {
	if len(names) == 0 {
		return nil, app.Invalid("scopes", "Choose at least one scope: read, write or admin.")
	}
	want := map[app.Scope]bool{}
	for _, n := range names {
		sc := app.Scope(strings.TrimSpace(n))
		switch sc {
		case app.ScopeRead, app.ScopeWrite, app.ScopeAdmin:
			want[sc] = true
		default:
			return nil, app.Invalid("scopes", fmt.Sprintf("Unknown scope %q: scopes are read, write and admin.", n))
		}
	}
	if want[app.ScopeAdmin] && role != app.RoleOwner && role != app.RoleAdmin {
		return nil, app.Invalid("scopes", "Only owners and admins can create a token with the admin scope.").
			WithDetail("scope", string(app.ScopeAdmin))
	}
	var out []app.Scope
	for _, sc := range []app.Scope{app.ScopeRead, app.ScopeWrite, app.ScopeAdmin} {
		if want[sc] {
			out = append(out, sc)
		}
	}
	return out, nil
}

// CreateAccessTokenInput asks for a new personal access token.
type CreateAccessTokenInput struct {
	Name   string
	Scopes []string
	// ExpiresInDays is 1 to MaxAccessTokenDays; nil means the token never
	// expires.
	ExpiresInDays *int
}

// CreateAccessToken creates a token for the principal and returns it with
// the token string, which is never available again.
func (s *Service) CreateAccessToken(ctx context.Context, p *app.Principal, in CreateAccessTokenInput, meta app.RequestMeta) (*AccessToken, string, error) {
	if p.TokenID != "" {
		// A leaked token must not be able to mint a longer-lived one.
		return nil, "", &app.Error{Code: app.CodeForbidden, Message: "An access token cannot create access tokens. Sign in to create one.",
			Details: map[string]any{"reason": "token_cannot_create_tokens"}}
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, "", err
	}
	scopes, err := ParseScopes(in.Scopes, p.User.Role)
	if err != nil {
		return nil, "", err
	}
	if d := in.ExpiresInDays; d != nil && (*d < 1 || *d > MaxAccessTokenDays) {
		return nil, "", app.Invalid("expires_in_days", fmt.Sprintf("Expiry must be between 1 and %d days, or null for a token that never expires.", MaxAccessTokenDays))
	}
	secret, hash, err := newAccessTokenSecret()
	if err != nil {
		return nil, "", err
	}
	var tok *AccessToken
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		n, err := tx.CountActiveAccessTokens(ctx, p.User.ID, now)
		if err != nil {
			return err
		}
		if n >= MaxActiveAccessTokens {
			return &app.Error{Code: app.CodeConflict, Message: fmt.Sprintf("You already have %d active access tokens. Revoke one you no longer use first.", n),
				Details: map[string]any{"limit": MaxActiveAccessTokens}}
		}
		tok = &AccessToken{ID: app.NewID(), UserID: p.User.ID, Name: name, Hash: hash, Scopes: scopes, CreatedAt: now}
		if in.ExpiresInDays != nil {
			tok.ExpiresAt = now.Add(time.Duration(*in.ExpiresInDays) * 24 * time.Hour)
		}
		if err := tx.CreateAccessToken(ctx, tok); err != nil {
			return err
		}
		details := map[string]any{"name": name, "scopes": scopeNames(scopes), "expires_at": nil}
		if !tok.ExpiresAt.IsZero() {
			details["expires_at"] = tok.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: p.User.ID, ActorLabel: p.User.Email, Action: app.ActionTokenCreated,
			TargetType: "token", TargetID: tok.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess, Details: details})
	})
	if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// AccessTokens lists the principal's own tokens that were not revoked,
// newest first (expired ones included, so people see why a script stopped).
func (s *Service) AccessTokens(ctx context.Context, p *app.Principal) ([]AccessToken, error) {
	return s.store.FindAccessTokensOfUser(ctx, p.User.ID)
}

// RevokeAccessToken revokes one of the principal's own tokens; it works at
// once. Another person's token, or an unknown id, is not found. Revoking a
// revoked token changes nothing.
func (s *Service) RevokeAccessToken(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	return s.store.Update(ctx, func(tx Tx) error {
		tok, err := tx.FindAccessToken(ctx, id)
		if app.IsNotFound(err) || err == nil && tok.UserID != p.User.ID {
			return errAccessTokenNotFound
		}
		if err != nil {
			return err
		}
		if !tok.RevokedAt.IsZero() {
			return nil
		}
		if err := tx.RevokeAccessToken(ctx, tok.ID); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.TokenRevoked(tok.UserID, tok.ID)); err != nil {
			return err
		}
		details := map[string]any{"name": tok.Name}
		if p.TokenID == tok.ID {
			details["self"] = true
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: p.User.ID, ActorLabel: p.User.Email, Action: app.ActionTokenRevoked,
			TargetType: "token", TargetID: tok.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess, Details: details})
	})
}

func scopeNames(scopes []app.Scope) []string {
	out := make([]string, len(scopes))
	for i, sc := range scopes {
		out[i] = string(sc)
	}
	return out
}
