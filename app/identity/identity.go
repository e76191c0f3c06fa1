// Package identity is account management: administering users,
// invitations and registration, profiles, and password changes and resets.
package identity

// Service runs the account use-cases.
type Service struct{}
