package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"nexus/app"
)

func TestHashAndVerify(t *testing.T) {
	h := NewHasher(2)
	ctx := context.Background()
	for _, pw := range []string{"correct horse battery", "비밀번호는길게써요", strings.Repeat("x", 1024)} {
		enc, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("hash %q does not use the OWASP argon2id parameters", enc)
		}
		if ok, err := h.Verify(ctx, pw, enc); err != nil || !ok {
			t.Fatalf("right password refused: %v", err)
		}
		if ok, _ := h.Verify(ctx, pw+"!", enc); ok {
			t.Fatal("wrong password accepted")
		}
	}
	a, _ := h.Hash(ctx, "same password")
	b, _ := h.Hash(ctx, "same password")
	if a == b {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}

func TestVerifyMalformedHashNeverMatches(t *testing.T) {
	h := NewHasher(1)
	for _, enc := range []string{"", "plain", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$bcrypt$..."} {
		if ok, err := h.Verify(context.Background(), "anything", enc); ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", enc, ok, err)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"short", false},
		{"1234567", false},
		{"12345678", false}, // long enough, but one of the most common passwords
		{"8 chars!", true},
		{"한국어비밀번호임", true}, // 8 characters, 24 bytes: counted in characters
		{"한국어비밀번", false},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 1024), true},
		{strings.Repeat("a", 1025), false},
		{"all lowercase no digits", true}, // no composition rules
		{"\xff\xfe invalid utf8", false},
	}
	for _, tt := range tests {
		err := CheckPasswordPolicy(tt.pw, 8)
		if (err == nil) != tt.want {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want ok=%v", tt.pw, err, tt.want)
		}
		if err != nil && app.CodeOf(err) != app.CodeInvalid {
			t.Errorf("policy error code = %s, want invalid", app.CodeOf(err))
		}
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(2)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHasherReturnsMemoryWhenQuiet: once hashing stops, the hasher frees
// its memory exactly once; while hashes keep coming it waits.
func TestHasherReturnsMemoryWhenQuiet(t *testing.T) {
	h := NewHasher(2)
	freed := make(chan time.Time, 4)
	h.quietFor = 150 * time.Millisecond
	h.freeMemory = func() { freed <- time.Now() }
	ctx := context.Background()
	var last time.Time // when the last hash started: its release came after
	for range 3 {
		last = time.Now()
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case at := <-freed:
		if at.Sub(last) < h.quietFor {
			t.Fatalf("memory freed %v after the last hash, before the quiet period", at.Sub(last))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("memory never freed after hashing stopped")
	}
	select {
	case <-freed:
		t.Fatal("memory freed twice for one quiet period")
	case <-time.After(3 * h.quietFor):
	}
}
