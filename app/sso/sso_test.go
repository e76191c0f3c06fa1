package sso

import (
	"bytes"
	"testing"
	"time"
)

func TestSafeReturnPath(t *testing.T) {
	tests := map[string]string{
		"":                              "/",
		"/":                             "/",
		"/kb/42?tab=history#top":        "/kb/42?tab=history#top",
		"/검색?q=회의":                      "/검색?q=회의",
		"//evil.example/x":              "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"/\\evil.example":               "/",
		"/api/v1/auth/logout":           "/",
		"/ok\r\nSet-Cookie: x=1":        "/",
		"/nul\x00byte":                  "/",
		"kb/relative":                   "/",
		"/" + string(make([]byte, 600)): "/",
	}
	for in, want := range tests {
		if got := SafeReturnPath(in); got != want {
			t.Errorf("SafeReturnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStateCookieIsSealedAndExpires(t *testing.T) {
	s, err := newStateSealer(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	st := &flowState{Provider: "google", State: "state-123", Nonce: "nonce-456", Verifier: "verifier-789",
		RedirectURL: "https://nexus.example.com/api/v1/auth/sso/google/callback", Expires: now.Add(StateTTL).Unix()}
	cookie, err := s.seal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"state-123", "nonce-456", "verifier-789", "google"} {
		if bytes.Contains([]byte(cookie), []byte(secret)) {
			t.Fatalf("cookie shows %q", secret)
		}
	}
	got, err := s.open(cookie, now.Add(9*time.Minute))
	if err != nil || *got != *st {
		t.Fatalf("open = %+v, %v", got, err)
	}
	if _, err := s.open(cookie, now.Add(11*time.Minute)); err == nil {
		t.Fatal("an expired state must not open")
	}
	other, _ := newStateSealer(bytes.Repeat([]byte{4}, 32))
	if _, err := other.open(cookie, now); err == nil {
		t.Fatal("a state sealed with another key must not open")
	}
	for _, bad := range []string{"", "x", cookie[:len(cookie)-2], cookie + "AA"} {
		if _, err := s.open(bad, now); err == nil {
			t.Errorf("malformed cookie %.20q opened", bad)
		}
	}
}

func TestClaimHelpers(t *testing.T) {
	if !domainAllowed("a@Example.com", nil) || !domainAllowed("a@example.com", []string{"@EXAMPLE.com"}) ||
		domainAllowed("a@example.com.evil.org", []string{"example.com"}) || domainAllowed("a@sub.example.com", []string{"example.com"}) {
		t.Fatal("domainAllowed")
	}
	if !isTrue(true) || !isTrue("true") || isTrue("false") || isTrue(nil) || isTrue(1) {
		t.Fatal("isTrue")
	}
	if got := stringList([]any{"a", 1, "b"}); len(got) != 2 || got[1] != "b" {
		t.Fatalf("stringList = %v", got)
	}
	if got := stringList("solo"); len(got) != 1 {
		t.Fatalf("stringList(string) = %v", got)
	}
}

func TestReadClaims(t *testing.T) {
	s := &Service{}
	p := &provider{cfg: Provider{ID: "x", EmailClaim: "mail", NameClaim: "display", GroupsClaim: "roles"}}
	c, f := s.readClaims(p, "sub-1", map[string]any{"mail": " Kim@Example.COM ", "email_verified": "true",
		"display": "  김민지  ", "roles": []any{"eng"}})
	if f != nil || c.email != "kim@example.com" || c.name != "김민지" || len(c.groups) != 1 {
		t.Fatalf("claims = %+v, %v", c, f)
	}
	c, f = s.readClaims(p, "sub-1", map[string]any{"mail": "lee@example.com", "email_verified": true, "preferred_username": "lee"})
	if f != nil || c.name != "lee" {
		t.Fatalf("name fallback = %+v, %v", c, f)
	}
	c, _ = s.readClaims(p, "sub-1", map[string]any{"mail": "park@example.com", "email_verified": true})
	if c.name != "park" {
		t.Fatalf("name from email = %q", c.name)
	}
	if _, f := s.readClaims(p, "sub-1", map[string]any{"mail": "park@example.com"}); f == nil || f.Code != FailEmailUnverified {
		t.Fatalf("missing email_verified: %v", f)
	}
	if _, f := s.readClaims(p, "sub-1", map[string]any{"email_verified": true}); f == nil || f.Code != FailProviderError {
		t.Fatalf("missing email: %v", f)
	}
	if _, f := s.readClaims(p, "", map[string]any{"mail": "park@example.com", "email_verified": true}); f == nil {
		t.Fatal("missing subject accepted")
	}
}
