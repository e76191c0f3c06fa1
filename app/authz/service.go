package authz

// Service checks permissions on resources (spaces, channels, projects)
// through memberships of users and teams, and manages teams.
type Service struct{}
