package auth

import (
	"context"

	"nexus/app"
)

// StartSession signs u in inside tx, the transaction that also created or
// changed the account (a registration, an accepted invitation, an SSO
// sign-in), so the account and its first session commit together or not at
// all. The caller writes its own audit row. The result carries a device
// cookie, like a password sign-in: this browser is now one the account has
// signed in on.
func (s *Service) StartSession(ctx context.Context, tx Tx, u *app.User, meta app.RequestMeta) (*SignIn, error) {
	out, err := s.startSession(ctx, tx, u, meta)
	if err != nil {
		return nil, err
	}
	if out.DeviceCookie, err = s.tokens.SignDevice(u.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// Hasher is the service's password hasher. Other account use-cases share
// it, so its bound on concurrent hashes covers every hash the process runs.
func (s *Service) Hasher() *Hasher { return s.hasher }

// PasswordMinLength is the configured minimum password length.
func (s *Service) PasswordMinLength() int { return s.cfg.PasswordMinLength }
