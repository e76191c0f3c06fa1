package sso

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// StateTTL is how long a started sign-in may take at the provider.
const StateTTL = 10 * time.Minute

// flowState is what the browser carries between start and callback, in the
// nexus_sso cookie: sealed (encrypted and authenticated), so it can be
// neither read nor forged.
type flowState struct {
	Provider    string `json:"p"`
	State       string `json:"s"`
	Nonce       string `json:"n"`
	Verifier    string `json:"v"` // PKCE code verifier
	RedirectURL string `json:"u"`
	ReturnTo    string `json:"r,omitempty"`
	Expires     int64  `json:"e"`
}

type stateSealer struct{ aead cipher.AEAD }

func newStateSealer(master []byte) (*stateSealer, error) {
	if len(master) < 32 {
		return nil, fmt.Errorf("sso state key must be at least 32 bytes, got %d", len(master))
	}
	m := hmac.New(sha256.New, master)
	m.Write([]byte("nexus sso state cookie v1"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, fmt.Errorf("sso state cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sso state cipher: %w", err)
	}
	return &stateSealer{aead: aead}, nil
}

var stateAD = []byte("nexus_sso")

func (s *stateSealer) seal(st *flowState) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode sso state: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("read nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, stateAD)), nil
}

func (s *stateSealer) open(cookie string, now time.Time) (*flowState, error) {
	if cookie == "" || len(cookie) > 4096 {
		return nil, errors.New("no sso state cookie")
	}
	raw, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return nil, errors.New("malformed sso state cookie")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], stateAD)
	if err != nil {
		return nil, errors.New("sso state cookie does not open")
	}
	var st flowState
	if err := json.Unmarshal(plain, &st); err != nil {
		return nil, fmt.Errorf("decode sso state: %w", err)
	}
	if now.Unix() > st.Expires {
		return nil, errors.New("sso state expired")
	}
	return &st, nil
}

// randomToken returns 32 random bytes, URL-safe.
func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
