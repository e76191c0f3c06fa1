package mfa

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: the defaults every authenticator app understands
// (RFC 6238 with SHA-1, six digits, 30-second steps).
const (
	Issuer      = "Nexus"
	totpPeriod  = 30
	totpDigits  = otp.DigitsSix
	totpSkew    = 1 // steps accepted either side of now, for clock drift
	secretBytes = 20
	qrSize      = 256
)

var hotpOpts = hotp.ValidateOpts{Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}

// newKey makes a random TOTP key for an account.
func newKey(accountName string) (*otp.Key, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: Issuer, AccountName: accountName, Period: totpPeriod,
		SecretSize: secretBytes, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("generate totp key: %w", err)
	}
	return key, nil
}

// qrDataURL renders the key's otpauth URI as a PNG QR code in a data: URL.
func qrDataURL(key *otp.Key) (string, error) {
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return "", fmt.Errorf("render qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("encode qr code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// timeStep is the TOTP counter at t.
func timeStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// matchStep returns the time step (within the skew around now) whose code
// is code, or 0 when none is. Every candidate is computed and compared in
// constant time.
func matchStep(secret, code string, now time.Time) (int64, error) {
	code = normalizeTOTPCode(code)
	if len(code) != totpDigits.Length() {
		return 0, nil
	}
	cur := timeStep(now)
	var found int64
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotpOpts)
		if err != nil {
			return 0, fmt.Errorf("compute totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step
		}
	}
	return found, nil
}

// normalizeTOTPCode accepts codes typed with spaces ("123 456").
func normalizeTOTPCode(code string) string {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	for _, r := range code {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return code
}
