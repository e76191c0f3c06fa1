// Package sso is single sign-on with OpenID Connect providers: the
// authorization-code flow with PKCE, state and nonce, ID tokens verified
// with coreos/go-oidc, accounts linked or created by verified email, and
// provider groups mapped to teams.
package sso

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"nexus/app"
	"nexus/app/auth"
	"nexus/app/settings"
)

// Provider is one OpenID Connect provider from the configuration.
type Provider struct {
	ID           string
	Name         string
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string // openid is always added
	EmailClaim   string   // default "email"
	NameClaim    string   // default "name"
	GroupsClaim  string   // default "groups"
	// AllowedDomains limits sign-ins to these email domains; empty allows
	// any.
	AllowedDomains []string
	// GroupTeams maps a provider group to the name of a Nexus team.
	GroupTeams map[string]string
}

// Config is the SSO part of the configuration.
type Config struct {
	Providers []Provider
	// AutoCreate creates an account on a first sign-in when no account has
	// the verified email.
	AutoCreate bool
	// LinkByEmail links a first sign-in to the account with the same
	// verified email.
	LinkByEmail bool
	DefaultRole app.Role
}

// Identity links an account at a provider to a user.
type Identity struct {
	Provider    string
	Subject     string
	UserID      string
	Email       string
	CreatedAt   time.Time
	LastLoginAt time.Time
}

// TeamSync is what a sign-in changed in the user's mapped teams.
type TeamSync struct {
	Created []TeamRef // teams that did not exist yet
	Added   []TeamRef
	Removed []TeamRef
}

// TeamRef names a team.
type TeamRef struct {
	ID   string
	Name string
}

// Store is what the SSO use-cases need from storage.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction; it includes the sign-in transaction's methods
// because the session starts in the same transaction that links the
// account.
type Tx interface {
	auth.Tx
	// FindSSOIdentity returns a not_found error for an unknown link.
	FindSSOIdentity(ctx context.Context, provider, subject string) (*Identity, error)
	// SaveSSOIdentity inserts the link or points it at id.UserID.
	SaveSSOIdentity(ctx context.Context, id *Identity) error
	// FindSSOUserByEmail finds the account with a normalized email.
	FindSSOUserByEmail(ctx context.Context, email string) (*app.User, error)
	// SyncSSOTeams makes the user a member of exactly the wanted teams among
	// mapped (team names), creating wanted teams that do not exist.
	SyncSSOTeams(ctx context.Context, userID string, mapped, wanted []string) (*TeamSync, error)
}

// Sessions starts sessions for the accounts SSO resolves; *auth.Service
// implements it.
type Sessions interface {
	// StartSession signs the user in inside tx (after a sign-in
	// that did not use the password).
	StartSession(ctx context.Context, tx auth.Tx, u *app.User, meta app.RequestMeta) (*auth.SignIn, error)
	// ChallengeMFA asks for the second factor of a user with MFA on.
	ChallengeMFA(u *app.User, via string, trustedDevice bool) (*auth.SignIn, error)
}

// Service runs the SSO use-cases.
type Service struct {
	cfg       Config
	providers map[string]*provider
	order     []string
	store     Store
	sessions  Sessions
	settings  settings.Reader
	state     *stateSealer
	client    *http.Client
	now       func() time.Time
	log       *slog.Logger
}

// NewService wires the use-cases. stateKey (at least 32 bytes) seals the
// short-lived sign-in state cookie; client makes the calls to providers
// (nil for a default with a timeout); now is the clock.
func NewService(cfg Config, store Store, sessions Sessions, settings settings.Reader, stateKey []byte,
	client *http.Client, now func() time.Time, log *slog.Logger) (*Service, error) {
	sealer, err := newStateSealer(stateKey)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.DefaultRole == "" {
		cfg.DefaultRole = app.RoleMember
	}
	s := &Service{cfg: cfg, providers: map[string]*provider{}, store: store, sessions: sessions, settings: settings,
		state: sealer, client: client, now: now, log: log}
	for _, p := range cfg.Providers {
		if p.ID == "" || s.providers[p.ID] != nil {
			return nil, fmt.Errorf("sso: provider id %q is empty or repeated", p.ID)
		}
		if p.EmailClaim == "" {
			p.EmailClaim = "email"
		}
		if p.NameClaim == "" {
			p.NameClaim = "name"
		}
		if p.GroupsClaim == "" {
			p.GroupsClaim = "groups"
		}
		s.providers[p.ID] = &provider{cfg: p}
		s.order = append(s.order, p.ID)
	}
	return s, nil
}

// ProviderInfo is what the sign-in page shows for a provider.
type ProviderInfo struct {
	ID   string
	Name string
}

// Providers lists the configured providers in configuration order.
func (s *Service) Providers() []ProviderInfo {
	out := make([]ProviderInfo, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, ProviderInfo{ID: id, Name: s.providers[id].cfg.Name})
	}
	return out
}

// Options is what the sign-in page needs to know before anyone signs in.
type Options struct {
	PasswordLogin bool
	Registration  string
	Providers     []ProviderInfo
}

// Options reads the sign-in options.
func (s *Service) Options(ctx context.Context) (*Options, error) {
	o := &Options{PasswordLogin: true, Registration: "invite", Providers: s.Providers()}
	if s.settings != nil {
		sec, err := s.settings.Security(ctx)
		if err != nil {
			return nil, fmt.Errorf("read security settings: %w", err)
		}
		o.PasswordLogin, o.Registration = sec.PasswordLogin, sec.Registration
	}
	return o, nil
}

// provider is a configured provider with its discovery document, fetched
// on first use and kept; a failed discovery is retried on the next sign-in.
type provider struct {
	cfg Provider

	mu       sync.Mutex
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func (s *Service) discover(ctx context.Context, p *provider) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oidc != nil {
		return p.oidc, p.verifier, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), p.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discover %s: %w", p.cfg.Issuer, err)
	}
	// The verifier checks the signature against the provider's keys, the
	// issuer, the audience (our client id) and the expiry.
	p.oidc, p.verifier = op, op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID, Now: s.now})
	return p.oidc, p.verifier, nil
}

func (s *Service) oauth2Config(p *provider, op *oidc.Provider, redirectURL string) *oauth2.Config {
	scopes := []string{oidc.ScopeOpenID}
	for _, sc := range p.cfg.Scopes {
		if sc != oidc.ScopeOpenID {
			scopes = append(scopes, sc)
		}
	}
	if len(p.cfg.Scopes) == 0 {
		scopes = append(scopes, "email", "profile")
	}
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: redirectURL, Scopes: scopes}
}
