package auth

import (
	"context"
	"fmt"
	"time"

	"nexus/app"
)

// Refresh rotates a refresh token: the presented token is spent and a new
// one issued in the same session. A token presented a second time revokes
// the session, because one of the two holders must have stolen it.
func (s *Service) Refresh(ctx context.Context, token string, meta app.RequestMeta) (*SignIn, error) {
	if token == "" {
		return nil, errSignInRequired
	}
	hash := HashOpaqueToken(token)
	var out *SignIn
	var refused error
	err := s.store.Update(ctx, func(tx Tx) error {
		rt, err := tx.FindRefreshToken(ctx, hash)
		if app.IsNotFound(err) {
			refused = errSessionEnded
			return nil
		}
		if err != nil {
			return err
		}
		sess, err := tx.FindSession(ctx, rt.SessionID)
		if err != nil {
			return fmt.Errorf("find session of refresh token: %w", err)
		}
		now := tx.Now()
		if !rt.UsedAt.IsZero() {
			refused = errSessionEnded
			if !sess.RevokedAt.IsZero() {
				return nil
			}
			if err := tx.RevokeSession(ctx, sess.ID, RevokedReuse); err != nil {
				return err
			}
			if err := tx.AppendEvent(ctx, app.SessionsRevoked(sess.UserID, sess.ID)); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: sess.UserID, Action: app.ActionRefreshReuse,
				TargetType: "session", TargetID: sess.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditFailure,
				Details: map[string]any{"token_used_at": rt.UsedAt.UTC().Format(time.RFC3339), "session_ip": sess.IP}})
		}
		if !sess.Active(now, s.cfg.RefreshIdleTimeout) {
			refused = errSessionEnded
			return nil
		}
		user, err := tx.FindUserByID(ctx, sess.UserID)
		if err != nil {
			return fmt.Errorf("find user of session: %w", err)
		}
		if user.Status != app.UserActive {
			refused = errSessionEnded
			return nil
		}
		if err := tx.MarkRefreshTokenUsed(ctx, hash); err != nil {
			return err
		}
		if err := tx.TouchSession(ctx, sess.ID, now); err != nil {
			return err
		}
		sess.LastUsedAt = now
		out, err = s.issue(ctx, tx, user, sess)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// Logout revokes the session that the refresh token (or, without one, the
// access token's session id) belongs to. Signing out twice is not an error.
func (s *Service) Logout(ctx context.Context, refreshToken, sessionID string, meta app.RequestMeta) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if refreshToken != "" {
			rt, err := tx.FindRefreshToken(ctx, HashOpaqueToken(refreshToken))
			if err != nil && !app.IsNotFound(err) {
				return err
			}
			if rt != nil {
				sessionID = rt.SessionID
			}
		}
		if sessionID == "" {
			return nil
		}
		sess, err := tx.FindSession(ctx, sessionID)
		if app.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if !sess.RevokedAt.IsZero() {
			return nil
		}
		if err := tx.RevokeSession(ctx, sess.ID, RevokedLogout); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(sess.UserID, sess.ID)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: sess.UserID, Action: app.ActionLogout,
			TargetType: "session", TargetID: sess.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess})
	})
}
