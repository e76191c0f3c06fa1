package realtime

import (
	"sync"
	"time"
)

// Presence is computed from live connections and never stored: a user is
// online while any of their sockets says so, away when every socket reports
// away (hidden or idle tabs), and offline when the last socket has been gone
// for the grace period (so that reloading a page does not flicker). Changes
// are batched into one "presence" frame per flush interval.

const presenceResource = "presence"

// maxPresencePerFrame bounds one presence frame (about 50 bytes a user).
// After a restart everyone reconnects at once; their changes then go out
// over a few flushes instead of in one frame of every user.
const maxPresencePerFrame = 1000

// Presence statuses.
const (
	StatusOnline  = "online"
	StatusAway    = "away"
	StatusOffline = "offline"
)

type presenceUser struct {
	conns     int
	away      int
	published string    // what was last broadcast ("" = offline)
	goneAt    time.Time // when conns dropped to zero
}

type presence struct {
	grace time.Duration
	now   func() time.Time

	mu    sync.Mutex
	users map[string]*presenceUser
	dirty map[string]struct{}
}

func newPresence(grace time.Duration, now func() time.Time) *presence {
	return &presence{grace: grace, now: now, users: map[string]*presenceUser{}, dirty: map[string]struct{}{}}
}

func (p *presence) user(id string) *presenceUser {
	u := p.users[id]
	if u == nil {
		u = &presenceUser{}
		p.users[id] = u
	}
	return u
}

func (p *presence) connect(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user(id).conns++
	p.dirty[id] = struct{}{}
}

func (p *presence) disconnect(id string, away bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.user(id)
	u.conns--
	if away {
		u.away--
	}
	if u.conns <= 0 {
		u.conns, u.away, u.goneAt = 0, 0, p.now()
	}
	p.dirty[id] = struct{}{}
}

func (p *presence) setAway(id string, away bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.user(id)
	if away {
		u.away++
	} else if u.away > 0 {
		u.away--
	}
	p.dirty[id] = struct{}{}
}

func (u *presenceUser) status() string {
	switch {
	case u.conns == 0:
		return StatusOffline
	case u.away >= u.conns:
		return StatusAway
	default:
		return StatusOnline
	}
}

// flush returns the users whose broadcast status changed since the last
// flush. A user who just lost their last socket stays as they were until
// the grace period is over.
func (p *presence) flush(now time.Time) map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var changes map[string]string
	for id := range p.dirty {
		if len(changes) >= maxPresencePerFrame {
			break // the rest go out with the next flushes
		}
		u := p.users[id]
		s := u.status()
		if s == StatusOffline && u.published != "" && now.Sub(u.goneAt) < p.grace {
			continue // stays dirty: looked at again next flush
		}
		delete(p.dirty, id)
		if s == StatusOffline {
			delete(p.users, id)
		}
		published := u.published
		if published == "" {
			published = StatusOffline
		}
		if s == published {
			continue
		}
		if changes == nil {
			changes = map[string]string{}
		}
		changes[id] = s
		if s == StatusOffline {
			u.published = ""
		} else {
			u.published = s
		}
	}
	return changes
}

func (p *presence) statuses(ids []string, now time.Time) map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		u := p.users[id]
		switch {
		case u == nil:
			out[id] = StatusOffline
		case u.conns == 0 && u.published != "" && now.Sub(u.goneAt) < p.grace:
			out[id] = u.published
		default:
			out[id] = u.status()
		}
	}
	return out
}
