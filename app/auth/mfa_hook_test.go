package auth

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMFATokens(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tokens, err := NewTokens(bytes.Repeat([]byte{5}, 32), 15*time.Minute, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokens.signMFA("user-1", "sso:google", true, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tokens.verifyMFA(tok, now.Add(4*time.Minute))
	if err != nil || c.Subject != "user-1" || c.Via != "sso:google" || !c.Trusted {
		t.Fatalf("verify = %+v, %v", c, err)
	}
	if _, err := tokens.verifyMFA(tok, now.Add(mfaTokenTTL+clockLeeway+time.Second)); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Fatalf("expired token: %v, want ErrTokenExpired", err)
	}

	// Neither kind of token stands in for the other.
	access, _ := tokens.IssueAccess("user-1", "session-1", now)
	if _, err := tokens.verifyMFA(access, now); err == nil {
		t.Fatal("an access token was accepted as an MFA token")
	}
	if _, err := tokens.VerifyAccess(tok); err == nil {
		t.Fatal("an MFA token was accepted as an access token")
	}
	other, _ := NewTokens(bytes.Repeat([]byte{6}, 32), 15*time.Minute, time.Now)
	if _, err := other.verifyMFA(tok, now); err == nil {
		t.Fatal("an MFA token verified under another signing key")
	}
	bad, _ := tokens.signMFA("user-1", "magic", false, now)
	if _, err := tokens.verifyMFA(bad, now); err == nil {
		t.Fatal("an unknown first factor was accepted")
	}
}
