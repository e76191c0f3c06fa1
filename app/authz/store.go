package authz

import (
	"context"
	"time"

	"nexus/app"
)

// Principal types a resource role can be granted to.
const (
	GranteeUser = "user"
	GranteeTeam = "team"
)

// Grantee is who a grant is for: a user or a team.
type Grantee struct {
	Type string // GranteeUser or GranteeTeam
	ID   string
}

// Grant is one row of resource_grants: a role on a resource for a user or
// a team.
type Grant struct {
	ResourceType string
	ResourceID   string
	Grantee      Grantee
	Role         ResourceRole
	GrantedAt    time.Time
	// Name is the user's or team's display name, filled by listings.
	Name string
}

// Team is a named group of users. A team can be granted a role on any
// resource, exactly like a user.
type Team struct {
	ID          string
	Name        string
	Description string
	MemberCount int
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Store is what the access use-cases need from storage. Reads go to the
// read pool and always see the last committed write, which is what makes
// a membership or grant change count on the very next check.
type Store interface {
	// GrantedRole is the highest role granted on the resource to the user
	// directly or to any team the user belongs to; NoRole when none.
	GrantedRole(ctx context.Context, userID, resourceType, resourceID string) (ResourceRole, error)
	// GrantedRoles is GrantedRole for many resources of one type at once;
	// resources without a grant are absent from the map.
	GrantedRoles(ctx context.Context, userID, resourceType string, resourceIDs []string) (map[string]ResourceRole, error)
	// GrantedResourceIDs lists every resource of the type on which the user
	// holds a role directly or through a team.
	GrantedResourceIDs(ctx context.Context, userID, resourceType string) ([]string, error)
	// FindGrants lists the grants on one resource with grantee names.
	FindGrants(ctx context.Context, resourceType, resourceID string) ([]Grant, error)

	FindTeams(ctx context.Context) ([]Team, error)
	// FindTeamByID returns a not_found *app.Error when absent.
	FindTeamByID(ctx context.Context, id string) (*Team, error)
	// FindTeamMembers lists a team's users by name.
	FindTeamMembers(ctx context.Context, teamID string) ([]app.User, error)

	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction. Every row written in it shares Now().
type Tx interface {
	Now() time.Time
	FindUserByID(ctx context.Context, id string) (*app.User, error)

	FindTeamByID(ctx context.Context, id string) (*Team, error)
	// CreateTeam inserts t; a name taken case-insensitively is a conflict.
	CreateTeam(ctx context.Context, t *Team) error
	// UpdateTeam writes name, description, updated_at and version of t.
	UpdateTeam(ctx context.Context, t *Team) error
	// DeleteTeam deletes the team, its memberships and every grant to it.
	DeleteTeam(ctx context.Context, id string) error
	FindTeamMemberIDs(ctx context.Context, teamID string) ([]string, error)
	// AddTeamMember reports false when the user was already a member.
	AddTeamMember(ctx context.Context, teamID, userID string) (bool, error)
	// RemoveTeamMember reports false when the user was not a member.
	RemoveTeamMember(ctx context.Context, teamID, userID string) (bool, error)

	// FindGrant returns NoRole when the grantee holds no role on the resource.
	FindGrant(ctx context.Context, resourceType, resourceID string, to Grantee) (ResourceRole, error)
	// PutGrant inserts or replaces a grant.
	PutGrant(ctx context.Context, g Grant) error
	// DeleteGrant reports false when there was no such grant.
	DeleteGrant(ctx context.Context, resourceType, resourceID string, to Grantee) (bool, error)

	AppendAudit(ctx context.Context, e app.AuditEntry) error
	AppendEvent(ctx context.Context, e app.Event) error
}
