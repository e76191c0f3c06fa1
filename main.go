// Command nexus is the Nexus server and its operator tools. This file only
// wires concrete implementations (store, engines, web client) into the
// commands defined in app/cli.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"nexus/app"
	"nexus/app/audit"
	"nexus/app/auth"
	"nexus/app/authz"
	"nexus/app/cli"
	"nexus/app/config"
	"nexus/app/identity"
	"nexus/app/mail"
	"nexus/app/mfa"
	"nexus/app/settings"
	"nexus/app/sso"
	"nexus/store"
	"nexus/ui"
)

// Set by the linker (see Makefile).
var (
	version = "dev"
	commit  = "unknown"
	date    = "unknown"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(cli.Env{
		Build:   cli.BuildInfo{Version: version, Commit: commit, Date: date},
		Backend: backend{},
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Environ: os.Environ(),
		Signals: ctx,
	}, os.Args[1:])
	stop()
	os.Exit(code)
}

// signingKeySize is the HMAC key size for access tokens: 256 bits.
const signingKeySize = 32

type backend struct{}

func (backend) UI() fs.FS { return ui.Dist() }

func (backend) Layout(dataDir string) (cli.Layout, error) {
	d, err := store.ResolveDataDir(dataDir)
	if err != nil {
		return cli.Layout{}, err
	}
	return cli.Layout{Root: d.Root, Database: d.DatabasePath(), KeysDir: d.KeyPath(""),
		SigningKey: d.KeyPath(store.SigningKey), SigningKeyNB: signingKeySize}, nil
}

func (backend) Inspect(ctx context.Context, layout cli.Layout) (cli.Store, func() error, error) {
	st, err := store.Open(ctx, layout.Database, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

func (backend) Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*cli.Runtime, error) {
	dir, err := store.PrepareDataDir(cfg.Data.Dir)
	if err != nil {
		return nil, &config.Error{Key: "data.dir", Msg: err.Error()}
	}
	key, err := dir.LoadOrCreateKey(store.SigningKey, signingKeySize)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dir.DatabasePath(), store.Options{})
	if err != nil {
		return nil, err
	}
	tokens, err := auth.NewTokens(key, cfg.Auth.AccessTokenTTL, time.Now)
	if err != nil {
		st.Close()
		return nil, err
	}
	limiter := auth.NewLimiter(auth.LimiterConfig{
		IPPerMinute:  cfg.Auth.LoginIPLimit,
		FreeFailures: cfg.Auth.LoginAccountFreeFailures,
		BaseDelay:    time.Second,
		MaxDelay:     cfg.Auth.LoginMaxDelay,
		ForgetAfter:  time.Hour,
	}, time.Now)
	svc := auth.NewService(authStore{st}, tokens, auth.NewHasher(runtime.NumCPU()), limiter, auth.Config{
		AccessTokenTTL:          cfg.Auth.AccessTokenTTL,
		RefreshIdleTimeout:      cfg.Auth.RefreshIdleTimeout,
		RefreshAbsoluteLifetime: cfg.Auth.RefreshAbsoluteLifetime,
		PasswordMinLength:       cfg.Auth.PasswordMinLength,
	}, time.Now, log)

	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		st.Close()
		return nil, fmt.Errorf("register go metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		st.Close()
		return nil, fmt.Errorf("register process metrics: %w", err)
	}
	rt := &cli.Runtime{Store: st, Auth: svc, Registry: reg, Close: st.Close}

	// --- accounts: identity, mail (rt.Services.Identity, rt.Services.Mail, mail delivery job) ---
	rt.Services.Mail = mail.NewService(st, mail.Config{SMTP: mail.SMTPConfig{
		Host: cfg.Mail.SMTPHost, Port: cfg.Mail.SMTPPort, Username: cfg.Mail.SMTPUsername, Password: cfg.Mail.SMTPPassword,
		Security: cfg.Mail.SMTPSecurity, From: cfg.Mail.From, HelloName: helloName(cfg.Server.PublicURL),
	}}, time.Now, log)
	if rt.Services.Mail.Delivers() {
		rt.Background = append(rt.Background, rt.Services.Mail.Run)
	}
	rt.Services.Identity = identity.NewService(identityStore{st}, svc, rt.Services.Mail, laterSecurity{rt: rt, cfg: cfg},
		identity.Config{InvitationTTL: cfg.Auth.InvitationTTL, PasswordResetTTL: cfg.Auth.PasswordResetTTL}, time.Now, log)

	// --- access: authz, teams, audit, settings (rt.Services.Authz, .Audit, .Settings, retention job) ---
	rt.Services.Authz = authz.NewService(authzStore{st})
	rt.Services.Audit = audit.NewService(auditStore{st}, audit.Config{Retention: cfg.Audit.Retention}, log)
	rt.Services.Settings = settings.NewService(settingsStore{st}, settings.Security{
		Registration: cfg.Auth.Registration, RegistrationDomains: cfg.Auth.RegistrationDomains,
		MFARequired: cfg.Auth.MFARequired, PasswordLogin: cfg.Auth.PasswordLogin,
	}, len(cfg.SSO.Providers) > 0)
	rt.Background = append(rt.Background, rt.Services.Audit.RetentionJob, func(ctx context.Context) {
		// Background jobs start after migrations: load the saved settings
		// now rather than on the first request, and report a problem early.
		if err := rt.Services.Settings.Load(ctx); err != nil {
			log.Error("load settings", "error", err)
		}
	})

	// --- mfa and sso (rt.Services.MFA, rt.Services.SSO) ---
	mfaKey, err := dir.LoadOrCreateKey(mfaKeyFile, mfa.KeySize)
	if err != nil {
		st.Close()
		return nil, err
	}
	security := laterSecurity{rt: rt, cfg: cfg}
	// Wrong codes and re-entered passwords on the account pages are throttled
	// like sign-ins, per account and per client IP.
	mfaLimiter := auth.NewLimiter(auth.LimiterConfig{
		IPPerMinute:  cfg.Auth.LoginIPLimit,
		FreeFailures: cfg.Auth.LoginAccountFreeFailures,
		BaseDelay:    time.Second,
		MaxDelay:     cfg.Auth.LoginMaxDelay,
		ForgetAfter:  time.Hour,
	}, time.Now)
	if rt.Services.MFA, err = mfa.NewService(mfaStore{st}, mfaKey, svc.Hasher(), mfaLimiter, security, time.Now, log); err != nil {
		st.Close()
		return nil, err
	}
	svc.SetMFAHooks(auth.MFAHooks{SecondFactor: rt.Services.MFA, PasswordLogin: func(ctx context.Context) (bool, error) {
		sec, err := security.Security(ctx)
		return sec.PasswordLogin, err
	}})
	if rt.Services.SSO, err = sso.NewService(ssoConfig(cfg.SSO), ssoStore{st}, svc, security, key, nil, time.Now, log); err != nil {
		st.Close()
		return nil, err
	}

	// --- tokens and sessions ---
	// Nothing to wire: the auth service reaches sessions and personal access
	// tokens through authStore (see the assertion at the end of this file),
	// and the per-user API rate limit comes with the API config.

	return rt, nil
}

// authStore adapts the store's transaction type to the one the auth
// use-cases declare.
type authStore struct{ *store.Store }

func (a authStore) Update(ctx context.Context, fn func(auth.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// --- helper D: tokens and sessions ---

// The auth service finds sessions and personal access tokens through the
// same adapter (auth.TokenStore; its transactions are auth.TokenTx).
var _ auth.TokenStore = authStore{}

// --- helper A: accounts ---

// identityStore adapts the store's transaction type to the one the account
// use-cases declare.
type identityStore struct{ *store.Store }

func (a identityStore) Update(ctx context.Context, fn func(identity.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// laterSecurity reads the security settings (the registration policy)
// from the settings service, which is wired after the account services;
// until it exists, the configuration file's values apply.
type laterSecurity struct {
	rt  *cli.Runtime
	cfg config.Config
}

func (l laterSecurity) Security(ctx context.Context) (settings.Security, error) {
	if l.rt.Services.Settings != nil {
		return l.rt.Services.Settings.Security(ctx)
	}
	return settings.Security{Registration: l.cfg.Auth.Registration, RegistrationDomains: l.cfg.Auth.RegistrationDomains,
		MFARequired: l.cfg.Auth.MFARequired, PasswordLogin: l.cfg.Auth.PasswordLogin, Version: 1}, nil
}

// helloName is the name Nexus gives itself when greeting the SMTP server:
// the host of its public URL, else "localhost".
func helloName(publicURL string) string {
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// --- helper C: mfa and sso ---

// mfaKeyFile (in data/keys) seals TOTP secrets and keys the recovery-code
// hashes. Losing it turns every authenticator off in effect: back it up
// with the database (nexus backup does).
const mfaKeyFile = "mfa.key"

// mfaStore and ssoStore adapt the store's transaction type to the ones the
// MFA and SSO use-cases declare.
type mfaStore struct{ *store.Store }

func (a mfaStore) Update(ctx context.Context, fn func(mfa.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type ssoStore struct{ *store.Store }

func (a ssoStore) Update(ctx context.Context, fn func(sso.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// ssoConfig converts the sso section of the configuration (validated by
// config.Validate) for the SSO use-cases.
func ssoConfig(c config.SSO) sso.Config {
	out := sso.Config{AutoCreate: c.AutoCreate, LinkByEmail: c.LinkByEmail, DefaultRole: app.Role(c.DefaultRole)}
	for _, p := range c.Providers {
		out.Providers = append(out.Providers, sso.Provider{ID: p.ID, Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID,
			ClientSecret: p.ClientSecret, Scopes: p.Scopes, EmailClaim: p.EmailClaim, NameClaim: p.NameClaim,
			GroupsClaim: p.GroupsClaim, AllowedDomains: p.AllowedDomains, GroupTeams: p.GroupTeams})
	}
	return out
}

// --- helper B: access ---

// authzStore, auditStore and settingsStore adapt the store's transaction
// type to the ones the access use-cases declare.
type authzStore struct{ *store.Store }

func (a authzStore) Update(ctx context.Context, fn func(authz.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type auditStore struct{ *store.Store }

func (a auditStore) Update(ctx context.Context, fn func(audit.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type settingsStore struct{ *store.Store }

func (a settingsStore) Update(ctx context.Context, fn func(settings.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}
