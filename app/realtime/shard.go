package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
)

// delivery is one event on its way to connections. The frame is encoded
// once and written to every connection that may see it.
type delivery struct {
	ev        Event
	frame     []byte
	ephemeral bool
	// audience, when not nil, lists per shard the only users to consider.
	audience [][]string
}

// shard owns the connections of a subset of users (by hash of the user id)
// and fans events out to them on its own goroutine, so delivery scales over
// cores while each connection still sees events in order.
type shard struct {
	g     *Gateway
	in    chan *delivery
	index int
	// dirty are the connections with frames queued since the last flush
	// (the shard's goroutine only).
	dirty []*conn

	mu    sync.RWMutex
	users map[string]*userConns
	// list is a snapshot of users for fan-out, rebuilt when a user comes
	// or goes, so fan-out never holds the lock while it runs checks.
	list atomic.Pointer[[]*userConns]
}

// userConns are one user's connections (tabs, devices).
type userConns struct {
	id    string
	conns atomic.Pointer[[]*conn]
}

func (u *userConns) snapshot() []*conn {
	if p := u.conns.Load(); p != nil {
		return *p
	}
	return nil
}

func newShard(g *Gateway, index int) *shard {
	s := &shard{g: g, index: index, in: make(chan *delivery, 256), users: map[string]*userConns{}}
	s.list.Store(&[]*userConns{})
	return s
}

// maxUnflushed bounds how many events a shard queues before it writes:
// enough to pack a busy socket's frames into one write, few enough that
// the first of them is not held up.
const maxUnflushed = 64

func (s *shard) run(ctx context.Context) {
	buf := make([]byte, 0, batchSize)
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-s.in:
			// Queue everything already waiting, then write: under load a
			// socket's frames leave in one write, at no cost in latency
			// when idle (a lone event is written at once).
			s.deliver(ctx, d)
		more:
			for range maxUnflushed - 1 {
				select {
				case d := <-s.in:
					s.deliver(ctx, d)
				default:
					break more
				}
			}
			s.flush(buf)
		}
	}
}

// flush writes every connection deliver queued for.
func (s *shard) flush(buf []byte) {
	for i, c := range s.dirty {
		c.flush(buf)
		s.dirty[i] = nil
	}
	s.dirty = s.dirty[:0]
}

func (s *shard) deliver(ctx context.Context, d *delivery) {
	// Looked up once per event: this loop runs for every connected user.
	check := s.g.visibility(d.ev.ResourceType)
	if check == nil {
		return
	}
	if d.audience != nil {
		for _, id := range d.audience[s.index] {
			s.mu.RLock()
			u := s.users[id]
			s.mu.RUnlock()
			if u != nil {
				s.deliverTo(ctx, u, d, check)
			}
		}
		return
	}
	for _, u := range *s.list.Load() {
		s.deliverTo(ctx, u, d, check)
	}
}

func (s *shard) deliverTo(ctx context.Context, u *userConns, d *delivery, check Visibility) {
	conns := u.snapshot()
	if len(conns) == 0 {
		return
	}
	// One check per user: every tab of a user sees the same things.
	if !s.g.check(ctx, check, conns[0].principal(), d.ev) {
		return
	}
	for _, c := range conns {
		if c.deliver(d) {
			s.dirty = append(s.dirty, c)
		}
	}
}

// add registers c; it fails when the user already has MaxPerUser sockets.
func (s *shard) add(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[c.userID]
	if u == nil {
		u = &userConns{id: c.userID}
		s.users[c.userID] = u
		s.rebuild()
	}
	old := u.snapshot()
	if len(old) >= s.g.cfg.MaxPerUser {
		return false
	}
	next := make([]*conn, len(old), len(old)+1)
	copy(next, old)
	next = append(next, c)
	u.conns.Store(&next)
	return true
}

func (s *shard) remove(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[c.userID]
	if u == nil {
		return
	}
	old := u.snapshot()
	next := make([]*conn, 0, len(old))
	for _, x := range old {
		if x != c {
			next = append(next, x)
		}
	}
	if len(next) == 0 {
		delete(s.users, c.userID)
		u.conns.Store(nil)
		s.rebuild()
		return
	}
	u.conns.Store(&next)
}

func (s *shard) rebuild() {
	list := make([]*userConns, 0, len(s.users))
	for _, u := range s.users {
		list = append(list, u)
	}
	s.list.Store(&list)
}

func (s *shard) userConns(userID string) []*conn {
	s.mu.RLock()
	u := s.users[userID]
	s.mu.RUnlock()
	if u == nil {
		return nil
	}
	return u.snapshot()
}

func (s *shard) allConns() []*conn {
	var out []*conn
	for _, u := range *s.list.Load() {
		out = append(out, u.snapshot()...)
	}
	return out
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode ephemeral data: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("ephemeral data must be a JSON object: %w", err)
	}
	return m, nil
}
