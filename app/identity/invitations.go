package identity

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/authz"
	"nexus/app/mail"
)

// InviteInput is an invitation to send.
type InviteInput struct {
	Email string
	Role  string
}

// invitationLink is the page the invitation mail points to; origin is the
// server's public origin (public_url, or the request's origin).
func invitationLink(origin, token string) string {
	return strings.TrimRight(origin, "/") + "/invite/" + token
}

// Invite creates an invitation and writes its mail to the outbox, in one
// transaction. An address that already has an account, or a pending
// invitation, cannot be invited again (resend the pending one instead).
func (s *Service) Invite(ctx context.Context, p *app.Principal, in InviteInput, origin string, meta app.RequestMeta) (*Invitation, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, err
	}
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	role, err := app.ParseRole(in.Role)
	if err != nil {
		return nil, err
	}
	if role == app.RoleOwner {
		if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
			return nil, ownersOnly(err)
		}
	}
	token, hash, err := auth.NewOpaqueToken()
	if err != nil {
		return nil, err
	}
	var inv *Invitation
	err = s.update(ctx, func(tx Tx) error {
		now := tx.Now()
		if _, err := tx.FindUserByEmail(ctx, email); err == nil {
			return app.Invalid("email", "Someone with this email already has an account.").WithCode(app.CodeConflict)
		} else if !app.IsNotFound(err) {
			return err
		}
		if pending, err := tx.FindPendingInvitationByEmail(ctx, email, now); err == nil {
			return app.Invalid("email", "This address already has a pending invitation. Resend it instead.").
				WithCode(app.CodeConflict).WithDetail("invitation_id", pending.ID)
		} else if !app.IsNotFound(err) {
			return err
		}
		inv = &Invitation{ID: app.NewID(), Email: email, Role: role, TokenHash: hash, InvitedBy: p.User.ID,
			InviterName: p.User.Name, CreatedAt: now, ExpiresAt: now.Add(s.cfg.InvitationTTL)}
		if err := tx.CreateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.enqueueInvitation(ctx, tx, p, inv, token, origin); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, invitationAudit(p, meta, now, app.ActionUserInvited, inv, nil))
	})
	if err != nil {
		return nil, err
	}
	s.mail.Notify()
	return inv, nil
}

// The mail is written in the inviter's language: the invitee has no
// account, and so no language, yet.
func (s *Service) enqueueInvitation(ctx context.Context, tx Tx, p *app.Principal, inv *Invitation, token, origin string) error {
	return s.enqueue(ctx, tx, mail.KindInvitation, inv.Email, p.User.Language, p.User.Timezone, inv.Role == app.RoleOwner,
		mail.InvitationData{InviterName: p.User.Name, Role: string(inv.Role), Link: invitationLink(origin, token), ExpiresAt: inv.ExpiresAt})
}

// invitationAudit records an action on an invitation; the target is the
// invitation (there is no account yet).
func invitationAudit(p *app.Principal, meta app.RequestMeta, at time.Time, action string, inv *Invitation, extra map[string]any) app.AuditEntry {
	details := map[string]any{"email": inv.Email, "role": string(inv.Role)}
	for k, v := range extra {
		details[k] = v
	}
	e := audit(p, meta, at, action, inv.ID, details)
	e.TargetType = "invitation"
	return e
}

var errInvitationNotFound = &app.Error{Code: app.CodeNotFound, Message: "Invitation not found."}

// findInvitationForAdmin reads an invitation in tx and checks that p may
// manage it: owner invitations are the owners' to manage.
func findInvitationForAdmin(ctx context.Context, tx Tx, p *app.Principal, id string) (*Invitation, error) {
	inv, err := tx.FindInvitationByID(ctx, id)
	if app.IsNotFound(err) {
		return nil, errInvitationNotFound
	}
	if err != nil {
		return nil, err
	}
	if inv.Role == app.RoleOwner {
		if err := authz.RequireGlobal(p, authz.ManageOwners); err != nil {
			return nil, ownersOnly(err)
		}
	}
	return inv, nil
}

// ResendInvitation sends a pending or expired invitation again with a new
// token and a new expiry; the old link stops working.
func (s *Service) ResendInvitation(ctx context.Context, p *app.Principal, id, origin string, meta app.RequestMeta) (*Invitation, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, err
	}
	token, hash, err := auth.NewOpaqueToken()
	if err != nil {
		return nil, err
	}
	var inv *Invitation
	err = s.update(ctx, func(tx Tx) error {
		inv, err = findInvitationForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := tx.Now()
		switch inv.Status(now) {
		case InvitationAccepted:
			return &app.Error{Code: app.CodeConflict, Message: "This invitation was already accepted.", Details: map[string]any{"reason": "accepted"}}
		case InvitationRevoked:
			return &app.Error{Code: app.CodeConflict, Message: "This invitation was revoked. Send a new one instead.", Details: map[string]any{"reason": "revoked"}}
		}
		if _, err := tx.FindUserByEmail(ctx, inv.Email); err == nil {
			return app.Invalid("email", "Someone with this email already has an account.").WithCode(app.CodeConflict)
		} else if !app.IsNotFound(err) {
			return err
		}
		inv.TokenHash, inv.ExpiresAt = hash, now.Add(s.cfg.InvitationTTL)
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := s.enqueueInvitation(ctx, tx, p, inv, token, origin); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, invitationAudit(p, meta, now, app.ActionUserInvited, inv, map[string]any{"resent": true}))
	})
	if err != nil {
		return nil, err
	}
	s.mail.Notify()
	return inv, nil
}

// RevokeInvitation makes an invitation's link useless. Revoking a revoked
// invitation changes nothing; an accepted one cannot be revoked (disable
// the account instead).
func (s *Service) RevokeInvitation(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return err
	}
	return s.update(ctx, func(tx Tx) error {
		inv, err := findInvitationForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := tx.Now()
		switch inv.Status(now) {
		case InvitationAccepted:
			return &app.Error{Code: app.CodeConflict, Message: "This invitation was already accepted; disable the account instead.",
				Details: map[string]any{"reason": "accepted"}}
		case InvitationRevoked:
			return nil
		}
		inv.RevokedAt = now
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, invitationAudit(p, meta, now, app.ActionUserInvitationRevoked, inv, nil))
	})
}

// Invitations lists invitations for an administrator, newest first.
func (s *Service) Invitations(ctx context.Context, p *app.Principal, status, cursor string, limit int) ([]Invitation, string, error) {
	if err := authz.RequireGlobal(p, authz.ManageUsers); err != nil {
		return nil, "", err
	}
	f := InvitationFilter{Status: InvitationStatus(status), Now: s.now(), Limit: limit}
	switch f.Status {
	case "", InvitationPending, InvitationAccepted, InvitationExpired, InvitationRevoked:
	default:
		return nil, "", app.Invalid("status", "Status must be pending, accepted, expired or revoked.")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(raw) == 0 || len(raw) > 64 {
			return nil, "", app.Invalid("cursor", "The cursor is not valid; start from the first page.")
		}
		f.Before = string(raw)
	}
	limit = f.Limit
	f.Limit++
	items, err := s.store.FindInvitations(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("find invitations: %w", err)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(items[limit-1].ID))
	}
	return items, next, nil
}

// invitationUnusable is the public answer for a token that cannot be used;
// reason is unknown, expired, used or revoked.
func invitationUnusable(reason string) error {
	msg := "This invitation link is not valid. Ask the person who invited you for a new one."
	switch reason {
	case "expired":
		msg = "This invitation has expired. Ask the person who invited you to send it again."
	case "used":
		msg = "This invitation was already used. Sign in instead."
	case "revoked":
		msg = "This invitation was withdrawn. Ask the person who invited you if you think this is a mistake."
	}
	return &app.Error{Code: app.CodeNotFound, Message: msg, Details: map[string]any{"reason": reason}}
}

func unusableReason(st InvitationStatus) string {
	switch st {
	case InvitationAccepted:
		return "used"
	case InvitationRevoked:
		return "revoked"
	case InvitationExpired:
		return "expired"
	}
	return ""
}

// lookupInvitation finds a usable invitation by token for the public
// pages. Unknown tokens count against the client IP.
func (s *Service) lookupInvitation(ctx context.Context, token string, meta app.RequestMeta) (*Invitation, error) {
	key := "ip:" + meta.IP
	if d := s.inviteLimiter.Allow(meta.IP, key); !d.OK {
		return nil, rateLimited(d.RetryAfter)
	}
	if token == "" || len(token) > 128 {
		s.inviteLimiter.Failure(key)
		return nil, invitationUnusable("unknown")
	}
	inv, err := s.store.FindInvitationByTokenHash(ctx, auth.HashOpaqueToken(token))
	if app.IsNotFound(err) {
		s.inviteLimiter.Failure(key)
		return nil, invitationUnusable("unknown")
	}
	if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	if st := inv.Status(s.now()); st != InvitationPending {
		return nil, invitationUnusable(unusableReason(st))
	}
	return inv, nil
}

// InvitationByToken is what the invitation page shows before accepting.
func (s *Service) InvitationByToken(ctx context.Context, token string, meta app.RequestMeta) (*Invitation, error) {
	return s.lookupInvitation(ctx, token, meta)
}

// AcceptInput is what the invitee chooses.
type AcceptInput struct {
	Name     string
	Password string
}

// AcceptInvitation creates the account with the invited email and role,
// spends the invitation and signs the new user in, in one transaction.
func (s *Service) AcceptInvitation(ctx context.Context, token string, in AcceptInput, meta app.RequestMeta) (*auth.SignIn, error) {
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	// Check the token before spending a password hash on it.
	if _, err := s.lookupInvitation(ctx, token, meta); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, in.Password, "password")
	if err != nil {
		return nil, err
	}
	var out *auth.SignIn
	err = s.update(ctx, func(tx Tx) error {
		inv, err := tx.FindInvitationByTokenHash(ctx, auth.HashOpaqueToken(token))
		if app.IsNotFound(err) {
			return invitationUnusable("unknown")
		}
		if err != nil {
			return err
		}
		now := tx.Now()
		if st := inv.Status(now); st != InvitationPending {
			return invitationUnusable(unusableReason(st))
		}
		u := &app.User{ID: app.NewID(), Email: inv.Email, Name: name, Role: inv.Role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		inv.AcceptedAt, inv.AcceptedUserID = now, u.ID
		if err := tx.UpdateInvitation(ctx, inv); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: u.ID, ActorLabel: u.Email,
			Action: app.ActionUserInvitationAccepted, TargetType: "user", TargetID: u.ID, IP: meta.IP,
			UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"invitation_id": inv.ID, "role": string(inv.Role), "invited_by": inv.InvitedBy}}); err != nil {
			return err
		}
		out, err = s.auth.StartSession(ctx, tx, u, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
