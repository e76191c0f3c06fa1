package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"nexus/app"
)

// Argon2id parameters: the OWASP baseline (m=19 MiB, t=2, p=1). Stored hashes
// carry their own parameters, so raising these later keeps old hashes valid.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// MaxPasswordLength bounds the work a single request can cause; it is far
// above the 64 characters people must be allowed.
const MaxPasswordLength = 1024

// Hasher hashes and verifies passwords with argon2id. It bounds how many
// hashes run at once: each takes 19 MiB, and a burst of sign-ins must not
// exhaust memory.
type Hasher struct {
	slots chan struct{}

	dummyOnce sync.Once
	dummy     string

	// Each hash leaves 19 MiB of garbage that the runtime would keep (and
	// count in the process's RSS) until its next collection, which on an
	// idle server can be minutes away. Once hashing has stopped for
	// quietFor, freeMemory hands it back to the OS.
	mu         sync.Mutex
	quiet      *time.Timer
	quietFor   time.Duration
	freeMemory func()
}

// NewHasher returns a hasher running at most concurrency hashes at a time.
func NewHasher(concurrency int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	return &Hasher{slots: make(chan struct{}, concurrency), quietFor: 2 * time.Second, freeMemory: debug.FreeOSMemory}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for password hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() {
	<-h.slots
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.quiet == nil {
		h.quiet = time.AfterFunc(h.quietFor, h.hashingStopped)
	} else {
		h.quiet.Reset(h.quietFor)
	}
}

// hashingStopped runs quietFor after the last hash finished.
func (h *Hasher) hashingStopped() {
	if len(h.slots) > 0 {
		return // busy again: its release re-arms the timer
	}
	h.freeMemory()
}

// Hash returns a PHC-format argon2id hash of password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the encoded hash. An empty or
// malformed hash never matches but still costs one hash, so callers cannot be
// told apart by timing.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	p, err := parseArgon2id(encoded)
	if err != nil {
		p, err = parseArgon2id(h.dummyHash())
		if err != nil {
			return false, err
		}
		encoded = ""
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	ok := subtle.ConstantTimeCompare(key, p.key) == 1
	return ok && encoded != "", nil
}

// VerifyNone spends the same time as a real verification; it is used when the
// account does not exist, so a wrong email and a wrong password look alike.
func (h *Hasher) VerifyNone(ctx context.Context, password string) error {
	_, err := h.Verify(ctx, password, "")
	return err
}

func (h *Hasher) dummyHash() string {
	h.dummyOnce.Do(func() {
		salt := make([]byte, argonSaltLen)
		key := make([]byte, argonKeyLen)
		b64 := base64.RawStdEncoding
		h.dummy = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
			argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
	})
	return h.dummy
}

type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

func parseArgon2id(encoded string) (argonParams, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, fmt.Errorf("parse password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, fmt.Errorf("parse password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, fmt.Errorf("parse password hash parameters: %w", err)
	}
	if p.memory < 8*1024 || p.memory > 4*1024*1024 || p.time < 1 || p.time > 100 || p.threads < 1 {
		return p, fmt.Errorf("parse password hash: parameters out of range")
	}
	var err error
	if p.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return p, fmt.Errorf("parse password hash salt: %w", err)
	}
	if p.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(p.key) < 16 {
		return p, fmt.Errorf("parse password hash key: invalid")
	}
	return p, nil
}

// CheckPasswordPolicy applies the password rules: a minimum length in
// characters, a generous maximum, not one of the 10,000 most common
// passwords, and no composition rules (NIST SP 800-63B).
func CheckPasswordPolicy(password string, minLength int) error {
	if !utf8.ValidString(password) {
		return app.Invalid("password", "Password must be valid UTF-8 text.")
	}
	n := utf8.RuneCountInString(password)
	if n < minLength {
		return app.Invalid("password", fmt.Sprintf("Password must be at least %d characters.", minLength)).
			WithDetail("min_length", minLength)
	}
	if n > MaxPasswordLength {
		return app.Invalid("password", fmt.Sprintf("Password must be at most %d characters.", MaxPasswordLength)).
			WithDetail("max_length", MaxPasswordLength)
	}
	if IsCommonPassword(password) {
		return app.Invalid("password", "This password is too common. Choose one that is harder to guess.").
			WithDetail("reason", "common_password")
	}
	return nil
}
