package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	tokenIssuer   = "nexus"
	tokenAudience = "nexus-api"
	// clockLeeway tolerates small clock differences between the machine that
	// issued a token and the one checking it (they are the same today).
	clockLeeway = 5 * time.Second
)

// AccessClaims are the claims of an access token.
type AccessClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies short-lived access tokens (JWT, HS256) and
// signs device cookies. The keys come from data/keys.
type Tokens struct {
	signingKey []byte
	deviceKey  []byte
	ttl        time.Duration
	parser     *jwt.Parser
}

// NewTokens derives separate keys for each use from the signing key, so a
// device cookie can never be replayed as an access token or the reverse.
func NewTokens(signingKey []byte, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(signingKey) < 32 {
		return nil, fmt.Errorf("new tokens: signing key must be at least 32 bytes, got %d", len(signingKey))
	}
	return &Tokens{
		signingKey: deriveKey(signingKey, "nexus access token v1"),
		deviceKey:  deriveKey(signingKey, "nexus device cookie v1"),
		ttl:        ttl,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(tokenIssuer),
			jwt.WithAudience(tokenAudience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(clockLeeway),
			jwt.WithTimeFunc(now),
		),
	}, nil
}

func deriveKey(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// TTL is how long an access token lives.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// IssueAccess signs an access token for a user's session.
func (t *Tokens) IssueAccess(userID, sessionID string, now time.Time) (string, error) {
	claims := AccessClaims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{tokenAudience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.signingKey)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// VerifyAccess checks signature, algorithm, issuer, audience, expiry and
// not-before, and returns the claims.
func (t *Tokens) VerifyAccess(token string) (*AccessClaims, error) {
	var claims AccessClaims
	_, err := t.parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.signingKey, nil })
	if err != nil {
		return nil, fmt.Errorf("verify access token: %w", err)
	}
	if claims.Subject == "" || claims.SessionID == "" {
		return nil, errors.New("verify access token: missing subject or session")
	}
	return &claims, nil
}

// NewOpaqueToken returns a random token with 256 bits of entropy, encoded for
// cookies and URLs, and the SHA-256 hash under which it is stored. A fast
// hash is right here: the token is random, not a guessable password.
func NewOpaqueToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("read random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashOpaqueToken(token), nil
}

// HashOpaqueToken is the storage hash of an opaque token.
func HashOpaqueToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// SignDevice returns a device cookie value that binds a random device id to a
// user. A sign-in that carries it is trusted to be the account's own device,
// so strangers' failed attempts on the account cannot lock it out.
func (t *Tokens) SignDevice(userID string) (string, error) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return "", fmt.Errorf("read device id: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(id) + ":" + userID
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + t.deviceMAC(payload), nil
}

// VerifyDevice returns the device id and user id of a valid device cookie.
func (t *Tokens) VerifyDevice(cookie string) (deviceID, userID string, ok bool) {
	enc, mac, found := strings.Cut(cookie, ".")
	if !found || len(cookie) > 512 {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", "", false
	}
	payload := string(raw)
	if !hmac.Equal([]byte(mac), []byte(t.deviceMAC(payload))) {
		return "", "", false
	}
	deviceID, userID, found = strings.Cut(payload, ":")
	if !found || deviceID == "" || userID == "" {
		return "", "", false
	}
	return deviceID, userID, true
}

func (t *Tokens) deviceMAC(payload string) string {
	m := hmac.New(sha256.New, t.deviceKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
