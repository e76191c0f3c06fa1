package realtime

import (
	"context"
	"fmt"
	"time"

	"nexus/app"
	"nexus/app/auth"
)

// CredentialStore is what re-checking a connection's principal reads: the
// same rows auth reads on every API request.
type CredentialStore interface {
	FindSessionUser(ctx context.Context, userID, sessionID string) (*app.User, *auth.Session, error)
	FindAccessTokensOfUser(ctx context.Context, userID string) ([]auth.AccessToken, error)
	FindUserByID(ctx context.Context, id string) (*app.User, error)
}

// CredentialChecker implements Principals on the store. A socket lives far
// longer than the access token that opened it, so it is the session (or
// personal access token) and the account that are re-read, not the token.
type CredentialChecker struct {
	Store CredentialStore
	Now   func() time.Time
}

var errCredentialEnded = &app.Error{Code: app.CodeUnauthorized, Message: "The session or token behind this connection has ended.",
	Details: map[string]any{"reason": "session_ended"}}

// Recheck returns the fresh principal, or an unauthorized error when the
// session ended (signed out, revoked, expired), the token was revoked or
// expired, or the account was disabled or deleted.
func (cc CredentialChecker) Recheck(ctx context.Context, p *app.Principal) (*app.Principal, error) {
	now := time.Now()
	if cc.Now != nil {
		now = cc.Now()
	}
	switch {
	case p.SessionID != "":
		user, sess, err := cc.Store.FindSessionUser(ctx, p.User.ID, p.SessionID)
		if app.IsNotFound(err) {
			return nil, errCredentialEnded
		}
		if err != nil {
			return nil, fmt.Errorf("recheck session: %w", err)
		}
		if !sess.RevokedAt.IsZero() || !now.Before(sess.ExpiresAt) || !usable(user) {
			return nil, errCredentialEnded
		}
		return &app.Principal{User: *user, SessionID: sess.ID, MFAEnrollmentRequired: p.MFAEnrollmentRequired}, nil
	case p.TokenID != "":
		tokens, err := cc.Store.FindAccessTokensOfUser(ctx, p.User.ID)
		if err != nil {
			return nil, fmt.Errorf("recheck access token: %w", err)
		}
		for _, t := range tokens {
			if t.ID != p.TokenID {
				continue
			}
			if !t.RevokedAt.IsZero() || t.Expired(now) {
				return nil, errCredentialEnded
			}
			user, err := cc.Store.FindUserByID(ctx, p.User.ID)
			if app.IsNotFound(err) {
				return nil, errCredentialEnded
			}
			if err != nil {
				return nil, fmt.Errorf("recheck access token user: %w", err)
			}
			if !usable(user) {
				return nil, errCredentialEnded
			}
			return &app.Principal{User: *user, TokenID: t.ID, Scopes: t.Scopes}, nil
		}
		return nil, errCredentialEnded
	default:
		// Neither a session nor a token: nothing to re-read.
		return nil, errCredentialEnded
	}
}

func usable(u *app.User) bool { return u.Status == app.UserActive && !u.Deleted() }
