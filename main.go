// Command nexus is the Nexus server and its operator tools. This file only
// wires concrete implementations (store, engines, web client) into the
// commands defined in app/cli.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"nexus/app/auth"
	"nexus/app/cli"
	"nexus/app/config"
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

	// --- access: authz, teams, audit, settings (rt.Services.Authz, .Audit, .Settings, retention job) ---

	// --- mfa and sso (rt.Services.MFA, rt.Services.SSO) ---

	// --- tokens and sessions ---

	return rt, nil
}

// authStore adapts the store's transaction type to the one the auth
// use-cases declare.
type authStore struct{ *store.Store }

func (a authStore) Update(ctx context.Context, fn func(auth.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}
