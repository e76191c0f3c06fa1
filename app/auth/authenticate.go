package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"nexus/app"
)

// Authenticate turns a bearer token — a session's access token (JWT) or a
// personal access token (nxp_…) — into the request's principal. The session
// or token and the user are re-read on every request, so a sign-out, a
// revoked token or a disabled account takes effect at once rather than when
// the credential expires.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*app.Principal, error) {
	if bearer == "" {
		return nil, errSignInRequired
	}
	if strings.HasPrefix(bearer, AccessTokenPrefix) {
		return s.authenticateAccessToken(ctx, bearer)
	}
	claims, err := s.tokens.VerifyAccess(bearer)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return nil, errTokenExpired
		}
		return nil, errTokenInvalid
	}
	user, sess, err := s.store.FindSessionUser(ctx, claims.Subject, claims.SessionID)
	if app.IsNotFound(err) {
		return nil, errTokenInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("find session user: %w", err)
	}
	if !sess.RevokedAt.IsZero() || !s.now().Before(sess.ExpiresAt) || user.Status != app.UserActive {
		return nil, errSessionEnded
	}
	return &app.Principal{User: *user, SessionID: sess.ID}, nil
}
