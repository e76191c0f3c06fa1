// Package api is Nexus's HTTP interface: Fiber routes, middleware and the
// mapping from domain errors to HTTP statuses.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"nexus/app/audit"
	"nexus/app/auth"
	"nexus/app/authz"
	"nexus/app/chat"
	"nexus/app/files"
	"nexus/app/identity"
	"nexus/app/kb"
	"nexus/app/mail"
	"nexus/app/mfa"
	"nexus/app/realtime"
	"nexus/app/settings"
	"nexus/app/sso"
)

// Config is what the HTTP layer needs from the configuration.
type Config struct {
	BodyLimit     int
	BodyLimitText string // e.g. "8MiB", for messages
	// UploadLimit is the largest multipart/form-data body (file uploads);
	// every other body is held to BodyLimit. Zero means BodyLimit.
	UploadLimit     int
	UploadLimitText string
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	PublicURL       string // when set, the only origin allowed for unsafe requests
	TrustedProxies  []*net.IPNet
	// TLS is true when the server itself terminates TLS; cookies are then
	// Secure. Behind a TLS proxy, set PublicURL to https://… instead.
	TLS         bool
	LogRequests bool
	// APIRateLimit is requests per minute per user across the API (0: off);
	// APIRateLimitExemptOwners lifts it for owners' personal access tokens.
	APIRateLimit             int
	APIRateLimitExemptOwners bool
}

// Readiness reports whether the store answers (err) and whether migrations
// are pending.
type Readiness interface {
	Ready(ctx context.Context) (schemaVersion int64, pending bool, err error)
}

// Deps are the use-cases and resources the routes call.
type Deps struct {
	Auth      *auth.Service
	Identity  *identity.Service
	Mail      *mail.Service
	Authz     *authz.Service
	Audit     *audit.Service
	Settings  *settings.Service
	MFA       *mfa.Service
	SSO       *sso.Service
	KB        *kb.Service
	Files     *files.Service
	Realtime  *realtime.Gateway
	Chat      *chat.Service
	Readiness Readiness
	UI        fs.FS
	Log       *slog.Logger
	Registry  *prometheus.Registry
}

// Server is the configured Fiber application.
type Server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	app      *fiber.App
	metrics  *httpMetrics
	spa      *spa
	limiter  *userLimiter // per-user API rate limit; nil when off
	draining atomic.Bool
}

// New builds the application and registers every route.
func New(cfg Config, deps Deps) (*Server, error) {
	s := &Server{cfg: cfg, deps: deps, log: deps.Log}
	var err error
	if s.spa, err = newSPA(deps.UI); err != nil {
		return nil, err
	}
	if s.metrics, err = newHTTPMetrics(deps.Registry); err != nil {
		return nil, err
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "nexus",
		DisableStartupMessage: true,
		// The connection-level limit must admit uploads; apiMiddleware
		// holds every other body to BodyLimit.
		BodyLimit:      max(cfg.BodyLimit, cfg.UploadLimit),
		ReadTimeout:    cfg.ReadTimeout,
		WriteTimeout:   cfg.WriteTimeout,
		IdleTimeout:    cfg.IdleTimeout,
		ReadBufferSize: 16 << 10, // room for cookies and long tokens
		ErrorHandler:   s.handleError,
		// Values taken from a request outlive the handler (rate-limit keys,
		// session rows), so they must not alias fasthttp's reused buffers.
		Immutable: true,
		// Uploads are read as a stream by the files module; pre-parsing would
		// spool each one to a temporary file and copy it back into memory.
		DisablePreParseMultipartForm: true,
		// Give buffers back between requests instead of keeping them per
		// connection: an idle WebSocket would otherwise pin a 16 KiB read
		// buffer for its whole life.
		ReduceMemoryUsage: true,
		CaseSensitive:     true,
	})
	s.routes()
	return s, nil
}

// App exposes the Fiber application (for app.Test in tests and for Listener).
func (s *Server) App() *fiber.App { return s.app }

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting connections and waits up to timeout for requests
// in flight. /readyz answers 503 from the moment it is called.
func (s *Server) Shutdown(timeout time.Duration) error {
	s.draining.Store(true)
	return s.app.ShutdownWithTimeout(timeout)
}

func (s *Server) routes() {
	a := s.app
	a.Use(s.requestIDMiddleware, s.observeMiddleware, s.recoverMiddleware, s.securityHeaders)

	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Get("/metrics", s.metricsHandler())

	v1 := a.Group("/api/v1", s.apiMiddleware)
	v1.Get("/setup", s.getSetup)
	v1.Post("/setup", s.postSetup)
	v1.Post("/auth/login", s.login)
	v1.Post("/auth/refresh", s.refresh)
	v1.Post("/auth/logout", s.logout)
	v1.Get("/me", s.requireAuth, s.getMe)
	s.accountRoutes(v1)  // accounts.go: users, invitations, registration, profile, passwords, mail outbox
	s.accessRoutes(v1)   // access.go: teams, audit log, security settings
	s.mfaRoutes(v1)      // mfa.go: MFA enrolment and sign-in step, SSO
	s.tokenRoutes(v1)    // tokens.go: sessions and personal access tokens
	s.kbRoutes(a, v1)    // kb.go: spaces, documents, versions, tags, categories, templates, trash, shares (/s/:token), import/export
	s.fileRoutes(v1)     // files.go: attachments (upload, download, thumbnails)
	s.realtimeRoutes(v1) // realtime.go: WebSocket tickets and the gateway
	s.chatRoutes(v1)     // chat.go: channels, DMs, messages, threads, reactions, pins, read state, notifications

	a.All("/api/*", s.apiNotFound)
	a.Get("/*", s.spa.serve)
	a.Use(s.notFound)
}

// Routes lists every registered method and path, for the OpenAPI check.
func (s *Server) Routes() []fiber.Route {
	var out []fiber.Route
	for _, r := range s.app.GetRoutes(true) {
		out = append(out, r)
	}
	return out
}
