package auth

import (
	"context"
	"sort"

	"nexus/app"
	"nexus/app/authz"
)

// More session revocation reasons (see store.go for the others).
const (
	RevokedByUser  = "ended_by_user"  // ended from the owner's list of sessions
	RevokedByAdmin = "ended_by_admin" // an administrator ended the user's sessions
)

// SessionInfo is a session as its owner sees it in their list.
type SessionInfo struct {
	Session
	Device Device
	// Current is the session the request was made with.
	Current bool
}

var errSessionNotFound = &app.Error{Code: app.CodeNotFound, Message: "Session not found."}

// Sessions lists the principal's live sessions (not revoked, not past their
// absolute lifetime or idle timeout): the current one first, then the most
// recently used.
func (s *Service) Sessions(ctx context.Context, p *app.Principal) ([]SessionInfo, error) {
	now := s.now()
	sessions, err := s.store.FindSessionsOfUser(ctx, p.User.ID, now)
	if err != nil {
		return nil, err
	}
	out := make([]SessionInfo, 0, len(sessions))
	for _, sess := range sessions {
		if !sess.Active(now, s.cfg.RefreshIdleTimeout) {
			continue
		}
		out = append(out, SessionInfo{Session: sess, Device: DescribeDevice(sess.UserAgent), Current: sess.ID == p.SessionID})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Current != out[j].Current {
			return out[i].Current
		}
		return out[i].LastUsedAt.After(out[j].LastUsedAt)
	})
	return out, nil
}

// EndSession revokes one of the principal's own sessions: its refresh token
// and its access tokens stop working on their next use. Another person's
// session, or an unknown id, is not found; ending an ended session changes
// nothing. current reports whether it was the session of the request, which
// is thereby signed out.
func (s *Service) EndSession(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) (current bool, err error) {
	err = s.store.Update(ctx, func(tx Tx) error {
		sess, err := tx.FindSession(ctx, id)
		if app.IsNotFound(err) || err == nil && sess.UserID != p.User.ID {
			return errSessionNotFound
		}
		if err != nil {
			return err
		}
		current = sess.ID == p.SessionID
		if !sess.RevokedAt.IsZero() {
			return nil
		}
		if err := tx.RevokeSession(ctx, sess.ID, RevokedByUser); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(sess.UserID, sess.ID)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionSessionRevoked, TargetType: "session", TargetID: sess.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"reason": RevokedByUser, "user_id": sess.UserID,
				"current": current, "device": DescribeDevice(sess.UserAgent).Description, "session_ip": sess.IP}})
	})
	return current, err
}

// EndOtherSessions revokes every session of the principal except the one
// the request was made with (with a personal access token, every session)
// and returns how many it ended.
func (s *Service) EndOtherSessions(ctx context.Context, p *app.Principal, meta app.RequestMeta) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		ids, err := tx.RevokeSessionsOfUser(ctx, p.User.ID, p.SessionID, RevokedByUser)
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(p.User.ID, ids...)); err != nil {
			return err
		}
		n = len(ids)
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionSessionRevoked, TargetType: "user", TargetID: p.User.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"reason": RevokedByUser, "scope": "others", "count": n, "session_ids": ids}})
	})
	return n, err
}

// EndUserSessions is the administrators' "sign out everywhere" for another
// user: every session of userID is revoked. It needs the users.manage
// permission, and owners.manage when the user is an owner. It returns how
// many sessions it ended.
func (s *Service) EndUserSessions(ctx context.Context, p *app.Principal, userID string, meta app.RequestMeta) (int, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return 0, err
	}
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		target, err := tx.FindUserByID(ctx, userID)
		if app.IsNotFound(err) {
			return &app.Error{Code: app.CodeNotFound, Message: "User not found."}
		}
		if err != nil {
			return err
		}
		if target.Role == app.RoleOwner {
			if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
				return &app.Error{Code: app.CodeForbidden, Message: "Only an owner can end an owner's sessions."}
			}
		}
		ids, err := tx.RevokeSessionsOfUser(ctx, target.ID, "", RevokedByAdmin)
		if err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, app.SessionsRevoked(target.ID, ids...)); err != nil {
			return err
		}
		n = len(ids)
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionSessionRevoked, TargetType: "user", TargetID: target.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"reason": RevokedByAdmin, "scope": "all", "count": n, "session_ids": ids}})
	})
	return n, err
}
