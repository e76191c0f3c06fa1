// Package settings holds organisation-wide settings that administrators
// change in the UI. Each has a default from the configuration file; a value
// saved by an administrator wins.
package settings

import "context"

// Security is the security settings page.
type Security struct {
	// Registration is invite, open or domain.
	Registration        string   `json:"registration"`
	RegistrationDomains []string `json:"registration_domains"`
	MFARequired         bool     `json:"mfa_required"`
	PasswordLogin       bool     `json:"password_login"`
	// Version increases with every saved change (optimistic concurrency).
	Version int64 `json:"version"`
}

// Reader is what other modules need: the current security settings. It
// must be cheap to call on every request.
type Reader interface {
	Security(ctx context.Context) (Security, error)
}
