package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SecondFactor checks the second sign-in step. app/mfa implements it.
type SecondFactor interface {
	// VerifyCode checks code for the user by method ("totp" or
	// "recovery_code") and, when it is right, spends it inside tx, so a code
	// is accepted once even when two requests race. It writes nothing when
	// the code is wrong.
	VerifyCode(ctx context.Context, tx Tx, userID, method, code string) (CodeCheck, error)
}

// CodeCheck is the outcome of a second-factor check.
type CodeCheck int

const (
	CodeWrong    CodeCheck = iota // not a valid code
	CodeAccepted                  // valid, and now spent
	CodeReused                    // a TOTP code whose time step was already used
)

// Second-factor methods.
const (
	MethodTOTP         = "totp"
	MethodRecoveryCode = "recovery_code"
)

// MFAHooks connect sign-in to the MFA module and to the security settings,
// which are built after the auth service.
type MFAHooks struct {
	SecondFactor SecondFactor
	// PasswordLogin reports whether password sign-in is on (the security
	// setting). Nil means always on.
	PasswordLogin func(ctx context.Context) (bool, error)
}

// SetMFAHooks installs the hooks; call it once while wiring, before serving.
func (s *Service) SetMFAHooks(h MFAHooks) { s.mfa = h }

// mfaTokenTTL is how long the password step's answer lets the client
// finish signing in with a second factor.
const mfaTokenTTL = 5 * time.Minute

const mfaTokenAudience = "nexus-mfa"

// mfaClaims are the claims of the token that carries a sign-in from the
// first factor (password or SSO) to the second.
type mfaClaims struct {
	// Via is the first factor: "password" or "sso:<provider id>".
	Via string `json:"via"`
	// Trusted records that the first step came from a device the account
	// had signed in on (see Limiter); the device cookie is then kept.
	Trusted bool `json:"trusted,omitempty"`
	jwt.RegisteredClaims
}

// mfaKey is separate from the access-token key, so neither token can
// stand in for the other.
func (t *Tokens) mfaKey() []byte { return deriveKey(t.signingKey, "nexus mfa token v1") }

// signMFA issues the short-lived token that names the user waiting for a
// second factor.
func (t *Tokens) signMFA(userID, via string, trusted bool, now time.Time) (string, error) {
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", fmt.Errorf("read mfa token id: %w", err)
	}
	claims := mfaClaims{Via: via, Trusted: trusted, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: tokenIssuer, Subject: userID, Audience: jwt.ClaimStrings{mfaTokenAudience},
		ID: base64.RawURLEncoding.EncodeToString(jti), IssuedAt: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(mfaTokenTTL)),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.mfaKey())
	if err != nil {
		return "", fmt.Errorf("sign mfa token: %w", err)
	}
	return s, nil
}

// verifyMFA checks an MFA token's signature, audience and expiry.
func (t *Tokens) verifyMFA(token string, now time.Time) (*mfaClaims, error) {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(mfaTokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(clockLeeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var claims mfaClaims
	if _, err := p.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.mfaKey(), nil }); err != nil {
		return nil, fmt.Errorf("verify mfa token: %w", err)
	}
	if claims.Subject == "" || (claims.Via != viaPassword && !strings.HasPrefix(claims.Via, viaSSOPrefix)) {
		return nil, errors.New("verify mfa token: missing subject or first factor")
	}
	return &claims, nil
}

const (
	viaPassword  = "password"
	viaSSOPrefix = "sso:"
)
