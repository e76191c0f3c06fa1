package store

import (
	"context"
	"strings"
)

// Test-only access for the access tests: query plans and the permission
// check's query text.

// GrantedRoleQueryForTest is the permission check's query.
const GrantedRoleQueryForTest = grantedRoleQuery

// ExplainForTest returns SQLite's query plan for q, one line per step.
func (s *Store) ExplainForTest(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := s.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}
