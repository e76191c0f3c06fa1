package authz

import (
	"context"
	"fmt"
	"strings"

	"nexus/app"
)

// Service checks permissions on resources (spaces, channels, projects)
// through grants to users and teams, and manages teams and grants.
//
// It keeps no cache: every check reads the grant tables (one indexed query,
// a few microseconds), so adding someone to a team or revoking a grant
// counts on the very next request, in this process and any other.
type Service struct {
	store Store
}

// NewService returns the access service.
func NewService(store Store) *Service {
	return &Service{store: store}
}

// EffectiveRole is the role p's user acts with on res: their own grant,
// their teams' grants, the implicit viewer role on org-wide resources and
// their global role combined (see EffectiveRoleFor). Token scopes do not
// lower it; Can applies them per action.
func (s *Service) EffectiveRole(ctx context.Context, p *app.Principal, res Resource) (ResourceRole, error) {
	if p == nil || !active(p) {
		return NoRole, nil
	}
	switch p.User.Role {
	case app.RoleOwner, app.RoleAdmin:
		// Decided by the global role; no need to read grants.
		return Manager, nil
	}
	granted, err := s.store.GrantedRole(ctx, p.User.ID, res.Type, res.ID)
	if err != nil {
		return NoRole, fmt.Errorf("read granted role: %w", err)
	}
	return EffectiveRoleFor(p.User.Role, granted, res.Visibility), nil
}

// Can reports whether p may do a on res. For an organisation-wide action
// res is ignored. A nil principal may do nothing.
func (s *Service) Can(ctx context.Context, p *app.Principal, a Action, res Resource) (bool, error) {
	if p == nil || !active(p) {
		return false, nil
	}
	if !hasScope(p, requiredScope(a)) {
		return false, nil
	}
	if a.IsGlobal() {
		return GlobalAllowed(p.User.Role, a), nil
	}
	if requiredRole(a).Rank() == 0 {
		return false, nil // not an action anyone can do
	}
	// Skip the query when the global role and visibility already decide:
	// admins manage everything, and members view org-wide resources.
	if floor := EffectiveRoleFor(p.User.Role, NoRole, res.Visibility); floor.Allows(a) {
		return true, nil
	}
	role, err := s.EffectiveRole(ctx, p, res)
	if err != nil {
		return false, err
	}
	return role.Allows(a), nil
}

// Require returns nil when p may do a on res, and otherwise an error to
// return as is:
//
//   - not_found when p may not even view res (whatever a is), so that a
//     response never reveals that a resource exists to someone who cannot
//     see it;
//   - forbidden when p can view res but not do a (for a token, with
//     details.required_scope when the token's scope is what is missing);
//   - unauthorized when there is no principal.
//
// Handlers load the resource first (answering not_found if it does not
// exist) and then call Require: both cases look the same to the client.
func (s *Service) Require(ctx context.Context, p *app.Principal, a Action, res Resource) error {
	if p == nil {
		return errSignInRequired
	}
	if a.IsGlobal() {
		return RequireGlobal(p, a)
	}
	role, err := s.EffectiveRole(ctx, p, res)
	if err != nil {
		return err
	}
	return decide(p, a, res, role)
}

// RequireGranted is Require for a caller that read the granted role
// itself, in the same SQL statement as the resource, with the store's
// grant query (the one GrantedRole runs): a hot path such as posting a
// chat message then needs one query instead of two. The decision is
// Require's, made from the same role.
func RequireGranted(p *app.Principal, a Action, res Resource, granted ResourceRole) error {
	if p == nil {
		return errSignInRequired
	}
	if a.IsGlobal() {
		return RequireGlobal(p, a)
	}
	role := NoRole
	if active(p) {
		role = EffectiveRoleFor(p.User.Role, granted, res.Visibility)
	}
	return decide(p, a, res, role)
}

// decide is Require's answer once p's effective role on res is known.
func decide(p *app.Principal, a Action, res Resource, role ResourceRole) error {
	if !role.Allows(View) || !hasScope(p, app.ScopeRead) {
		return notFound(res)
	}
	if s := requiredScope(a); !hasScope(p, s) {
		return errScope(s)
	}
	if !role.Allows(a) {
		return errForbidden
	}
	return nil
}

func notFound(res Resource) error {
	what := "Resource"
	if res.Type != "" {
		what = strings.ToUpper(res.Type[:1]) + res.Type[1:]
	}
	return &app.Error{Code: app.CodeNotFound, Message: what + " not found.", Err: app.ErrNotFound}
}

// Filter returns the resources of resources that p may do a on, in their
// order, with one query for all of them. List, search and AI paths use it
// to re-check hits against the database before returning them. Every
// resource must be of the same type.
func (s *Service) Filter(ctx context.Context, p *app.Principal, a Action, resources []Resource) ([]Resource, error) {
	if p == nil || !active(p) || len(resources) == 0 || a.IsGlobal() || !hasScope(p, requiredScope(a)) {
		return nil, nil
	}
	typ := resources[0].Type
	var ask []string
	for _, r := range resources {
		if r.Type != typ {
			return nil, fmt.Errorf("filter resources: mixed types %q and %q", typ, r.Type)
		}
		if !EffectiveRoleFor(p.User.Role, NoRole, r.Visibility).Allows(a) {
			ask = append(ask, r.ID)
		}
	}
	granted := map[string]ResourceRole{}
	if len(ask) > 0 {
		var err error
		if granted, err = s.store.GrantedRoles(ctx, p.User.ID, typ, ask); err != nil {
			return nil, fmt.Errorf("read granted roles: %w", err)
		}
	}
	out := make([]Resource, 0, len(resources))
	for _, r := range resources {
		if EffectiveRoleFor(p.User.Role, granted[r.ID], r.Visibility).Allows(a) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Visible describes, for listing one type of resource in SQL, what p may
// view: everything (All), every org-wide resource (OrgWide) and, besides,
// the resources in IDs, on which p's user or one of their teams holds a
// role. A list query selects
//
//	WHERE :all OR (:org_wide AND visibility = 'org') OR id IN (:ids)
type Visible struct {
	All     bool
	OrgWide bool
	IDs     []string
}

// Contains reports whether res is in the set.
func (v Visible) Contains(res Resource) bool {
	if v.All || v.OrgWide && res.Visibility == VisibleToOrg {
		return true
	}
	for _, id := range v.IDs {
		if id == res.ID {
			return true
		}
	}
	return false
}

// VisibleResources returns what p may view among the resources of one
// type (see Visible).
func (s *Service) VisibleResources(ctx context.Context, p *app.Principal, resourceType string) (Visible, error) {
	if p == nil || !active(p) || !hasScope(p, app.ScopeRead) {
		return Visible{}, nil
	}
	switch p.User.Role {
	case app.RoleOwner, app.RoleAdmin:
		return Visible{All: true}, nil
	}
	ids, err := s.store.GrantedResourceIDs(ctx, p.User.ID, resourceType)
	if err != nil {
		return Visible{}, fmt.Errorf("read granted resources: %w", err)
	}
	return Visible{OrgWide: p.User.Role == app.RoleMember, IDs: ids}, nil
}
