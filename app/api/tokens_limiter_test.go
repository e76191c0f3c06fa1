package api

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type limiterClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *limiterClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *limiterClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestUserLimiter(perMinute int) (*userLimiter, *limiterClock) {
	clk := &limiterClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	return newUserLimiter(perMinute, clk.now), clk
}

func TestUserLimiterBurstRefillAndRetryAfter(t *testing.T) {
	l, clk := newTestUserLimiter(60) // one a second, a burst of 60
	for i := 0; i < 60; i++ {
		if _, ok := l.allow("kim"); !ok {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	wait, ok := l.allow("kim")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("61st request: ok=%v wait=%v; want refused for at most a second", ok, wait)
	}
	if _, ok := l.allow("lee"); !ok {
		t.Fatal("another user must have their own bucket")
	}
	clk.advance(wait)
	if _, ok := l.allow("kim"); !ok {
		t.Fatal("not allowed after waiting Retry-After")
	}
	if _, ok := l.allow("kim"); ok {
		t.Fatal("one wait buys one request")
	}
	// A refused request costs nothing: waiting the refill time is enough.
	for i := 0; i < 10; i++ {
		l.allow("kim")
	}
	clk.advance(time.Second)
	if _, ok := l.allow("kim"); !ok {
		t.Fatal("refused requests must not use up the bucket")
	}
	// Idle long enough, the bucket is full again, and no fuller.
	clk.advance(time.Hour)
	n := 0
	for {
		if _, ok := l.allow("kim"); !ok {
			break
		}
		n++
	}
	if n != 60 {
		t.Fatalf("after an hour idle: %d requests allowed, want exactly the burst of 60", n)
	}
}

func TestUserLimiterIsExactUnderConcurrency(t *testing.T) {
	l, _ := newTestUserLimiter(500)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if _, ok := l.allow("kim"); ok {
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 500 {
		t.Fatalf("%d requests allowed at one instant, want exactly 500", n)
	}
}

func TestUserLimiterSweepBoundsMemory(t *testing.T) {
	l, clk := newTestUserLimiter(100)
	for i := 0; i < 10000; i++ {
		l.allow("user-" + strconv.Itoa(i))
	}
	clk.advance(2 * time.Minute)
	l.allow("trigger")
	n := 0
	l.users.Range(func(any, any) bool { n++; return true })
	if n > 1 {
		t.Fatalf("%d buckets kept after every user went idle; full buckets must be swept", n)
	}
	// Swept users start with a full bucket, as if never seen.
	for i := 0; i < 100; i++ {
		if _, ok := l.allow("user-1"); !ok {
			t.Fatalf("swept user refused at request %d", i+1)
		}
	}
}

func BenchmarkUserLimiter(b *testing.B) {
	l := newUserLimiter(1<<30, time.Now)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.allow("01936c3e-7a2b-7c1d-9e4f-5a6b7c8d9e0f")
		}
	})
}
