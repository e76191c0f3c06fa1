package auth

import (
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestLimiter(ipPerMinute int) (*Limiter, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	return NewLimiter(LimiterConfig{IPPerMinute: ipPerMinute, FreeFailures: 3, BaseDelay: time.Second,
		MaxDelay: time.Minute, ForgetAfter: time.Hour}, clock.now), clock
}

func TestLimiterIPBucket(t *testing.T) {
	l, clock := newTestLimiter(6) // 6 per minute: one every 10 s
	for i := 0; i < 6; i++ {
		if !l.Allow("10.0.0.1", "account:a").OK {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	d := l.Allow("10.0.0.1", "account:a")
	wait, ok := d.RetryAfter, d.OK
	if ok || wait <= 0 || wait > 10*time.Second || !d.FirstRefusal {
		t.Fatalf("7th attempt: ok=%v wait=%v; want refused with wait ≤ 10s", ok, wait)
	}
	if !l.Allow("10.0.0.2", "account:a").OK {
		t.Fatal("another IP must have its own bucket")
	}
	clock.advance(10 * time.Second)
	if !l.Allow("10.0.0.1", "account:a").OK {
		t.Fatal("bucket did not refill after 10s")
	}
}

func TestLimiterProgressiveDelayIsCappedAndTemporary(t *testing.T) {
	l, clock := newTestLimiter(1000)
	key := "account:kim@example.com"
	var delays []time.Duration
	for i := 0; i < 10; i++ {
		if !l.Allow("ip", key).OK {
			// Wait out the delay, as a patient attacker would.
			clock.advance(time.Hour - time.Minute)
			if !l.Allow("ip", key).OK {
				t.Fatalf("still locked after waiting")
			}
		}
		delays = append(delays, l.Failure(key))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, time.Minute}
	for i := range want {
		if delays[i] != want[i] {
			t.Fatalf("delays = %v, want %v", delays, want)
		}
	}
	d := l.Allow("ip", key)
	wait, ok := d.RetryAfter, d.OK
	if ok || wait != time.Minute || !d.FirstRefusal {
		t.Fatalf("right after the 10th failure: ok=%v wait=%v, want locked for the capped minute", ok, wait)
	}
	if again := l.Allow("ip", key); again.OK || again.FirstRefusal {
		t.Fatalf("second refusal = %+v; only the first refusal is reported", again)
	}
	clock.advance(time.Minute)
	if !l.Allow("ip", key).OK {
		t.Fatal("the delay must end: a lock is never permanent")
	}
}

func TestLimiterTrustedDeviceIsNotLockedByStrangers(t *testing.T) {
	l, _ := newTestLimiter(1000)
	account := "account:kim@example.com"
	for i := 0; i < 8; i++ {
		l.Failure(account)
	}
	if l.Allow("attacker", account).OK {
		t.Fatal("the account should be delayed for strangers")
	}
	if !l.Allow("office", "device:kims-laptop").OK {
		t.Fatal("the owner's known device must not be locked by strangers' failures")
	}
}

func TestLimiterSuccessAndQuietPeriodReset(t *testing.T) {
	l, clock := newTestLimiter(1000)
	key := "account:a"
	for i := 0; i < 3; i++ {
		l.Failure(key)
	}
	l.Success(key)
	if d := l.Failure(key); d != 0 {
		t.Fatalf("after a success the count must restart; got delay %v", d)
	}
	l.Failure(key)
	l.Failure(key)
	clock.advance(2 * time.Hour)
	if d := l.Failure(key); d != 0 {
		t.Fatalf("after a quiet period the count must restart; got delay %v", d)
	}
}

func TestLimiterSweepBoundsMemory(t *testing.T) {
	l, clock := newTestLimiter(10)
	for i := 0; i < limiterSweepEvery; i++ {
		l.Allow(string(rune(i))+"ip", "k")
	}
	clock.advance(2 * time.Hour)
	l.Allow("trigger", "k")
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n > 2 {
		t.Fatalf("%d buckets kept after they all went idle; stale entries must be swept", n)
	}
}
