package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"nexus/app/authz"
)

// roleRank turns a stored role into its rank in SQL, so the highest of a
// user's direct and team grants comes back as one number.
const roleRank = `CASE role WHEN 'manager' THEN 3 WHEN 'editor' THEN 2 WHEN 'viewer' THEN 1 ELSE 0 END`

// grantedRoleQuery is the permission check's only query: two primary-key
// lookups (the user's own grant, then one per team the user is in, found
// through team_members_user). It runs on every resource check, so it reads
// the tables directly rather than any cache: a committed membership or
// grant change is seen by the next check. Its parameters are ?1 the
// resource type, ?2 the resource ID and ?3 the user ID; queries that load a
// resource for a permission check embed it as a scalar subquery (see
// grantedRoleColumn), so the resource and the grant come from one snapshot.
const grantedRoleQuery = `SELECT max(` + roleRank + `) FROM (
	SELECT role FROM resource_grants
	 WHERE resource_type = ?1 AND resource_id = ?2 AND principal_type = 'user' AND principal_id = ?3
	UNION ALL
	SELECT g.role AS role FROM team_members m JOIN resource_grants g
	    ON g.resource_type = ?1 AND g.resource_id = ?2 AND g.principal_type = 'team' AND g.principal_id = m.team_id
	 WHERE m.user_id = ?3)`

// grantedRoleColumn is grantedRoleQuery as a result column: the granted
// rank, or NULL when nothing is granted.
const grantedRoleColumn = `(` + grantedRoleQuery + `)`

// GrantedRole is the highest role granted on the resource to the user
// directly or through a team; NoRole when none.
func (s *Store) GrantedRole(ctx context.Context, userID, resourceType, resourceID string) (authz.ResourceRole, error) {
	row, err := s.queryRow(ctx, grantedRoleQuery, resourceType, resourceID, userID)
	if err != nil {
		return authz.NoRole, err
	}
	var rank sql.NullInt64
	if err := row.Scan(&rank); err != nil {
		return authz.NoRole, fmt.Errorf("scan granted role: %w", err)
	}
	return authz.RoleOfRank(int(rank.Int64)), nil
}

// GrantedRoles is GrantedRole for many resources of one type in one query.
// The IDs travel as one JSON array, so the statement is prepared once
// whatever their number.
func (s *Store) GrantedRoles(ctx context.Context, userID, resourceType string, resourceIDs []string) (map[string]authz.ResourceRole, error) {
	out := map[string]authz.ResourceRole{}
	if len(resourceIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(resourceIDs)
	if err != nil {
		return nil, fmt.Errorf("encode resource ids: %w", err)
	}
	// Point lookups per ID, as in grantedRoleQuery: the user's grant, then
	// the grant of each of the user's teams. CROSS JOIN fixes the join order
	// (SQLite keeps it as written), since the planner cannot see how many
	// IDs the JSON array holds and would otherwise scan all of the user's
	// grants and re-parse the array for each.
	st, err := s.readStmt(ctx, `SELECT resource_id, max(`+roleRank+`) FROM (
		SELECT g.resource_id, g.role FROM json_each(?2) j CROSS JOIN resource_grants g
		    ON g.resource_type = ?1 AND g.resource_id = j.value AND g.principal_type = 'user' AND g.principal_id = ?3
		UNION ALL
		SELECT g.resource_id, g.role FROM team_members m CROSS JOIN json_each(?2) j CROSS JOIN resource_grants g
		    ON g.resource_type = ?1 AND g.resource_id = j.value AND g.principal_type = 'team' AND g.principal_id = m.team_id
		 WHERE m.user_id = ?3)
		GROUP BY resource_id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, resourceType, string(ids), userID)
	if err != nil {
		return nil, fmt.Errorf("query granted roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var rank int
		if err := rows.Scan(&id, &rank); err != nil {
			return nil, fmt.Errorf("scan granted role: %w", err)
		}
		out[id] = authz.RoleOfRank(rank)
	}
	return out, rows.Err()
}

// GrantedResourceIDs lists the resources of a type on which the user holds
// a role directly or through a team.
func (s *Store) GrantedResourceIDs(ctx context.Context, userID, resourceType string) ([]string, error) {
	st, err := s.readStmt(ctx, `SELECT resource_id FROM resource_grants
		 WHERE principal_type = 'user' AND principal_id = ?2 AND resource_type = ?1
		UNION
		SELECT g.resource_id FROM team_members m JOIN resource_grants g
		    ON g.principal_type = 'team' AND g.principal_id = m.team_id AND g.resource_type = ?1
		 WHERE m.user_id = ?2
		ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, resourceType, userID)
}

// FindGrants lists the grants on one resource, teams first, then users,
// each by name.
func (s *Store) FindGrants(ctx context.Context, resourceType, resourceID string) ([]authz.Grant, error) {
	st, err := s.readStmt(ctx, `SELECT g.principal_type, g.principal_id, g.role, g.granted_at,
		coalesce(CASE g.principal_type
			WHEN 'user' THEN (SELECT u.name FROM users u WHERE u.id = g.principal_id)
			ELSE (SELECT t.name FROM teams t WHERE t.id = g.principal_id) END, '') AS name
		FROM resource_grants g WHERE g.resource_type = ? AND g.resource_id = ?
		ORDER BY g.principal_type, name COLLATE NOCASE, g.principal_id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, resourceType, resourceID)
	if err != nil {
		return nil, fmt.Errorf("query grants: %w", err)
	}
	defer rows.Close()
	out := []authz.Grant{}
	for rows.Next() {
		g := authz.Grant{ResourceType: resourceType, ResourceID: resourceID}
		var role, at string
		if err := rows.Scan(&g.Grantee.Type, &g.Grantee.ID, &role, &at, &g.Name); err != nil {
			return nil, fmt.Errorf("scan grant: %w", err)
		}
		g.Role = authz.ResourceRole(role)
		if g.GrantedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// FindGrant returns NoRole when the grantee holds no role on the resource.
func (t *Tx) FindGrant(ctx context.Context, resourceType, resourceID string, to authz.Grantee) (authz.ResourceRole, error) {
	row, err := t.queryRow(ctx, `SELECT role FROM resource_grants
		WHERE resource_type = ? AND resource_id = ? AND principal_type = ? AND principal_id = ?`,
		resourceType, resourceID, to.Type, to.ID)
	if err != nil {
		return authz.NoRole, err
	}
	var role string
	if err := row.Scan(&role); errors.Is(err, sql.ErrNoRows) {
		return authz.NoRole, nil
	} else if err != nil {
		return authz.NoRole, fmt.Errorf("scan grant: %w", err)
	}
	return authz.ResourceRole(role), nil
}

// PutGrant inserts a grant or replaces the role of an existing one. Modules
// call it in the transaction that creates a resource (creator → manager).
func (t *Tx) PutGrant(ctx context.Context, g authz.Grant) error {
	at := g.GrantedAt
	if at.IsZero() {
		at = t.now
	}
	if _, err := t.exec(ctx, `INSERT INTO resource_grants (resource_type, resource_id, principal_type, principal_id, role, granted_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (resource_type, resource_id, principal_type, principal_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at`,
		g.ResourceType, g.ResourceID, g.Grantee.Type, g.Grantee.ID, string(g.Role), formatTime(at)); err != nil {
		return fmt.Errorf("put grant: %w", err)
	}
	return nil
}

// DeleteGrant reports false when there was no such grant.
func (t *Tx) DeleteGrant(ctx context.Context, resourceType, resourceID string, to authz.Grantee) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM resource_grants
		WHERE resource_type = ? AND resource_id = ? AND principal_type = ? AND principal_id = ?`,
		resourceType, resourceID, to.Type, to.ID)
	if err != nil {
		return false, fmt.Errorf("delete grant: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteResourceGrants removes every grant on a resource; modules call it
// in the transaction that deletes the resource.
func (t *Tx) DeleteResourceGrants(ctx context.Context, resourceType, resourceID string) error {
	if _, err := t.exec(ctx, `DELETE FROM resource_grants WHERE resource_type = ? AND resource_id = ?`,
		resourceType, resourceID); err != nil {
		return fmt.Errorf("delete resource grants: %w", err)
	}
	return nil
}

var _ authz.Tx = (*Tx)(nil)
