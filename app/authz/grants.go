package authz

import (
	"context"
	"fmt"
	"time"

	"nexus/app"
)

// Grants lists who holds which role on res. Anyone who may view res may
// see its members.
func (s *Service) Grants(ctx context.Context, p *app.Principal, res Resource) ([]Grant, error) {
	if err := s.Require(ctx, p, View, res); err != nil {
		return nil, err
	}
	return s.store.FindGrants(ctx, res.Type, res.ID)
}

// SetGrant gives a user or a team a role on res, replacing the role they
// held. It needs Manage on res. Modules that create a resource write its
// first grant (the creator as manager) with Tx.PutGrant in their own
// transaction instead.
func (s *Service) SetGrant(ctx context.Context, p *app.Principal, res Resource, to Grantee, role ResourceRole, meta app.RequestMeta) error {
	if err := s.Require(ctx, p, Manage, res); err != nil {
		return err
	}
	if role.Rank() == 0 {
		return app.Invalid("role", "Role must be one of viewer, editor, manager.")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := checkGrantee(ctx, tx, to); err != nil {
			return err
		}
		before, err := tx.FindGrant(ctx, res.Type, res.ID, to)
		if err != nil {
			return err
		}
		if before == role {
			return nil
		}
		now := tx.Now()
		if err := tx.PutGrant(ctx, Grant{ResourceType: res.Type, ResourceID: res.ID, Grantee: to, Role: role, GrantedAt: now}); err != nil {
			return err
		}
		data := grantData(res, to)
		data["role"] = string(role)
		details := grantData(res, to)
		details["role"], details["previous_role"] = string(role), string(before)
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventAccessGranted, ResourceType: res.Type, ResourceID: res.ID,
			At: now, Data: data}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionAccessGranted, res.Type, res.ID, details))
	})
}

// RemoveGrant takes a user's or team's role on res away. It needs Manage
// on res; removing a grant that does not exist is not_found.
func (s *Service) RemoveGrant(ctx context.Context, p *app.Principal, res Resource, to Grantee, meta app.RequestMeta) error {
	if err := s.Require(ctx, p, Manage, res); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		before, err := tx.FindGrant(ctx, res.Type, res.ID, to)
		if err != nil {
			return err
		}
		removed, err := tx.DeleteGrant(ctx, res.Type, res.ID, to)
		if err != nil {
			return err
		}
		if !removed {
			return &app.Error{Code: app.CodeNotFound, Message: "That " + to.Type + " has no role here.", Err: app.ErrNotFound}
		}
		now := tx.Now()
		details := grantData(res, to)
		details["previous_role"] = string(before)
		if err := tx.AppendEvent(ctx, app.Event{Type: app.EventAccessRevoked, ResourceType: res.Type, ResourceID: res.ID,
			At: now, Data: grantData(res, to)}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionAccessRevoked, res.Type, res.ID, details))
	})
}

func checkGrantee(ctx context.Context, tx Tx, to Grantee) error {
	switch to.Type {
	case GranteeUser:
		u, err := tx.FindUserByID(ctx, to.ID)
		if app.IsNotFound(err) || err == nil && u.Deleted() {
			return &app.Error{Code: app.CodeNotFound, Message: "User not found.", Err: app.ErrNotFound}
		}
		return err
	case GranteeTeam:
		_, err := tx.FindTeamByID(ctx, to.ID)
		return err
	}
	return app.Invalid("principal_type", fmt.Sprintf("A role can be granted to a user or a team, not %q.", to.Type))
}

func grantData(res Resource, to Grantee) map[string]any {
	return map[string]any{"resource_type": res.Type, "resource_id": res.ID,
		"principal_type": to.Type, "principal_id": to.ID}
}

// actorEntry is an audit row for a change made by p.
func actorEntry(p *app.Principal, meta app.RequestMeta, at time.Time, action, targetType, targetID string, details map[string]any) app.AuditEntry {
	return app.AuditEntry{At: at, ActorID: p.User.ID, ActorLabel: p.User.Email, Action: action,
		TargetType: targetType, TargetID: targetID, IP: meta.IP, UserAgent: meta.UserAgent,
		Result: app.AuditSuccess, Details: details}
}
