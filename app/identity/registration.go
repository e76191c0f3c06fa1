package identity

import (
	"context"
	"fmt"
	"strings"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/settings"
)

// RegisterInput is a self-service sign-up.
type RegisterInput struct {
	Email    string
	Name     string
	Password string
}

var errRegistrationClosed = &app.Error{Code: app.CodeForbidden,
	Message: "Sign-up is by invitation only. Ask an administrator to invite you.",
	Details: map[string]any{"reason": "registration_closed"}}

// Register creates a member account when the registration policy allows
// the address, and signs the new user in.
func (s *Service) Register(ctx context.Context, in RegisterInput, meta app.RequestMeta) (*auth.SignIn, error) {
	sec, err := s.settings.Security(ctx)
	if err != nil {
		return nil, fmt.Errorf("read registration policy: %w", err)
	}
	if sec.Registration != settings.RegistrationOpen && sec.Registration != settings.RegistrationDomain {
		return nil, errRegistrationClosed
	}
	email, err := app.NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if sec.Registration == settings.RegistrationDomain && !domainAllowed(email, sec.RegistrationDomains) {
		return nil, &app.Error{Code: app.CodeForbidden,
			Message: "Sign-up is open only to addresses at your organisation's domains. Use your work email, or ask an administrator to invite you.",
			Details: map[string]any{"reason": "domain_not_allowed", "field": "email"}}
	}
	name, err := app.NormalizeName(in.Name)
	if err != nil {
		return nil, err
	}
	// Every attempt counts against the client and the address: sign-up is
	// a way to probe which addresses have accounts, and to flood the user
	// table.
	key := "email:" + email
	if d := s.registerLimiter.Allow(meta.IP, key); !d.OK {
		return nil, rateLimited(d.RetryAfter)
	}
	s.registerLimiter.Failure(key)
	if _, err := s.store.FindUserByEmail(ctx, email); err == nil {
		return nil, app.Invalid("email", "An account with this email already exists. Sign in, or reset your password.").
			WithCode(app.CodeConflict)
	}
	hash, err := s.hashPassword(ctx, in.Password, "password")
	if err != nil {
		return nil, err
	}
	var out *auth.SignIn
	err = s.update(ctx, func(tx Tx) error {
		now := tx.Now()
		u := &app.User{ID: app.NewID(), Email: email, Name: name, Role: app.RoleMember, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userCreatedEvent(u, now)); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, app.AuditEntry{At: now, ActorID: u.ID, ActorLabel: u.Email,
			Action: app.ActionUserRegistered, TargetType: "user", TargetID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"policy": sec.Registration, "role": string(u.Role)}}); err != nil {
			return err
		}
		out, err = s.auth.StartSession(ctx, tx, u, meta)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// domainAllowed reports whether email's domain is one of domains (written
// as "example.com" or "@example.com", any case). Subdomains are not
// included: list them separately.
func domainAllowed(email string, domains []string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	domain := email[at+1:]
	for _, d := range domains {
		d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
		if d != "" && d == domain {
			return true
		}
	}
	return false
}
