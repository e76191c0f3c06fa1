package realtime

import (
	"fmt"
	"testing"
	"time"
)

func TestPresenceIsMultiTabAwareWithGrace(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	p := newPresence(5*time.Second, func() time.Time { return now })
	p.connect("a")
	p.connect("a") // a second tab
	if got := p.flush(now); got["a"] != StatusOnline || len(got) != 1 {
		t.Fatalf("first connection: %v", got)
	}
	p.setAway("a", true)
	if got := p.flush(now); len(got) != 0 {
		t.Fatalf("one of two tabs away is still online: %v", got)
	}
	p.setAway("a", true)
	if got := p.flush(now); got["a"] != StatusAway {
		t.Fatalf("every tab away: %v", got)
	}
	p.disconnect("a", true)
	p.disconnect("a", true)
	if got := p.flush(now); len(got) != 0 {
		t.Fatalf("offline before the grace period: %v", got)
	}
	if s := p.statuses([]string{"a", "b"}, now); s["a"] != StatusAway || s["b"] != StatusOffline {
		t.Fatalf("statuses during grace: %v", s)
	}
	// A reload within the grace period: nothing is broadcast.
	p.connect("a")
	if got := p.flush(now.Add(time.Second)); got["a"] != StatusOnline {
		t.Fatalf("back online (was away): %v", got)
	}
	p.disconnect("a", false)
	now = now.Add(6 * time.Second)
	if got := p.flush(now); got["a"] != StatusOffline {
		t.Fatalf("after the grace period: %v", got)
	}
	if len(p.users) != 0 || len(p.dirty) != 0 {
		t.Fatalf("offline users are forgotten: %v %v", p.users, p.dirty)
	}
}

func TestPresenceFramesAreBounded(t *testing.T) {
	now := time.Now()
	p := newPresence(time.Second, func() time.Time { return now })
	for i := range 2500 {
		p.connect(fmt.Sprint("u", i))
	}
	total := 0
	for range 3 {
		got := p.flush(now)
		if len(got) > maxPresencePerFrame {
			t.Fatalf("a frame of %d users", len(got))
		}
		total += len(got)
	}
	if total != 2500 {
		t.Fatalf("%d of 2500 changes sent", total)
	}
}
