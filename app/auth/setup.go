package auth

import (
	"context"
	"fmt"

	"nexus/app"
)

// SetupNeeded reports whether no user exists yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n == 0, nil
}

// SetupInput creates the first account.
type SetupInput struct {
	Email    string
	Name     string
	Password string
}

// Setup creates the owner account while no user exists, and signs them in.
func (s *Service) Setup(ctx context.Context, in SetupInput, meta app.RequestMeta) (*SignIn, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	if err := CheckPasswordPolicy(in.Password, s.cfg.PasswordMinLength); err != nil {
		return nil, err
	}
	// Cheap pre-check so a finished install does not spend a hash on every
	// stray setup request; the transaction below re-checks under the lock.
	if needed, err := s.SetupNeeded(ctx); err != nil {
		return nil, err
	} else if !needed {
		return nil, errSetupDone
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash owner password: %w", err)
	}

	var out *SignIn
	err = s.store.Update(ctx, func(tx Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if n > 0 {
			return errSetupDone
		}
		now := tx.Now()
		u := &app.User{ID: app.NewID(), Email: email, Name: name, Role: app.RoleOwner, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: u.ID, ActorLabel: u.Email, Action: app.ActionSetup,
			TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"role": string(u.Role)}}); err != nil {
			return err
		}
		out, err = s.startSession(ctx, tx, u, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.DeviceCookie, err = s.tokens.SignDevice(out.User.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateUserInput is an account created by an operator (the CLI today, the
// admin pages later).
type CreateUserInput struct {
	Email    string
	Name     string
	Role     app.Role
	Password string
}

// CreateUser adds an account. actorLabel names who did it in the audit log.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput, actorLabel string, meta app.RequestMeta) (*app.User, error) {
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	if _, err := app.ParseRole(string(in.Role)); err != nil {
		return nil, err
	}
	if err := CheckPasswordPolicy(in.Password, s.cfg.PasswordMinLength); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	var u *app.User
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		u = &app.User{ID: app.NewID(), Email: email, Name: name, Role: in.Role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorLabel: actorLabel, Action: app.ActionUserCreated,
			TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent, Result: app.AuditSuccess,
			Details: map[string]any{"role": string(u.Role), "email": u.Email}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
