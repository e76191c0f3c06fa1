// Package mfa is two-factor authentication with time-based one-time
// passwords (TOTP) and single-use recovery codes.
package mfa

// Service runs the MFA use-cases.
type Service struct{}
