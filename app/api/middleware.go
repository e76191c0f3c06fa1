package api

import (
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
)

const (
	localRequestID = "request_id"
	localRoute     = "route_template"
	localPrincipal = "principal"
	headerReqID    = "X-Request-ID"
)

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

// requestIDMiddleware keeps a sane incoming X-Request-ID (so a proxy's ID
// follows the request) or makes a new one, and echoes it.
func (s *Server) requestIDMiddleware(c *fiber.Ctx) error {
	id := c.Get(headerReqID)
	if !validRequestID(id) {
		id = app.NewID()
	}
	c.Locals(localRequestID, id)
	c.Set(headerReqID, id)
	return c.Next()
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// observeMiddleware resolves errors into responses here (rather than after
// the chain) so that the log line and metrics see the final status.
func (s *Server) observeMiddleware(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			return herr
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	route, _ := c.Locals(localRoute).(string)
	if route == "" {
		route = c.Route().Path
	}
	s.metrics.observe(route, c.Method(), status, elapsed)
	if s.cfg.LogRequests || status >= 500 {
		s.log.Log(c.UserContext(), logLevelFor(status), "request",
			"request_id", requestID(c), "method", c.Method(), "path", c.Path(), "route", route,
			"status", status, "duration_ms", float64(elapsed.Microseconds())/1000, "ip", s.clientIP(c),
			"bytes", responseSize(c))
	}
	return nil
}

func (s *Server) recoverMiddleware(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(c.UserContext(), "panic in handler", "request_id", requestID(c),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// contentSecurityPolicy suits the built SPA: only our own scripts, styles
// (inline style attributes are used by React), images and connections.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	s.setSecurityHeaders(c)
	return c.Next()
}

func (s *Server) setSecurityHeaders(c *fiber.Ctx) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	if s.cfg.TLS {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// apiMiddleware applies to /api/v1: responses are never cached, and unsafe
// requests from another site are refused. The refresh cookie is sent
// automatically by browsers, so without this check another site could make
// a signed-in browser act on its behalf (CSRF). Clients that are not
// browsers send neither header and are not affected.
func (s *Server) apiMiddleware(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	// c.Body() would copy the body (the app is Immutable); only its length
	// is needed.
	if n := len(c.Request().Body()); n > s.cfg.BodyLimit && !isMultipart(c) {
		return tooLarge(s.cfg.BodyLimit, s.cfg.BodyLimitText)
	}
	if site := c.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return &app.Error{Code: app.CodeForbidden, Message: "Cross-site requests are not allowed.",
			Details: map[string]any{"reason": "cross_site"}}
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && !s.sameOrigin(c, origin) {
		return &app.Error{Code: app.CodeForbidden, Message: "Requests from " + origin + " are not allowed.",
			Details: map[string]any{"reason": "cross_origin"}}
	}
	return c.Next()
}

func isMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm)
}

func (s *Server) sameOrigin(c *fiber.Ctx, origin string) bool {
	return strings.EqualFold(origin, s.origin(c))
}

// origin is this server's origin as the browser sees it: public_url when
// set, else the Host header, or the forwarded host and scheme when the peer
// is a trusted proxy. (Fiber's own Hostname and Protocol believe forwarded
// headers from anyone.)
func (s *Server) origin(c *fiber.Ctx) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	host, scheme := string(c.Request().Host()), "http"
	if c.Context().IsTLS() {
		scheme = "https"
	}
	if s.fromTrustedProxy(c) {
		if fh, _, _ := strings.Cut(c.Get(fiber.HeaderXForwardedHost), ","); strings.TrimSpace(fh) != "" {
			host = strings.TrimSpace(fh)
		}
		if fp, _, _ := strings.Cut(c.Get(fiber.HeaderXForwardedProto), ","); strings.TrimSpace(fp) != "" {
			scheme = strings.ToLower(strings.TrimSpace(fp))
		}
	}
	return scheme + "://" + host
}

func (s *Server) fromTrustedProxy(c *fiber.Ctx) bool {
	return len(s.cfg.TrustedProxies) > 0 && s.trusted(c.Context().RemoteIP())
}

// clientIP is the address of the client: the peer, or, when the peer is a
// trusted proxy, the nearest untrusted address in X-Forwarded-For (read
// right to left, since everything left of our proxies is client-supplied).
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP()
	if !s.fromTrustedProxy(c) {
		return peer.String()
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(hops[i]))
		if ip == nil {
			break
		}
		if !s.trusted(ip) {
			return ip.String()
		}
	}
	return peer.String()
}

func (s *Server) trusted(ip net.IP) bool {
	for _, n := range s.cfg.TrustedProxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// secure reports whether the client reached us over HTTPS, directly or
// through a trusted proxy.
func (s *Server) secure(c *fiber.Ctx) bool {
	return s.cfg.TLS || strings.HasPrefix(s.origin(c), "https://")
}

func (s *Server) meta(c *fiber.Ctx) app.RequestMeta {
	ua := c.Get(fiber.HeaderUserAgent)
	if len(ua) > 512 {
		ua = ua[:512]
	}
	return app.RequestMeta{IP: s.clientIP(c), UserAgent: ua}
}

func (s *Server) apiNotFound(c *fiber.Ctx) error {
	c.Locals(localRoute, "/api/*")
	return &app.Error{Code: app.CodeNotFound, Message: fmt.Sprintf("There is no API endpoint %s %s.", c.Method(), c.Path())}
}

func (s *Server) notFound(c *fiber.Ctx) error {
	c.Locals(localRoute, "unmatched")
	if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
		return &app.Error{Code: codeMethodNotAllowed, Message: fmt.Sprintf("%s is not allowed on %s.", c.Method(), c.Path())}
	}
	return &app.Error{Code: app.CodeNotFound, Message: "Not found."}
}

// responseSize reads the size without touching a streamed body: Body()
// would read the whole stream into memory.
func responseSize(c *fiber.Ctx) int {
	if c.Response().IsBodyStream() {
		return c.Response().Header.ContentLength()
	}
	return len(c.Response().Body())
}
