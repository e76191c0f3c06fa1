package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func testTokens(t testing.TB, now func() time.Time) *Tokens {
	t.Helper()
	tk, err := NewTokens([]byte(strings.Repeat("k", 32)), 15*time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestAccessTokenRoundTrip(t *testing.T) {
	now := time.Now()
	tk := testTokens(t, func() time.Time { return now })
	s, err := tk.IssueAccess("user-1", "sess-1", now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.VerifyAccess(s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "user-1" || c.SessionID != "sess-1" || c.Issuer != tokenIssuer {
		t.Fatalf("claims = %+v", c)
	}
	if got := c.ExpiresAt.Sub(c.IssuedAt.Time); got != 15*time.Minute {
		t.Fatalf("lifetime = %v, want 15m", got)
	}
}

func TestAccessTokenRejections(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	tk := testTokens(t, clock)
	valid, _ := tk.IssueAccess("user-1", "sess-1", now)

	other, _ := NewTokens([]byte(strings.Repeat("o", 32)), 15*time.Minute, clock)
	forged, _ := other.IssueAccess("user-1", "sess-1", now)

	sign := func(method jwt.SigningMethod, key any, claims jwt.Claims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := func() AccessClaims {
		return AccessClaims{SessionID: "sess-1", RegisteredClaims: jwt.RegisteredClaims{
			Issuer: tokenIssuer, Subject: "user-1", Audience: jwt.ClaimStrings{tokenAudience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))}}
	}
	none := base()
	noneToken := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, none)
	hs512 := sign(jwt.SigningMethodHS512, tk.signingKey, base())
	expired := base()
	expired.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute))
	notYet := base()
	notYet.NotBefore = jwt.NewNumericDate(now.Add(time.Minute))
	wrongAud := base()
	wrongAud.Audience = jwt.ClaimStrings{"someone-else"}
	wrongIss := base()
	wrongIss.Issuer = "evil"
	noExp := base()
	noExp.ExpiresAt = nil
	noSession := base()
	noSession.SessionID = ""

	tests := map[string]string{
		"forged signature":   forged,
		"alg none":           noneToken,
		"alg HS512":          hs512,
		"expired":            sign(jwt.SigningMethodHS256, tk.signingKey, expired),
		"not yet valid":      sign(jwt.SigningMethodHS256, tk.signingKey, notYet),
		"wrong audience":     sign(jwt.SigningMethodHS256, tk.signingKey, wrongAud),
		"wrong issuer":       sign(jwt.SigningMethodHS256, tk.signingKey, wrongIss),
		"no expiry":          sign(jwt.SigningMethodHS256, tk.signingKey, noExp),
		"no session":         sign(jwt.SigningMethodHS256, tk.signingKey, noSession),
		"garbage":            "not.a.token",
		"tampered payload":   valid[:len(valid)-3] + "abc",
		"device key as HMAC": sign(jwt.SigningMethodHS256, tk.deviceKey, base()),
	}
	for name, token := range tests {
		if _, err := tk.VerifyAccess(token); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := tk.VerifyAccess(valid); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
}

func TestDeviceCookie(t *testing.T) {
	tk := testTokens(t, time.Now)
	c, err := tk.SignDevice("user-1")
	if err != nil {
		t.Fatal(err)
	}
	dev, user, ok := tk.VerifyDevice(c)
	if !ok || user != "user-1" || dev == "" {
		t.Fatalf("VerifyDevice = %q %q %v", dev, user, ok)
	}
	c2, _ := tk.SignDevice("user-1")
	if d2, _, _ := tk.VerifyDevice(c2); d2 == dev {
		t.Fatal("two devices got the same id")
	}
	other := testTokens(t, time.Now)
	other.deviceKey = []byte("another key, another installation")
	for _, bad := range []string{"", "x.y", c + "x", strings.Replace(c, ".", "x.", 1)} {
		if _, _, ok := tk.VerifyDevice(bad); ok {
			t.Errorf("VerifyDevice(%q) accepted", bad)
		}
	}
	if _, _, ok := other.VerifyDevice(c); ok {
		t.Error("a cookie signed with another key was accepted")
	}
}

func BenchmarkVerifyAccess(b *testing.B) {
	now := time.Now()
	tk := testTokens(b, func() time.Time { return now })
	s, _ := tk.IssueAccess("01a215f0-7453-7d5b-b9fb-ab30879b65b1", "01a215f0-7454-71e7-a6b7-864673046295", now)
	for b.Loop() {
		if _, err := tk.VerifyAccess(s); err != nil {
			b.Fatal(err)
		}
	}
}
