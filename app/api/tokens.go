package api

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/auth"
)

// tokenRoutes: sessions and personal access tokens.
func (s *Server) tokenRoutes(r fiber.Router) {
	if s.cfg.APIRateLimit > 0 && s.deps.Auth != nil {
		s.limiter = newUserLimiter(s.cfg.APIRateLimit, s.deps.Auth.Now)
	}
	r.Get("/me/sessions", s.requireAuth, s.listSessions)
	r.Delete("/me/sessions", s.requireAuth, s.endOtherSessions)
	r.Delete("/me/sessions/:id", s.requireAuth, s.endSession)
	r.Delete("/users/:id/sessions", s.requireAuth, s.endUserSessions)
	r.Get("/me/tokens", s.requireAuth, s.listAccessTokens)
	r.Post("/me/tokens", s.requireAuth, s.createAccessToken)
	r.Delete("/me/tokens/:id", s.requireAuth, s.revokeAccessToken)
}

type sessionJSON struct {
	ID         string    `json:"id"`
	Device     string    `json:"device"`
	Browser    string    `json:"browser"`
	OS         string    `json:"os"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Current    bool      `json:"current"`
}

func (s *Server) listSessions(c *fiber.Ctx) error {
	sessions, err := s.deps.Auth.Sessions(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	items := make([]sessionJSON, len(sessions))
	for i, sess := range sessions {
		items[i] = sessionJSON{ID: sess.ID, Device: sess.Device.Description, Browser: sess.Device.Browser, OS: sess.Device.OS,
			IP: sess.IP, CreatedAt: sess.CreatedAt.UTC(), LastUsedAt: sess.LastUsedAt.UTC(), Current: sess.Current}
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *Server) endSession(c *fiber.Ctx) error {
	current, err := s.deps.Auth.EndSession(c.UserContext(), principal(c), c.Params("id"), s.meta(c))
	if err != nil {
		return err
	}
	if current {
		// This browser just signed itself out: drop its refresh cookie too.
		s.clearRefreshCookie(c)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) endOtherSessions(c *fiber.Ctx) error {
	if _, err := s.deps.Auth.EndOtherSessions(c.UserContext(), principal(c), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) endUserSessions(c *fiber.Ctx) error {
	if _, err := s.deps.Auth.EndUserSessions(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type accessTokenJSON struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Scopes     []app.Scope `json:"scopes"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  *time.Time  `json:"expires_at"`
	LastUsedAt *time.Time  `json:"last_used_at"`
}

// newAccessTokenJSON is a token just created: the only time its secret is
// ever shown.
type newAccessTokenJSON struct {
	accessTokenJSON
	Token string `json:"token"`
}

func toAccessTokenJSON(t auth.AccessToken) accessTokenJSON {
	j := accessTokenJSON{ID: t.ID, Name: t.Name, Scopes: t.Scopes, CreatedAt: t.CreatedAt.UTC()}
	if j.Scopes == nil {
		j.Scopes = []app.Scope{}
	}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt.UTC()
		j.ExpiresAt = &e
	}
	if !t.LastUsedAt.IsZero() {
		u := t.LastUsedAt.UTC()
		j.LastUsedAt = &u
	}
	return j
}

func (s *Server) listAccessTokens(c *fiber.Ctx) error {
	tokens, err := s.deps.Auth.AccessTokens(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	items := make([]accessTokenJSON, len(tokens))
	for i, t := range tokens {
		items[i] = toAccessTokenJSON(t)
	}
	return c.JSON(fiber.Map{"items": items})
}

type createAccessTokenRequest struct {
	Name          string   `json:"name"`
	Scopes        []string `json:"scopes"`
	ExpiresInDays *int     `json:"expires_in_days"`
}

func (s *Server) createAccessToken(c *fiber.Ctx) error {
	var req createAccessTokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	tok, secret, err := s.deps.Auth.CreateAccessToken(c.UserContext(), principal(c),
		auth.CreateAccessTokenInput{Name: req.Name, Scopes: req.Scopes, ExpiresInDays: req.ExpiresInDays}, s.meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newAccessTokenJSON{accessTokenJSON: toAccessTokenJSON(*tok), Token: secret})
}

func (s *Server) revokeAccessToken(c *fiber.Ctx) error {
	if err := s.deps.Auth.RevokeAccessToken(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// checkScope refuses writes with a read-only personal access token. Scopes
// nest (admin includes write, write includes read), so any token may make
// safe requests and a write needs the write or the admin scope. Admin-only
// endpoints additionally require the admin scope through authz.RequireGlobal.
func (s *Server) checkScope(c *fiber.Ctx, p *app.Principal) error {
	if p.TokenID == "" {
		return nil
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	// A WebSocket ticket only lets the token read the event stream, which
	// the read scope allows; it is a POST because it issues something.
	if c.Path() == "/api/v1/ws/ticket" {
		return nil
	}
	if p.HasScope(app.ScopeWrite) || p.HasScope(app.ScopeAdmin) {
		return nil
	}
	return &app.Error{Code: app.CodeForbidden, Message: "This access token can only read: changing anything needs a token with the write scope.",
		Details: map[string]any{"required_scope": string(app.ScopeWrite)}}
}

// limitUser applies the per-user API rate limit (auth.api_rate_limit
// requests per minute; 0 turns it off). With
// auth.api_rate_limit_exempt_owners, requests made with an owner's personal
// access tokens are not limited, so the owner's automation can run flat out.
func (s *Server) limitUser(c *fiber.Ctx, p *app.Principal) error {
	if s.cfg.APIRateLimit <= 0 {
		return nil
	}
	if s.cfg.APIRateLimitExemptOwners && p.TokenID != "" && p.User.Role == app.RoleOwner {
		return nil
	}
	l := s.limiter
	if l == nil {
		return nil
	}
	wait, ok := l.allow(p.User.ID)
	if ok {
		return nil
	}
	secs := max(1, int((wait+time.Second-1)/time.Second))
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	return &app.Error{Code: app.CodeRateLimited,
		Message: fmt.Sprintf("Too many requests: each person may make %d API requests a minute. Try again in %d %s.", l.perMinute, secs, unit),
		Details: map[string]any{"retry_after": secs, "limit_per_minute": l.perMinute}}
}

// userLimiter is a token bucket per user, holding a minute's worth of
// requests and refilling continuously. It runs on every authenticated
// request, so it is lock-free: each user's bucket is one atomic number, the
// "theoretical arrival time" of the generic cell rate algorithm (GCRA), which
// is a token bucket in a single word. A request is allowed when, after
// adding one request's worth of time, that number is at most a minute ahead
// of now.
type userLimiter struct {
	perMinute int
	interval  int64 // nanoseconds one request uses up
	depth     int64 // nanoseconds of requests the bucket holds: a minute
	now       func() time.Time

	users     sync.Map // user id → *atomic.Int64 (theoretical arrival time, Unix ns)
	lastSweep atomic.Int64
	sweeping  atomic.Bool
}

// userLimiterSweepEvery is how often buckets that are full again (idle
// users) are dropped, which bounds memory to the users active in the last
// minute or so.
const userLimiterSweepEvery = time.Minute

func newUserLimiter(perMinute int, now func() time.Time) *userLimiter {
	l := &userLimiter{perMinute: perMinute, interval: max(1, int64(time.Minute)/int64(perMinute)), now: now}
	l.depth = l.interval * int64(perMinute)
	l.lastSweep.Store(now().UnixNano())
	return l
}

// allow takes one request from the user's bucket, or says how long until
// one is available.
func (l *userLimiter) allow(userID string) (time.Duration, bool) {
	now := l.now().UnixNano()
	v, found := l.users.Load(userID)
	if !found {
		v, _ = l.users.LoadOrStore(userID, new(atomic.Int64))
	}
	tat := v.(*atomic.Int64)
	for {
		old := tat.Load()
		next := max(old, now) + l.interval
		if ahead := next - now; ahead > l.depth {
			return time.Duration(ahead - l.depth), false
		}
		if tat.CompareAndSwap(old, next) {
			break
		}
	}
	if now-l.lastSweep.Load() > int64(userLimiterSweepEvery) {
		l.sweep(now)
	}
	return 0, true
}

// sweep drops the buckets that are full again: forgetting them changes
// nothing, since a new bucket starts full. One caller sweeps at a time.
func (l *userLimiter) sweep(now int64) {
	if !l.sweeping.CompareAndSwap(false, true) {
		return
	}
	defer l.sweeping.Store(false)
	l.lastSweep.Store(now)
	l.users.Range(func(k, v any) bool {
		if v.(*atomic.Int64).Load() <= now {
			l.users.Delete(k)
		}
		return true
	})
}
