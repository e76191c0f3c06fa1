package store

import (
	"context"
	"database/sql"
	"fmt"

	"nexus/app"
	"nexus/app/authz"
)

// Deleted accounts keep their rows (their content keeps an author), but they
// are no longer anyone's colleague: team listings leave them out.
const teamColumns = `t.id, t.name, t.description, t.created_at, t.updated_at, t.version,
	(SELECT count(*) FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = t.id AND u.deleted_at IS NULL)`

func scanTeam(row rowScanner) (*authz.Team, error) {
	var t authz.Team
	var created, updated string
	if err := row.Scan(&t.ID, &t.Name, &t.Description, &created, &updated, &t.Version, &t.MemberCount); err != nil {
		return nil, err
	}
	var err error
	if t.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if t.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &t, nil
}

func teamResult(t *authz.Team, err error) (*authz.Team, error) { return found(t, err, "Team") }

// FindTeams lists every team by name, with member counts.
func (s *Store) FindTeams(ctx context.Context) ([]authz.Team, error) {
	st, err := s.readStmt(ctx, `SELECT `+teamColumns+` FROM teams t ORDER BY t.name COLLATE NOCASE, t.id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("query teams: %w", err)
	}
	defer rows.Close()
	out := []authz.Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, fmt.Errorf("scan team: %w", err)
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// FindTeamByID returns a not_found *app.Error when absent.
func (s *Store) FindTeamByID(ctx context.Context, id string) (*authz.Team, error) {
	row, err := s.queryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return teamResult(scanTeam(row))
}

// FindTeamByName finds a team by name, ignoring ASCII case (SSO group
// mapping uses it).
func (s *Store) FindTeamByName(ctx context.Context, name string) (*authz.Team, error) {
	row, err := s.queryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.name = ? COLLATE NOCASE`, name)
	if err != nil {
		return nil, err
	}
	return teamResult(scanTeam(row))
}

// FindTeamMembers lists a team's users by name, except deleted accounts.
func (s *Store) FindTeamMembers(ctx context.Context, teamID string) ([]app.User, error) {
	st, err := s.readStmt(ctx, `SELECT `+userColumns+` FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = ? AND u.deleted_at IS NULL ORDER BY u.name COLLATE NOCASE, u.id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("query team members: %w", err)
	}
	defer rows.Close()
	out := []app.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan team member: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// FindUserTeamIDs lists the teams a user belongs to.
func (s *Store) FindUserTeamIDs(ctx context.Context, userID string) ([]string, error) {
	st, err := s.readStmt(ctx, `SELECT team_id FROM team_members WHERE user_id = ? ORDER BY team_id`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, userID)
}

// FindTeamByID reads a team inside the transaction.
func (t *Tx) FindTeamByID(ctx context.Context, id string) (*authz.Team, error) {
	row, err := t.queryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return teamResult(scanTeam(row))
}

// FindTeamByName reads a team by name (ignoring ASCII case) inside the
// transaction.
func (t *Tx) FindTeamByName(ctx context.Context, name string) (*authz.Team, error) {
	row, err := t.queryRow(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.name = ? COLLATE NOCASE`, name)
	if err != nil {
		return nil, err
	}
	return teamResult(scanTeam(row))
}

func errTeamNameTaken() error {
	return app.Invalid("name", "A team with this name already exists.").WithCode(app.CodeConflict)
}

// CreateTeam inserts tm; a name taken (ignoring case) is a conflict.
func (t *Tx) CreateTeam(ctx context.Context, tm *authz.Team) error {
	if tm.Version == 0 {
		tm.Version = 1
	}
	_, err := t.exec(ctx, `INSERT INTO teams (id, name, description, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?)`,
		tm.ID, tm.Name, tm.Description, formatTime(tm.CreatedAt), formatTime(tm.UpdatedAt), tm.Version)
	if isUniqueViolation(err) {
		return errTeamNameTaken()
	}
	if err != nil {
		return fmt.Errorf("insert team: %w", err)
	}
	return nil
}

// UpdateTeam writes name, description, updated_at and version.
func (t *Tx) UpdateTeam(ctx context.Context, tm *authz.Team) error {
	res, err := t.exec(ctx, `UPDATE teams SET name = ?, description = ?, updated_at = ?, version = ? WHERE id = ?`,
		tm.Name, tm.Description, formatTime(tm.UpdatedAt), tm.Version, tm.ID)
	if isUniqueViolation(err) {
		return errTeamNameTaken()
	}
	if err != nil {
		return fmt.Errorf("update team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Team")
	}
	return nil
}

// DeleteTeam deletes a team with its memberships (by cascade) and every
// grant to it.
func (t *Tx) DeleteTeam(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM resource_grants WHERE principal_type = 'team' AND principal_id = ?`, id); err != nil {
		return fmt.Errorf("delete team grants: %w", err)
	}
	res, err := t.exec(ctx, `DELETE FROM teams WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Team")
	}
	return nil
}

// FindTeamMemberIDs lists the user IDs of a team's members.
func (t *Tx) FindTeamMemberIDs(ctx context.Context, teamID string) ([]string, error) {
	st, err := t.stmt(ctx, `SELECT user_id FROM team_members WHERE team_id = ? ORDER BY user_id`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, teamID)
}

// AddTeamMember reports false when the user was already a member.
func (t *Tx) AddTeamMember(ctx context.Context, teamID, userID string) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO team_members (team_id, user_id, added_at) VALUES (?, ?, ?)
		ON CONFLICT (team_id, user_id) DO NOTHING`, teamID, userID, formatTime(t.now))
	if err != nil {
		return false, fmt.Errorf("add team member: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RemoveTeamMember reports false when the user was not a member.
func (t *Tx) RemoveTeamMember(ctx context.Context, teamID, userID string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID)
	if err != nil {
		return false, fmt.Errorf("remove team member: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func accessQueryStrings(ctx context.Context, st *sql.Stmt, args ...any) ([]string, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
