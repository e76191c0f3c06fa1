package api

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/realtime"
)

// realtimeRoutes: realtime.go: WebSocket tickets and the gateway
// (docs/realtime.md).
func (s *Server) realtimeRoutes(r fiber.Router) {
	r.Post("/ws/ticket", s.requireAuth, s.wsTicket)
	r.Get("/ws", s.wsConnect)
}

var errRealtimeOff = &app.Error{Code: app.CodeNotFound, Message: "Live updates are not available on this server."}

type wsTicketJSON struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// wsTicket issues a single-use ticket for opening a socket: browsers cannot
// set an Authorization header on a WebSocket, and a token in the URL could
// end up in logs.
func (s *Server) wsTicket(c *fiber.Ctx) error {
	g := s.deps.Realtime
	if g == nil {
		return errRealtimeOff
	}
	t, ttl, err := g.IssueTicket(principal(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(wsTicketJSON{Ticket: t, ExpiresIn: int(ttl.Seconds())})
}

var errNotWebSocket = &app.Error{Code: app.CodeInvalid, Message: "This endpoint speaks WebSocket only: send an Upgrade request.",
	Details: map[string]any{"reason": "upgrade_required"}}

// wsConnect upgrades to a WebSocket. The socket is authenticated by
// ?ticket=… (browsers), by an Authorization header (scripts), or by a first
// {"type":"auth","token":…} frame. ?last_seq=N resumes after event N.
func (s *Server) wsConnect(c *fiber.Ctx) error {
	g := s.deps.Realtime
	if g == nil {
		return errRealtimeOff
	}
	// A WebSocket handshake is a GET that browsers send with the page's
	// cookies and without CORS: another site must not open one. The rule is
	// the API's CSRF rule (apiMiddleware), applied to this GET too; clients
	// that are not browsers send no Origin and are not affected.
	if site := c.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return &app.Error{Code: app.CodeForbidden, Message: "Cross-site WebSocket connections are not allowed.",
			Details: map[string]any{"reason": "cross_site"}}
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
		return &app.Error{Code: app.CodeForbidden, Message: "WebSocket connections from " + origin + " are not allowed.",
			Details: map[string]any{"reason": "cross_origin"}}
	}
	if !realtime.IsUpgrade(c.Context()) {
		c.Set(fiber.HeaderUpgrade, "websocket")
		return errNotWebSocket
	}
	resume := int64(realtime.NoResume)
	if v := c.Query("last_seq"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return app.Invalid("last_seq", "last_seq must be a sequence number (0 or more).")
		}
		resume = n
	}

	var p *app.Principal
	switch ticket, bearer := c.Query("ticket"), bearerToken(c); {
	case ticket != "":
		var err error
		if p, err = g.RedeemTicket(c.UserContext(), ticket); err != nil {
			return err
		}
	case bearer != "":
		var err error
		if p, err = s.wsAuthenticate(c.UserContext(), bearer); err != nil {
			return err
		}
	}
	release, ok := g.Admit()
	if !ok {
		return g.AdmitError()
	}
	if err := g.Upgrade(c.Context(), p, s.wsAuthenticate, resume, release); err != nil {
		return &app.Error{Code: app.CodeInvalid, Message: "The WebSocket handshake is not valid.", Err: err,
			Details: map[string]any{"reason": "bad_handshake"}}
	}
	return nil
}

// wsAuthenticate checks an access token as requireAuth does for an API
// request: a session that must enrol in MFA first gets no socket.
func (s *Server) wsAuthenticate(ctx context.Context, token string) (*app.Principal, error) {
	p, err := s.deps.Auth.Authenticate(ctx, token)
	if err != nil {
		return nil, err
	}
	if s.deps.MFA != nil && !p.User.MFAEnabled {
		required, err := s.deps.MFA.EnrollmentRequired(ctx, &p.User)
		if err != nil {
			return nil, err
		}
		if required {
			return nil, errMFAEnrollmentRequired
		}
	}
	return p, nil
}
