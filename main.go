// Command nexus is the Nexus server and its operator tools. This file only
// wires concrete implementations (store, engines, web client) into the
// commands defined in app/cli.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"nexus/app"
	"nexus/app/audit"
	"nexus/app/auth"
	"nexus/app/authz"
	"nexus/app/chat"
	"nexus/app/cli"
	"nexus/app/config"
	"nexus/app/files"
	"nexus/app/identity"
	"nexus/app/kb"
	"nexus/app/mail"
	"nexus/app/mfa"
	"nexus/app/realtime"
	"nexus/app/settings"
	"nexus/app/sso"
	"nexus/embed/bus"
	"nexus/store"
	"nexus/store/blobs"
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
	// Every commit wakes the outbox dispatcher (realtime section below) and
	// hands it the events it committed.
	commits := realtime.NewSignal()
	handoff := realtime.NewHandoff()
	st, err := store.Open(ctx, dir.DatabasePath(), store.Options{OnCommit: commits.Notify, OnEvents: handoff.Add})
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
	// The bus is in-process; nats.listen adds a TCP listener on which
	// external clients may subscribe to events (read only), signing in as
	// "external" with the password in data/keys/nats.password. The
	// dispatcher publishes each commit's outbox events; the gateway serves
	// /api/v1/ws. Closing stops the gateway (clients get 1001 and
	// reconnect) and then the bus, after the HTTP server has drained.
	busCfg := bus.Config{Listen: cfg.NATS.Listen, Log: log}
	if cfg.NATS.Listen != "" {
		if busCfg.ExternalPassword, err = loadOrCreateSecret(dir.KeyPath(natsPasswordFile)); err != nil {
			return nil, err
		}
	}
	eventBus, err := bus.Open(busCfg)
	if err != nil {
		if cfg.NATS.Listen != "" {
			return nil, &config.Error{Key: "nats.listen", Msg: err.Error()}
		}
		return nil, err
	}
	dispatcher := realtime.NewDispatcher(st, eventBus, commits, realtime.DispatcherConfig{Handoff: handoff}, log)
	svc.Realtime = realtime.NewGateway(realtime.Config{
		ReplayWindow: cfg.Realtime.ReplayWindow, MaxConnections: cfg.Realtime.MaxConnections,
		SendBuffer: cfg.Realtime.SendBuffer, PingInterval: cfg.Realtime.PingInterval,
		IdleTimeout: cfg.Realtime.IdleTimeout, MaxFrame: int64(cfg.Realtime.MaxFrame),
	}, st, eventBus, realtime.CredentialChecker{Store: st}, log)
	// Events addressed to one user (resource_type "notification" with
	// data.user_id: notifications, read state) are checked for that user
	// only, not for everyone connected.
	svc.Realtime.RegisterAudience("notification", realtime.DataUserAudience)
	rt.Background = append(rt.Background, dispatcher.Run, svc.Realtime.Run,
		realtime.RetentionJob(st, cfg.Realtime.ReplayWindow, log))
	if err := registerRealtimeMetrics(reg, dispatcher, svc.Realtime); err != nil {
		eventBus.Close()
		return nil, err
	}
	closeStore := rt.Close
	rt.Close = func() error {
		gwErr := svc.Realtime.Close()
		return errors.Join(gwErr, eventBus.Close(), closeStore())
	}

	// --- knowledge base: render, blobs, files ---
	// Attachments: contents in data/blobs, encrypted with data/keys/blobs.key
	// (back it up with the database: without it the files are unreadable).
	// Owner modules (documents, chat) register who may see their files
	// below. Deleted attachments and unused blobs are collected hourly.
	blobKey, err := dir.LoadOrCreateKey(blobsKeyFile, blobs.KeySize)
	if err != nil {
		return nil, err
	}
	blobStore, err := blobs.Open(filepath.Join(dir.Root, blobsDir), blobKey)
	if err != nil {
		return nil, err
	}
	svc.Files = files.NewService(txStore[files.Tx]{st}, filesBlobs{blobStore}, files.Config{
		MaxSize: int64(cfg.KB.AttachmentMaxSize), Retention: cfg.KB.TrashRetention,
	}, log)
	rt.Background = append(rt.Background, svc.Files.RunGC)

	// --- knowledge base: spaces and documents ---
	// Spaces, documents, versions, shares and the trash; the public
	// sharing switch defaults to kb.public_sharing until an administrator
	// saves it. The trash is purged daily.
	kbSettings := settings.NewKBSettings(txStore[settings.Tx]{st}, settings.KB{PublicSharing: cfg.KB.PublicSharing})
	svc.KB = kb.NewService(txStore[kb.Tx]{st}, svc.Authz, kbSettings, kb.Config{TrashRetention: cfg.KB.TrashRetention}, time.Now, log)
	rt.Background = append(rt.Background, svc.KB.PurgeJob)
	if svc.Files != nil {
		svc.KB.SetAttachments(kb.FilesAttachments(svc.Files))
		svc.Files.RegisterOwner(files.OwnerDocument, svc.KB.AuthorizeAttachment)
	}
	if svc.Realtime != nil {
		svc.Realtime.RegisterVisibility(authz.Space, kbEventVisibility(svc.KB))
		svc.Realtime.RegisterVisibility("document", kbEventVisibility(svc.KB))
	}

	// --- chat ---
	// Chat plugs into whatever else is wired: the knowledge base
	// (promotion, preview cards, [[title]] links), files (attachments) and
	// the realtime gateway (presence, and who receives channel and user
	// events).
	svc.Chat = chat.NewService(txStore[chat.Tx]{st}, svc.Authz, log)
	if svc.KB != nil {
		svc.Chat.SetDocuments(svc.KB, svc.KB, chatTitles{st, svc.Authz})
	}
	if svc.Files != nil {
		// Files sent with a message are the message's; before it is sent they
		// are drafts of the channel (only their uploader sees those).
		svc.Files.RegisterOwner(chat.OwnerMessage, svc.Chat.AuthorizeAttachment)
		svc.Files.RegisterOwner(chat.OwnerDraft, svc.Chat.AuthorizeDraft)
	}
	if svc.Realtime != nil {
		svc.Chat.SetPresence(svc.Realtime)
		svc.Realtime.RegisterVisibility(chat.EventResourceChannel, chatChannelVisibility(svc.Chat))
		svc.Realtime.RegisterAudience(chat.EventResourceChannel, svc.Chat.ChannelAudience)
		svc.Realtime.RegisterVisibility(chat.EventResourceUser, chatUserVisibility)
	}

	return rt, nil
}

// blobsKeyFile (in data/keys) is the master key of the attachment files in
// blobsDir (in the data directory).
const (
	blobsKeyFile = "blobs.key"
	blobsDir     = "blobs"
)

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

// --- chat (C1): adapters ---

var _ chat.Tx = (*store.Tx)(nil)

// chatChannelVisibility lets the realtime gateway deliver a channel's
// events to its members only (an in-memory member set, dropped as soon as
// chat changes the membership).
func chatChannelVisibility(c *chat.Service) func(context.Context, *app.Principal, app.Event) (bool, error) {
	return func(ctx context.Context, p *app.Principal, e app.Event) (bool, error) {
		return c.CanSeeChannelEvent(ctx, p.User.ID, e.ResourceID, e.Type, e.Data)
	}
}

// chatUserVisibility delivers a user event (notifications, read state)
// to that user only.
func chatUserVisibility(_ context.Context, p *app.Principal, e app.Event) (bool, error) {
	return chat.CanSeeUserEvent(p.User.ID, e.Data), nil
}

// chatTitles resolves [[Document title]] in chat messages to a document
// the writer may see.
type chatTitles struct {
	st *store.Store
	az *authz.Service
}

func (t chatTitles) ResolveTitle(ctx context.Context, p *app.Principal, title string) (string, bool) {
	vis, err := t.az.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return "", false
	}
	ref, ok, err := t.st.FindDocumentByTitle(ctx, title, "", vis)
	return ref.ID, ok && err == nil
}

// --- knowledge base (K1): adapters ---

var _ kb.Tx = (*store.Tx)(nil)

// kbEventVisibility lets the realtime gateway deliver space and document
// events only to those who may view the space right now.
func kbEventVisibility(k *kb.Service) func(context.Context, *app.Principal, app.Event) (bool, error) {
	return func(ctx context.Context, p *app.Principal, e app.Event) (bool, error) {
		return k.CanSeeEvent(ctx, p, e.ResourceType, e.ResourceID)
	}
}

// --- knowledge base: render, blobs, files (K2): adapters ---

var _ files.Tx = (*store.Tx)(nil)

// filesBlobs gives the attachment service the blob store.
type filesBlobs struct{ *blobs.Store }

func (b filesBlobs) Stage(r io.Reader) (files.Staged, error) {
	st, err := b.Store.Stage(r)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// --- realtime (R1): adapters ---

// natsPasswordFile (in data/keys) is the password external NATS clients
// use when nats.listen is set.
const natsPasswordFile = "nats.password"

// loadOrCreateSecret reads a text secret, creating a random one (mode 0600)
// on first use.
func loadOrCreateSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 16 {
			return s, nil
		}
		return "", fmt.Errorf("%s is shorter than 16 characters; delete it to create a new one", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	secret := base64.RawURLEncoding.EncodeToString(buf)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	return secret, nil
}

// registerRealtimeMetrics exposes the dispatcher's and the gateway's
// counters on /metrics.
func registerRealtimeMetrics(reg *prometheus.Registry, d *realtime.Dispatcher, g *realtime.Gateway) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nexus_realtime_events_published_total",
			Help: "Outbox events published on the bus since start."}, func() float64 { return float64(d.Count()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "nexus_realtime_published_seq",
			Help: "Sequence of the last outbox event published."}, func() float64 { return float64(d.Published()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "nexus_realtime_connections",
			Help: "Open WebSocket connections (including those still authenticating)."},
			func() float64 { return float64(g.Stats().Connections) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nexus_realtime_slow_consumers_total",
			Help: "WebSocket connections closed for overflowing their send buffer."},
			func() float64 { return float64(g.Stats().SlowConsumers) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "nexus_realtime_delivered_seq",
			Help: "Sequence of the last event the gateway fanned out."}, func() float64 { return float64(g.Stats().Head) }),
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register realtime metrics: %w", err)
		}
	}
	return nil
}
