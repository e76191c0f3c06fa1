package auth

import (
	"context"
	"time"

	"nexus/app"
)

// Session is one sign-in: the family of refresh tokens that descend from a
// single password check. Revoking it ends every token of the family and every
// access token that names it.
type Session struct {
	ID         string
	UserID     string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time // absolute lifetime
	RevokedAt  time.Time // zero while active
	Reason     string    // why it was revoked
	UserAgent  string
	IP         string
}

// Active reports whether the session may still be used at now, given the
// idle timeout.
func (s *Session) Active(now time.Time, idle time.Duration) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt) && now.Sub(s.LastUsedAt) < idle
}

// RefreshToken is one link of a session's rotation chain. Only its hash is
// stored. A token is used once; presenting a used token again means it was
// copied, and the whole session is revoked.
type RefreshToken struct {
	Hash      []byte
	SessionID string
	CreatedAt time.Time
	UsedAt    time.Time // zero until used
}

// Session revocation reasons.
const (
	RevokedLogout = "logout"
	RevokedReuse  = "refresh_reuse"
)

// Store is what the auth use-cases need from storage. Reads go to the read
// pool; Update runs fn in one write transaction.
type Store interface {
	CountUsers(ctx context.Context) (int, error)
	FindUserByEmail(ctx context.Context, email string) (*app.User, error)
	// FindSessionUser returns the user and session named by an access token.
	FindSessionUser(ctx context.Context, userID, sessionID string) (*app.User, *Session, error)
	TokenStore
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction. Every row written in it shares Now().
type Tx interface {
	TokenTx
	Now() time.Time
	CountUsers(ctx context.Context) (int, error)
	FindUserByID(ctx context.Context, id string) (*app.User, error)
	CreateUser(ctx context.Context, u *app.User) error
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, id string) (*Session, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	// TouchUserSeen records that the user was active (shown to admins as
	// "last seen"); sign-ins and token refreshes call it.
	TouchUserSeen(ctx context.Context, userID string, at time.Time) error
	RevokeSession(ctx context.Context, id, reason string) error
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// FindRefreshToken returns app.ErrNotFound for an unknown hash.
	FindRefreshToken(ctx context.Context, hash []byte) (*RefreshToken, error)
	MarkRefreshTokenUsed(ctx context.Context, hash []byte) error
	AppendAudit(ctx context.Context, e app.AuditEntry) error
	AppendEvent(ctx context.Context, e app.Event) error
}
