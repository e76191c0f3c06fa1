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

func (backend) Open(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *cli.Runtime, err error) {
	dir, err := store.PrepareDataDir(cfg.Data.Dir)
	if err != nil {
		return nil, &config.Error{Key: "data.dir", Msg: err.Error()}
	}
	signingKey, err := dir.LoadOrCreateKey(store.SigningKey, signingKeySize)
	if err != nil {
		return nil, err
	}
	mfaKey, err := dir.LoadOrCreateKey(mfaKeyFile, mfa.KeySize)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dir.DatabasePath(), store.Options{})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()

	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("register go metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("register process metrics: %w", err)
	}

	// Sign-in and session use-cases.
	tokens, err := auth.NewTokens(signingKey, cfg.Auth.AccessTokenTTL, time.Now)
	if err != nil {
		return nil, err
	}
	authSvc := auth.NewService(authStore{st}, tokens, auth.NewHasher(runtime.NumCPU()), newLimiter(cfg), auth.Config{
		AccessTokenTTL:          cfg.Auth.AccessTokenTTL,
		RefreshIdleTimeout:      cfg.Auth.RefreshIdleTimeout,
		RefreshAbsoluteLifetime: cfg.Auth.RefreshAbsoluteLifetime,
		PasswordMinLength:       cfg.Auth.PasswordMinLength,
	}, time.Now, log)
	rt := &cli.Runtime{Store: st, Users: st, Auth: authSvc, Registry: reg, Close: st.Close}
	svc := &rt.Services

	// Access: permissions, teams, the audit log, security settings. Saved
	// settings are loaded by serve once migrations have run.
	svc.Authz = authz.NewService(txStore[authz.Tx]{st})
	svc.Audit = audit.NewService(txStore[audit.Tx]{st}, audit.Config{Retention: cfg.Audit.Retention}, log)
	svc.Settings = settings.NewService(txStore[settings.Tx]{st}, settings.Security{
		Registration: cfg.Auth.Registration, RegistrationDomains: cfg.Auth.RegistrationDomains,
		MFARequired: cfg.Auth.MFARequired, PasswordLogin: cfg.Auth.PasswordLogin,
	}, len(cfg.SSO.Providers) > 0)
	rt.Background = append(rt.Background, svc.Audit.RetentionJob)

	// Accounts and mail.
	svc.Mail = mail.NewService(st, mail.Config{SMTP: mail.SMTPConfig{
		Host: cfg.Mail.SMTPHost, Port: cfg.Mail.SMTPPort, Username: cfg.Mail.SMTPUsername, Password: cfg.Mail.SMTPPassword,
		Security: cfg.Mail.SMTPSecurity, From: cfg.Mail.From, HelloName: helloName(cfg.Server.PublicURL),
	}}, time.Now, log)
	if svc.Mail.Delivers() {
		rt.Background = append(rt.Background, svc.Mail.Run)
	}
	svc.Identity = identity.NewService(txStore[identity.Tx]{st}, authSvc, svc.Mail, svc.Settings,
		identity.Config{InvitationTTL: cfg.Auth.InvitationTTL, PasswordResetTTL: cfg.Auth.PasswordResetTTL}, time.Now, log)

	// Second factor and single sign-on. Wrong codes and re-entered passwords
	// on the account pages are throttled like sign-ins.
	if svc.MFA, err = mfa.NewService(txStore[mfa.Tx]{st}, mfaKey, authSvc.Hasher(), newLimiter(cfg), svc.Settings, time.Now, log); err != nil {
		return nil, err
	}
	authSvc.SetMFAHooks(auth.MFAHooks{SecondFactor: svc.MFA, PasswordLogin: func(ctx context.Context) (bool, error) {
		sec, err := svc.Settings.Security(ctx)
		return sec.PasswordLogin, err
	}})
	if svc.SSO, err = sso.NewService(ssoConfig(cfg.SSO), txStore[sso.Tx]{st}, authSvc, svc.Settings, signingKey, nil, time.Now, log); err != nil {
		return nil, err
	}

	// --- realtime: bus, outbox dispatcher, gateway (wrap rt.Close to stop what you start) ---

	// --- knowledge base: render, blobs, files ---

	// --- knowledge base: spaces and documents ---

	// --- chat ---

	return rt, nil
}

// mfaKeyFile (in data/keys) seals TOTP secrets and keys the recovery-code
// hashes. Losing it turns every authenticator off in effect: back it up
// with the database.
const mfaKeyFile = "mfa.key"

// newLimiter throttles password and code attempts per client IP and per
// account, as configured for sign-in.
func newLimiter(cfg config.Config) *auth.Limiter {
	return auth.NewLimiter(auth.LimiterConfig{
		IPPerMinute:  cfg.Auth.LoginIPLimit,
		FreeFailures: cfg.Auth.LoginAccountFreeFailures,
		BaseDelay:    time.Second,
		MaxDelay:     cfg.Auth.LoginMaxDelay,
		ForgetAfter:  time.Hour,
	}, time.Now)
}

// txStore adapts the store to a use-case package that declares its own
// transaction interface T: store.Update hands out *store.Tx, which
// implements every one of them (checked below).
type txStore[T any] struct{ *store.Store }

func (a txStore[T]) Update(ctx context.Context, fn func(T) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(any(tx).(T)) })
}

var (
	_ auth.Tx = (*store.Tx)(nil)

	_ authz.Tx    = (*store.Tx)(nil)
	_ audit.Tx    = (*store.Tx)(nil)
	_ settings.Tx = (*store.Tx)(nil)
	_ identity.Tx = (*store.Tx)(nil)
	_ mfa.Tx      = (*store.Tx)(nil)
	_ sso.Tx      = (*store.Tx)(nil)
	_ auth.Store  = authStore{}
)

// authStore is the auth use-cases' store: the reads of *store.Store and
// transactions typed as auth.Tx.
type authStore struct{ *store.Store }

func (a authStore) Update(ctx context.Context, fn func(auth.Tx) error) error {
	return txStore[auth.Tx]{a.Store}.Update(ctx, fn)
}

// helloName is the name Nexus gives itself when greeting the SMTP server:
// the host of its public URL, else "localhost".
func helloName(publicURL string) string {
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
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
