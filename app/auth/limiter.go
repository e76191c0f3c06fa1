package auth

import (
	"math"
	"sync"
	"time"
)

// LimiterConfig tunes sign-in throttling.
type LimiterConfig struct {
	// IPPerMinute is how many sign-in attempts one client IP may make per
	// minute (a token bucket of that size, refilled continuously).
	IPPerMinute int
	// FreeFailures is how many wrong passwords an account (or a trusted
	// device) may see before delays start.
	FreeFailures int
	// BaseDelay is the first delay after the free failures; each further
	// failure doubles it, up to MaxDelay.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// ForgetAfter clears an account's failure count after this long without
	// a failure.
	ForgetAfter time.Duration
}

// Limiter throttles sign-in attempts per client IP (a token bucket) and per
// account (a progressive delay after repeated failures). A delay is always
// temporary, and attempts from a device the account signed in on before are
// counted separately, so a stranger guessing passwords cannot keep the real
// user out. State is in memory: a restart forgets it, which only ever helps
// the real user.
type Limiter struct {
	cfg LimiterConfig
	now func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	failures  map[string]*failureState
	ops       int
	lastSweep time.Time
}

type bucket struct {
	tokens  float64
	last    time.Time
	refused bool // a refusal was already reported since the last allowed attempt
}

type failureState struct {
	count       int
	lastFailure time.Time
	lockedUntil time.Time
	refused     bool
}

// Decision is the limiter's answer to one attempt.
type Decision struct {
	OK         bool
	RetryAfter time.Duration
	// FirstRefusal is true for the first refusal after an allowed attempt,
	// so callers can record an attack once rather than once per request.
	FirstRefusal bool
}

// Stale entries are swept every limiterSweepEvery calls or once a minute,
// whichever comes first, which keeps memory bounded under an attack from
// many addresses.
const limiterSweepEvery = 4096

// NewLimiter returns a limiter; now is the clock (time.Now in production).
func NewLimiter(cfg LimiterConfig, now func() time.Time) *Limiter {
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = time.Second
	}
	if cfg.MaxDelay < cfg.BaseDelay {
		cfg.MaxDelay = cfg.BaseDelay
	}
	if cfg.ForgetAfter <= 0 {
		cfg.ForgetAfter = time.Hour
	}
	return &Limiter{cfg: cfg, now: now, buckets: map[string]*bucket{}, failures: map[string]*failureState{}}
}

// Allow takes one attempt from ip's bucket and checks the delay on key (the
// account, or the trusted device).
func (l *Limiter) Allow(ip, key string) Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.maybeSweep(now)

	f := l.failures[key]
	if f != nil && now.Before(f.lockedUntil) {
		first := !f.refused
		f.refused = true
		return Decision{RetryAfter: f.lockedUntil.Sub(now), FirstRefusal: first}
	}
	if l.cfg.IPPerMinute > 0 {
		b := l.buckets[ip]
		capacity := float64(l.cfg.IPPerMinute)
		if b == nil {
			b = &bucket{tokens: capacity, last: now}
			l.buckets[ip] = b
		}
		perSecond := capacity / 60
		b.tokens = math.Min(capacity, b.tokens+now.Sub(b.last).Seconds()*perSecond)
		b.last = now
		if b.tokens < 1 {
			first := !b.refused
			b.refused = true
			return Decision{RetryAfter: time.Duration((1 - b.tokens) / perSecond * float64(time.Second)), FirstRefusal: first}
		}
		b.tokens--
		b.refused = false
	}
	if f != nil {
		f.refused = false
	}
	return Decision{OK: true}
}

// Failure records a wrong password for key and returns the delay now in
// force (zero while still within the free failures).
func (l *Limiter) Failure(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	f := l.failures[key]
	if f == nil || now.Sub(f.lastFailure) > l.cfg.ForgetAfter {
		f = &failureState{}
		l.failures[key] = f
	}
	f.count++
	f.lastFailure = now
	over := f.count - l.cfg.FreeFailures
	if over <= 0 {
		return 0
	}
	delay := l.cfg.MaxDelay
	if over <= 30 { // beyond that the shift would overflow; the cap applies anyway
		if d := l.cfg.BaseDelay << (over - 1); d > 0 && d < delay {
			delay = d
		}
	}
	f.lockedUntil = now.Add(delay)
	return delay
}

// Success clears the failure history of key.
func (l *Limiter) Success(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

func (l *Limiter) maybeSweep(now time.Time) {
	l.ops++
	if l.ops < limiterSweepEvery && now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.ops, l.lastSweep = 0, now
	for k, b := range l.buckets {
		if now.Sub(b.last) > time.Minute {
			delete(l.buckets, k)
		}
	}
	for k, f := range l.failures {
		if now.After(f.lockedUntil) && now.Sub(f.lastFailure) > l.cfg.ForgetAfter {
			delete(l.failures, k)
		}
	}
}
