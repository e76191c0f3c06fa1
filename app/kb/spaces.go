package kb

import (
	"context"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// SpaceInput creates a space.
type SpaceInput struct {
	Name        string
	Description string
	Icon        string
	Visibility  string // "org" (default) or "members"
}

// SpaceUpdate changes a space; nil fields stay.
type SpaceUpdate struct {
	Name        *string
	Description *string
	Icon        *string
	Visibility  *string
	Version     int64
}

func parseVisibility(v string) (authz.Visibility, error) {
	switch v {
	case "", string(authz.VisibleToOrg):
		return authz.VisibleToOrg, nil
	case string(authz.VisibleToMembers):
		return authz.VisibleToMembers, nil
	}
	return "", app.Invalid("visibility", "Visibility must be org or members.")
}

func (in *SpaceInput) clean() error {
	var err error
	if in.Name, err = cleanText("name", in.Name, true, MaxSpaceNameRunes, false); err != nil {
		return err
	}
	if in.Description, err = cleanText("description", in.Description, false, MaxDescriptionRunes, true); err != nil {
		return err
	}
	in.Icon, err = cleanText("icon", in.Icon, false, MaxIconRunes, false)
	return err
}

// Spaces lists the spaces p may see, by name; archived ones only when
// archived is true (and then only those).
func (s *Service) Spaces(ctx context.Context, p *app.Principal, archived bool) ([]Space, error) {
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	return s.store.FindSpaces(ctx, vis, archived)
}

// Space returns a space p may view.
func (s *Service) Space(ctx context.Context, p *app.Principal, id string) (*Space, error) {
	return s.loadSpace(ctx, p, id, authz.View)
}

// SpaceAccess says what p may do in a space (for the UI).
type SpaceAccess struct {
	Edit, Manage bool
}

// Access reports what p may do in sp.
func (s *Service) Access(ctx context.Context, p *app.Principal, sp *Space) (SpaceAccess, error) {
	edit, err := s.authz.Can(ctx, p, authz.Edit, sp.Resource())
	if err != nil {
		return SpaceAccess{}, err
	}
	manage, err := s.authz.Can(ctx, p, authz.Manage, sp.Resource())
	if err != nil {
		return SpaceAccess{}, err
	}
	return SpaceAccess{Edit: edit, Manage: manage}, nil
}

func (s *Service) loadSpace(ctx context.Context, p *app.Principal, id string, a authz.Action) (*Space, error) {
	sp, err := s.store.FindSpaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authz.Require(ctx, p, a, sp.Resource()); err != nil {
		return nil, err
	}
	return sp, nil
}

// CreateSpace creates a space; the creator becomes its manager.
func (s *Service) CreateSpace(ctx context.Context, p *app.Principal, in SpaceInput, meta app.RequestMeta) (*Space, error) {
	if err := authz.RequireGlobal(p, authz.CreateResources); err != nil {
		return nil, err
	}
	if err := in.clean(); err != nil {
		return nil, err
	}
	vis, err := parseVisibility(in.Visibility)
	if err != nil {
		return nil, err
	}
	sp := &Space{ID: app.NewID(), Name: in.Name, Description: in.Description, Icon: in.Icon, Visibility: vis,
		CreatedBy: p.User.ID, Version: 1}
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		sp.CreatedAt, sp.UpdatedAt = now, now
		if err := tx.CreateSpace(ctx, sp); err != nil {
			return err
		}
		if err := tx.PutGrant(ctx, authz.Grant{ResourceType: authz.Space, ResourceID: sp.ID,
			Grantee: authz.Grantee{Type: authz.GranteeUser, ID: p.User.ID}, Role: authz.Manager, GrantedAt: now}); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, spaceEvent(app.EventSpaceCreated, sp)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionKBSpaceCreated, authz.Space, sp.ID,
			map[string]any{"name": sp.Name, "visibility": string(sp.Visibility)}))
	})
	if err != nil {
		return nil, err
	}
	return sp, nil
}

func spaceEvent(typ string, sp *Space) app.Event {
	return app.Event{Type: typ, ResourceType: authz.Space, ResourceID: sp.ID, At: sp.UpdatedAt,
		Data: map[string]any{"space_id": sp.ID, "name": sp.Name, "visibility": string(sp.Visibility), "version": sp.Version}}
}

func errStaleSpace(current int64) error {
	return &app.Error{Code: app.CodeConflict, Message: "Someone else changed this space. Reload it and try again.",
		Details: map[string]any{"current_version": current}}
}

// UpdateSpace changes a space's name, description, icon or visibility
// (manage). A visibility change is audited.
func (s *Service) UpdateSpace(ctx context.Context, p *app.Principal, id string, up SpaceUpdate, meta app.RequestMeta) (*Space, error) {
	if _, err := s.loadSpace(ctx, p, id, authz.Manage); err != nil {
		return nil, err
	}
	if up.Version <= 0 {
		return nil, app.Invalid("version", "Send the version of the space you are changing.")
	}
	var out *Space
	err := s.store.Update(ctx, func(tx Tx) error {
		sp, err := tx.FindSpaceByID(ctx, id)
		if err != nil {
			return err
		}
		if sp.Version != up.Version {
			return errStaleSpace(sp.Version)
		}
		in := SpaceInput{Name: sp.Name, Description: sp.Description, Icon: sp.Icon}
		if up.Name != nil {
			in.Name = *up.Name
		}
		if up.Description != nil {
			in.Description = *up.Description
		}
		if up.Icon != nil {
			in.Icon = *up.Icon
		}
		if err := in.clean(); err != nil {
			return err
		}
		before := sp.Visibility
		vis := sp.Visibility
		if up.Visibility != nil {
			if vis, err = parseVisibility(*up.Visibility); err != nil {
				return err
			}
		}
		if in.Name == sp.Name && in.Description == sp.Description && in.Icon == sp.Icon && vis == sp.Visibility {
			out = sp
			return nil
		}
		now := tx.Now()
		sp.Name, sp.Description, sp.Icon, sp.Visibility = in.Name, in.Description, in.Icon, vis
		sp.UpdatedAt, sp.Version = now, sp.Version+1
		if err := tx.UpdateSpace(ctx, sp); err != nil {
			return err
		}
		out = sp
		if err := tx.AppendEvent(ctx, spaceEvent(app.EventSpaceUpdated, sp)); err != nil {
			return err
		}
		if vis != before {
			return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionKBSpaceVisibilityChanged, authz.Space, sp.ID,
				map[string]any{"before": string(before), "after": string(vis)}))
		}
		return nil
	})
	return out, err
}

// ArchiveSpace makes a space read-only and hides it from the space list
// (manage); RestoreSpace undoes it.
func (s *Service) ArchiveSpace(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) (*Space, error) {
	return s.setArchived(ctx, p, id, true, meta)
}

// RestoreSpace brings an archived space back.
func (s *Service) RestoreSpace(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) (*Space, error) {
	return s.setArchived(ctx, p, id, false, meta)
}

func (s *Service) setArchived(ctx context.Context, p *app.Principal, id string, archive bool, meta app.RequestMeta) (*Space, error) {
	if _, err := s.loadSpace(ctx, p, id, authz.Manage); err != nil {
		return nil, err
	}
	var out *Space
	err := s.store.Update(ctx, func(tx Tx) error {
		sp, err := tx.FindSpaceByID(ctx, id)
		if err != nil {
			return err
		}
		out = sp
		if sp.Archived() == archive {
			return nil
		}
		now := tx.Now()
		typ, action := app.EventSpaceRestored, app.ActionKBSpaceRestored
		sp.ArchivedAt = time.Time{}
		if archive {
			sp.ArchivedAt = now
			typ, action = app.EventSpaceArchived, app.ActionKBSpaceArchived
		}
		sp.UpdatedAt, sp.Version = now, sp.Version+1
		if err := tx.UpdateSpace(ctx, sp); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, spaceEvent(typ, sp)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, action, authz.Space, sp.ID, map[string]any{"name": sp.Name}))
	})
	return out, err
}

// Members lists who holds a role on the space (anyone who may view it).
func (s *Service) Members(ctx context.Context, p *app.Principal, id string) ([]authz.Grant, error) {
	sp, err := s.store.FindSpaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.authz.Grants(ctx, p, sp.Resource())
}

// SetMember gives a user or team a role on the space (manage). authz
// writes the grant, the access.granted audit row and event.
func (s *Service) SetMember(ctx context.Context, p *app.Principal, id string, to authz.Grantee, role string, meta app.RequestMeta) error {
	sp, err := s.store.FindSpaceByID(ctx, id)
	if err != nil {
		return err
	}
	r, err := authz.ParseResourceRole(role)
	if err != nil {
		return err
	}
	return s.authz.SetGrant(ctx, p, sp.Resource(), to, r, meta)
}

// RemoveMember takes a user's or team's role away (manage). memberID is a
// user or team ID; not_found when it holds no role here.
func (s *Service) RemoveMember(ctx context.Context, p *app.Principal, id, memberID string, meta app.RequestMeta) error {
	sp, err := s.store.FindSpaceByID(ctx, id)
	if err != nil {
		return err
	}
	if err := s.authz.Require(ctx, p, authz.Manage, sp.Resource()); err != nil {
		return err
	}
	grants, err := s.authz.Grants(ctx, p, sp.Resource())
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Grantee.ID == memberID {
			return s.authz.RemoveGrant(ctx, p, sp.Resource(), g.Grantee, meta)
		}
	}
	return &app.Error{Code: app.CodeNotFound, Message: "That user or team has no role in this space.", Err: app.ErrNotFound}
}
