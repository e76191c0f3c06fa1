package realtime

import (
	"context"
	"hash/maphash"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"nexus/app"
)

// Visibility decides whether p may see e right now. The gateway calls it on
// delivery, once per signed-in user per event (not per connection), and for
// replayed events; it must be cheap (cache, and invalidate on membership
// events: see Gateway.OnEvent) but above all current: a user removed from a
// channel must stop receiving its events with the very next one. Ephemeral
// events (typing, presence) have Seq 0. Live events reach it decoded by
// DecodeRouting: e.Data holds only the top-level scalar fields of the data
// (such as user_id), which is what routing may depend on.
type Visibility func(ctx context.Context, p *app.Principal, e Event) (bool, error)

// Principals re-reads the account and credential (session or personal access
// token) behind a connection's principal. It returns an unauthorized
// *app.Error when the session ended, the token was revoked or the account
// was disabled or deleted, and the fresh principal otherwise.
type Principals interface {
	Recheck(ctx context.Context, p *app.Principal) (*app.Principal, error)
}

// Authenticator turns the access token of a first "auth" frame into a
// principal, applying the checks of an authenticated API request.
type Authenticator func(ctx context.Context, token string) (*app.Principal, error)

// Config is the gateway's configuration (the realtime section, plus
// constants with defaults).
type Config struct {
	// ReplayWindow is how old the oldest missed event may be for a resume to
	// replay; beyond it (or past MaxReplay events) the client gets resync.
	ReplayWindow time.Duration
	// MaxConnections caps open sockets; further upgrades get 429.
	MaxConnections int
	// SendBuffer is how many frames may wait for one connection; one more
	// and the connection is closed with 4008 (slow consumer).
	SendBuffer   int
	PingInterval time.Duration
	// IdleTimeout closes a connection from which nothing (not even a pong)
	// arrived for this long.
	IdleTimeout time.Duration
	// MaxFrame is the largest client frame; larger ones close with 1009.
	MaxFrame int64

	// TicketTTL is how long a ticket may wait to be used (30 s).
	TicketTTL time.Duration
	// RecheckEvery is how often each connection's session or token and
	// account are re-read (30 s); user events trigger a recheck at once.
	RecheckEvery time.Duration
	// AuthTimeout is how long a socket without a ticket may take to send
	// its auth frame (10 s).
	AuthTimeout time.Duration
	// WriteTimeout bounds one write to a socket (10 s).
	WriteTimeout time.Duration
	// MaxPerUser caps one user's sockets (64): tabs, devices, scripts.
	MaxPerUser int
	// PresenceGrace is how long a user without connections still counts
	// as online (a page reload is not a sign-off); PresenceFlush batches
	// presence changes into one frame.
	PresenceGrace time.Duration
	PresenceFlush time.Duration
	// MaxReplay bounds the events one resume may send; more means resync.
	MaxReplay int
	// Shards is how many goroutines fan events out (default GOMAXPROCS).
	Shards int
	Now    func() time.Time
}

func (c *Config) defaults() {
	if c.ReplayWindow <= 0 {
		c.ReplayWindow = 24 * time.Hour
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = 10000
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = 256
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.IdleTimeout <= c.PingInterval {
		c.IdleTimeout = 3 * c.PingInterval
	}
	if c.MaxFrame <= 0 {
		c.MaxFrame = 64 << 10
	}
	if c.TicketTTL <= 0 {
		c.TicketTTL = 30 * time.Second
	}
	if c.RecheckEvery <= 0 {
		c.RecheckEvery = 30 * time.Second
	}
	if c.AuthTimeout <= 0 {
		c.AuthTimeout = 10 * time.Second
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.MaxPerUser <= 0 {
		c.MaxPerUser = 64
	}
	if c.PresenceGrace <= 0 {
		c.PresenceGrace = 5 * time.Second
	}
	if c.PresenceFlush <= 0 {
		c.PresenceFlush = time.Second
	}
	if c.MaxReplay <= 0 {
		c.MaxReplay = max(c.SendBuffer-8, 8)
	}
	if c.Shards <= 0 {
		c.Shards = runtime.GOMAXPROCS(0)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Close codes (docs/realtime.md). 1000–1011 are the protocol's own.
const (
	CloseNormal         = websocket.CloseNormalClosure           // 1000
	CloseGoingAway      = websocket.CloseGoingAway               // 1001: server shutting down
	CloseUnsupported    = websocket.CloseUnsupportedData         // 1003: binary frame
	CloseInvalid        = websocket.CloseInvalidFramePayloadData // 1007: not JSON
	CloseTooBig         = websocket.CloseMessageTooBig           // 1009: over max_frame
	CloseInternal       = websocket.CloseInternalServerErr       // 1011
	CloseIdle           = 4000                                   // nothing received within idle_timeout
	CloseUnauthorized   = 4001                                   // no/invalid auth, session ended, account disabled
	CloseSlowConsumer   = 4008                                   // send buffer overflowed
	CloseTooManyPerUser = 4029                                   // the user has max_per_user sockets open
)

// Gateway is the WebSocket side of realtime delivery.
type Gateway struct {
	cfg        Config
	out        Outbox
	bus        Bus
	principals Principals
	log        *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	visMu sync.RWMutex
	vis   map[string]Visibility
	aud   map[string]Audience
	hooks []func(context.Context, Event)

	shards []*shard
	seed   maphash.Seed

	tickets  *tickets
	presence *presence

	active   atomic.Int64 // admitted sockets (including those still authenticating)
	nextID   atomic.Uint64
	closing  atomic.Bool
	serving  sync.WaitGroup
	slowDrop atomic.Int64
	head     atomic.Int64 // last event sequence fanned out

	recheckNow chan string // user ids whose connections must be rechecked at once
}

// NewGateway returns a gateway. bus may be nil (no live delivery: tests of
// the HTTP layer); Run starts delivery.
func NewGateway(cfg Config, out Outbox, bus Bus, principals Principals, log *slog.Logger) *Gateway {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Gateway{cfg: cfg, out: out, bus: bus, principals: principals, log: log, ctx: ctx, cancel: cancel,
		vis: map[string]Visibility{}, aud: map[string]Audience{}, seed: maphash.MakeSeed(), recheckNow: make(chan string, 256)}
	g.tickets = newTickets(cfg.TicketTTL, cfg.Now)
	g.presence = newPresence(cfg.PresenceGrace, cfg.Now)
	for i := range cfg.Shards {
		g.shards = append(g.shards, newShard(g, i))
	}
	// Presence is visible to every member of the organisation; guests see
	// only their own. Chat may refine it by registering "presence" itself.
	g.vis[presenceResource] = func(_ context.Context, p *app.Principal, _ Event) (bool, error) {
		return p.User.Role != app.RoleGuest, nil
	}
	return g
}

// RegisterVisibility sets the check for events of one resource type.
// Events of a type nobody registered are never delivered.
func (g *Gateway) RegisterVisibility(resourceType string, fn Visibility) {
	g.visMu.Lock()
	defer g.visMu.Unlock()
	g.vis[resourceType] = fn
}

// Audience names the users an event can concern at most: the gateway then
// checks visibility for those users only, instead of for every connected
// user. It is an optimisation, never a permission: visibility still decides
// for each of them. ok false means "anyone" (check everybody).
type Audience func(ctx context.Context, e Event) (userIDs []string, ok bool)

// RegisterAudience sets the audience of events of one resource type.
func (g *Gateway) RegisterAudience(resourceType string, fn Audience) {
	g.visMu.Lock()
	defer g.visMu.Unlock()
	g.aud[resourceType] = fn
}

// DataUserAudience is the audience of events addressed to one user in
// data.user_id (notifications, read state): that user alone.
func DataUserAudience(_ context.Context, e Event) ([]string, bool) {
	id, _ := e.Data["user_id"].(string)
	if id == "" {
		return []string{}, true
	}
	return []string{id}, true
}

// audienceOf returns the audience split by shard (nil: everyone).
func (g *Gateway) audienceOf(ctx context.Context, e Event) [][]string {
	g.visMu.RLock()
	fn := g.aud[e.ResourceType]
	g.visMu.RUnlock()
	if fn == nil {
		return nil
	}
	ids, ok := fn(ctx, e)
	if !ok {
		return nil
	}
	split := make([][]string, len(g.shards))
	for _, id := range ids {
		i := g.shardIndex(id)
		split[i] = append(split[i], id)
	}
	return split
}

// OnEvent registers fn to run for every committed event, in sequence order,
// before the event is fanned out: the place to invalidate caches that
// visibility checks use (e.g. channel membership on member events). It sees
// the event as Visibility does (live events decoded by DecodeRouting).
func (g *Gateway) OnEvent(fn func(ctx context.Context, e Event)) {
	g.visMu.Lock()
	defer g.visMu.Unlock()
	g.hooks = append(g.hooks, fn)
}

func (g *Gateway) visibility(resourceType string) Visibility {
	g.visMu.RLock()
	defer g.visMu.RUnlock()
	return g.vis[resourceType]
}

// visible runs the registered check; unregistered types and failed checks
// mean "not visible".
func (g *Gateway) visible(ctx context.Context, p *app.Principal, e Event) bool {
	return g.check(ctx, g.visibility(e.ResourceType), p, e)
}

// check runs a visibility function already looked up.
func (g *Gateway) check(ctx context.Context, fn Visibility, p *app.Principal, e Event) bool {
	if fn == nil || p == nil {
		return false
	}
	ok, err := fn(ctx, p, e)
	if err != nil {
		if ctx.Err() == nil {
			g.log.Warn("realtime: visibility check failed; not delivering", "type", e.Type,
				"resource_type", e.ResourceType, "resource_id", e.ResourceID, "user_id", p.User.ID, "error", err)
		}
		return false
	}
	return ok
}

// GatewayConsumer is the gateway's row in realtime_consumers.
const GatewayConsumer = "gateway"

// Run delivers events until ctx ends: committed events through a Consumer
// (in order, with gaps filled from the outbox), ephemeral ones straight from
// the bus; it also pings, rechecks principals and flushes presence. It is
// meant for cli.Runtime.Background.
func (g *Gateway) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, s := range g.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		g.maintain(ctx)
	}()
	if g.bus == nil {
		<-ctx.Done()
		return
	}
	unsubscribe, err := g.bus.Subscribe(EphemeralSubjects, func(data []byte) { g.handleEphemeral(ctx, data) })
	if err != nil {
		g.log.Error("realtime: subscribe to ephemeral events", "error", err)
	} else {
		defer unsubscribe()
	}
	err = RunConsumer(ctx, g.out, g.bus, Consumer{Name: GatewayConsumer, FromLatest: true, SaveEvery: 5 * time.Second,
		Log: g.log, Handle: g.handleEvent, Decode: DecodeRouting})
	if err != nil {
		g.log.Error("realtime: gateway consumer", "error", err)
		<-ctx.Done()
	}
}

// handleEvent fans one committed event out. It never fails: an event
// nobody may see is simply not sent.
func (g *Gateway) handleEvent(ctx context.Context, e Event, raw []byte) error {
	g.visMu.RLock()
	hooks := g.hooks
	g.visMu.RUnlock()
	for _, h := range hooks {
		h(ctx, e)
	}
	g.head.Store(e.Seq)
	g.noteAccountEvent(e)
	if g.visibility(e.ResourceType) == nil {
		return nil
	}
	d := &delivery{ev: e, frame: textFrame(raw), audience: g.audienceOf(ctx, e)}
	return g.fanout(ctx, d)
}

func (g *Gateway) handleEphemeral(ctx context.Context, raw []byte) {
	e, err := DecodeRouting(raw)
	if err != nil {
		g.log.Error("realtime: undecodable ephemeral event", "error", err)
		return
	}
	e.Seq = 0
	if g.visibility(e.ResourceType) == nil {
		return
	}
	_ = g.fanout(ctx, &delivery{ev: e, frame: textFrame(raw), ephemeral: true, audience: g.audienceOf(ctx, e)})
}

func (g *Gateway) fanout(ctx context.Context, d *delivery) error {
	for _, s := range g.shards {
		select {
		case s.in <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Account events that can end a connection's right to exist. The session
// and token ones are emitted by auth when it revokes credentials (when it
// does); until then the periodic recheck catches them.
const (
	eventSessionRevoked = "session.revoked"
	eventTokenRevoked   = "token.revoked"
)

// noteAccountEvent schedules an immediate recheck of a user whose account
// or credentials changed (disabled, deleted, role changed, signed out).
func (g *Gateway) noteAccountEvent(e Event) {
	var userID string
	switch {
	case e.ResourceType == "user" && (e.Type == app.EventUserUpdated || e.Type == app.EventUserDeleted):
		userID = e.ResourceID
	case e.Type == eventSessionRevoked || e.Type == eventTokenRevoked:
		userID, _ = e.Data["user_id"].(string)
	}
	if userID == "" {
		return
	}
	select {
	case g.recheckNow <- userID:
	default:
		// The periodic recheck gets to it within RecheckEvery.
	}
}

// PublishEphemeral sends an event that is never stored (typing, presence,
// anything transient) to the connections allowed to see it, through the
// same visibility checks as committed events. It does nothing when the
// gateway has no bus.
func (g *Gateway) PublishEphemeral(ctx context.Context, resourceType, resourceID, typ string, data any) error {
	if g.bus == nil {
		return nil
	}
	var m map[string]any
	switch v := data.(type) {
	case nil:
	case map[string]any:
		m = v
	default:
		var err error
		if m, err = toMap(v); err != nil {
			return err
		}
	}
	raw, err := EncodeEvent(Event{Type: typ, ResourceType: resourceType, ResourceID: resourceID, Data: m})
	if err != nil {
		return err
	}
	return g.bus.Publish(subject(ephemeralPrefix, resourceType), raw)
}

// Presence returns the status (online, away or offline) of each user.
func (g *Gateway) Presence(userIDs []string) map[string]string {
	return g.presence.statuses(userIDs, g.cfg.Now())
}

// latest is the newest committed sequence: a new connection starts after
// it (events committed before it are in what the client fetches next).
// The query runs on a goroutine of its own, so that the connection's
// long-lived reader goroutine does not grow its stack for SQLite.
func (g *Gateway) latest(ctx context.Context) (int64, error) {
	var seq int64
	var err error
	offStack(func() { seq, err = g.out.LatestOutboxSeq(ctx) })
	return seq, err
}

// offStack runs fn on a short-lived goroutine and waits for it.
func offStack(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// Stats are gauges for /metrics.
type Stats struct {
	Connections   int64 // sockets open or authenticating
	SlowConsumers int64 // connections cut for overflowing their send buffer
	Head          int64 // last sequence fanned out
}

// Stats reports the gateway's gauges.
func (g *Gateway) Stats() Stats {
	return Stats{Connections: g.active.Load(), SlowConsumers: g.slowDrop.Load(), Head: g.head.Load()}
}

// Admit reserves a connection slot before an upgrade; release gives it
// back if the upgrade does not happen (Serve releases it otherwise).
func (g *Gateway) Admit() (release func(), ok bool) {
	if g.closing.Load() {
		return nil, false
	}
	if g.active.Add(1) > int64(g.cfg.MaxConnections) {
		g.active.Add(-1)
		return nil, false
	}
	var once sync.Once
	return func() { once.Do(func() { g.active.Add(-1) }) }, true
}

// Close ends every connection with 1001 (going away), so clients reconnect
// to the next server, and waits briefly for them to finish. Call it after
// the HTTP server stopped accepting.
func (g *Gateway) Close() error {
	if g.closing.Swap(true) {
		return nil
	}
	for _, s := range g.shards {
		for _, c := range s.allConns() {
			go c.closeWith(CloseGoingAway, "server shutting down")
		}
	}
	done := make(chan struct{})
	go func() {
		g.serving.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
	g.cancel()
	return nil
}

func (g *Gateway) shardFor(userID string) *shard { return g.shards[g.shardIndex(userID)] }

func (g *Gateway) shardIndex(userID string) int {
	return int(maphash.String(g.seed, userID) % uint64(len(g.shards)))
}

// maintain pings connections when due, rechecks principals (periodically and
// when account events ask), and flushes presence changes.
func (g *Gateway) maintain(ctx context.Context) {
	tick := time.NewTicker(min(time.Second, g.cfg.PingInterval/3))
	defer tick.Stop()
	flush := time.NewTicker(g.cfg.PresenceFlush)
	defer flush.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case userID := <-g.recheckNow:
			g.recheck(ctx, g.shardFor(userID).userConns(userID))
		case <-flush.C:
			if changes := g.presence.flush(g.cfg.Now()); len(changes) > 0 {
				if err := g.PublishEphemeral(ctx, presenceResource, "", "presence", map[string]any{"users": changes}); err != nil {
					g.log.Warn("realtime: publish presence", "error", err)
				}
			}
		case <-tick.C:
			now := g.cfg.Now()
			var due []*conn
			for _, s := range g.shards {
				for _, c := range s.allConns() {
					if now.Sub(c.lastPing()) >= g.cfg.PingInterval {
						c.ping(now)
					}
					if now.Sub(c.lastCheck()) >= g.cfg.RecheckEvery {
						due = append(due, c)
					}
				}
			}
			g.recheck(ctx, due)
		}
	}
}

// recheck re-reads the credentials behind conns, once per credential, and
// closes the connections whose session or account ended.
func (g *Gateway) recheck(ctx context.Context, conns []*conn) {
	if g.principals == nil || len(conns) == 0 {
		return
	}
	type result struct {
		p   *app.Principal
		err error
	}
	seen := map[string]result{}
	now := g.cfg.Now()
	for _, c := range conns {
		p := c.principal()
		key := p.User.ID + "|" + p.SessionID + "|" + p.TokenID
		r, ok := seen[key]
		if !ok {
			r.p, r.err = g.principals.Recheck(ctx, p)
			seen[key] = r
		}
		c.setLastCheck(now)
		switch {
		case r.err == nil:
			c.setPrincipal(r.p)
		case app.CodeOf(r.err) == app.CodeUnauthorized || app.IsNotFound(r.err):
			go c.closeWith(CloseUnauthorized, "session ended")
		default:
			if ctx.Err() == nil {
				g.log.Warn("realtime: recheck principal", "user_id", p.User.ID, "error", r.err)
			}
		}
	}
}

var errClosing = &app.Error{Code: app.CodeRateLimited, Message: "The server is shutting down.",
	Details: map[string]any{"reason": "shutting_down"}}

// ErrTooManyConnections is what Admit's refusal means to a client.
var ErrTooManyConnections = &app.Error{Code: app.CodeRateLimited,
	Message: "Too many live connections: try again in a moment.", Details: map[string]any{"reason": "too_many_connections", "retry_after": 5}}

// IsClosing reports whether Close was called.
func (g *Gateway) IsClosing() bool { return g.closing.Load() }

// AdmitError explains why Admit refused.
func (g *Gateway) AdmitError() error {
	if g.closing.Load() {
		return errClosing
	}
	return ErrTooManyConnections
}
