// Package sso is single sign-on with OpenID Connect providers.
package sso

// Service runs the SSO use-cases.
type Service struct{}
