package mfa

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestMatchStepAcceptsOneStepOfSkew(t *testing.T) {
	key, err := newKey("kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	secret := key.Secret()
	now := time.Date(2025, 3, 1, 9, 0, 10, 0, time.UTC)
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: totpDigits})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		at   time.Time
		want int64
	}{
		{"now", now, timeStep(now)},
		{"previous step", now.Add(-30 * time.Second), timeStep(now) - 1},
		{"next step", now.Add(30 * time.Second), timeStep(now) + 1},
		{"two steps old", now.Add(-60 * time.Second), 0},
		{"two steps ahead", now.Add(60 * time.Second), 0},
	}
	for _, tt := range tests {
		got, err := matchStep(secret, code(tt.at), now)
		if err != nil || got != tt.want {
			t.Errorf("%s: step %d (%v), want %d", tt.name, got, err, tt.want)
		}
	}
	spaced := code(now)[:3] + " " + code(now)[3:]
	for _, bad := range []string{"", "12345", "1234567", "abcdef", "12345a"} {
		if got, _ := matchStep(secret, bad, now); got != 0 {
			t.Errorf("%q matched step %d", bad, got)
		}
	}
	if got, _ := matchStep(secret, spaced, now); got != timeStep(now) {
		t.Errorf("code typed with a space did not match")
	}
}

func TestKeyAndQR(t *testing.T) {
	key, err := newKey("kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if key.Issuer() != "Nexus" || key.AccountName() != "kim@example.com" || len(key.Secret()) != 32 {
		t.Fatalf("key = %s", key.URL())
	}
	qr, err := qrDataURL(key)
	if err != nil || !strings.HasPrefix(qr, "data:image/png;base64,iVBOR") {
		t.Fatalf("qr = %.40q (%v)", qr, err)
	}
}

func TestSecretsAreSealedPerUser(t *testing.T) {
	k, err := newKeys(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.sealSecret("user-a", "JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("secret stored in the clear")
	}
	if got, err := k.openSecret("user-a", sealed); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := k.openSecret("user-b", sealed); err == nil {
		t.Fatal("a secret copied to another user's row must not open")
	}
	other, _ := newKeys(bytes.Repeat([]byte{2}, KeySize))
	if _, err := other.openSecret("user-a", sealed); err == nil {
		t.Fatal("a secret must not open under another key")
	}
	again, _ := k.sealSecret("user-a", "JBSWY3DPEHPK3PXP")
	if bytes.Equal(again, sealed) {
		t.Fatal("sealing twice must use a fresh nonce")
	}
	if _, err := newKeys(make([]byte, 16)); err == nil {
		t.Fatal("a short key must be refused")
	}
}

func TestRecoveryCodes(t *testing.T) {
	k, _ := newKeys(bytes.Repeat([]byte{1}, KeySize))
	seen := map[string]bool{}
	for range 200 {
		c, err := newRecoveryCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 14 || c[4] != '-' || c[9] != '-' {
			t.Fatalf("code %q is not xxxx-xxxx-xxxx", c)
		}
		for _, r := range strings.ReplaceAll(c, "-", "") {
			if !strings.ContainsRune(recoveryAlphabet, r) {
				t.Fatalf("code %q has %q outside the alphabet", c, r)
			}
		}
		if seen[c] {
			t.Fatalf("repeated code %q", c)
		}
		seen[c] = true
	}
	h := k.hashRecoveryCode("user-a", "abcd-efgh-jkmn")
	if !bytes.Equal(h, k.hashRecoveryCode("user-a", " ABCD EFGH-JKMN ")) {
		t.Fatal("codes typed with capitals and spaces must hash the same")
	}
	if bytes.Equal(h, k.hashRecoveryCode("user-b", "abcd-efgh-jkmn")) {
		t.Fatal("the hash must be salted per user")
	}
}
