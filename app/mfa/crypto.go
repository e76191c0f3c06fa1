package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of the MFA key in data/keys: 256 bits.
const KeySize = 32

// keys are the separate keys derived from the MFA key: one seals TOTP
// secrets, the other hashes recovery codes.
type keys struct {
	seal     cipher.AEAD
	recovery []byte
}

func newKeys(master []byte) (*keys, error) {
	if len(master) < KeySize {
		return nil, fmt.Errorf("mfa key must be at least %d bytes, got %d", KeySize, len(master))
	}
	block, err := aes.NewCipher(derive(master, "nexus mfa secret seal v1"))
	if err != nil {
		return nil, fmt.Errorf("mfa cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("mfa cipher: %w", err)
	}
	return &keys{seal: aead, recovery: derive(master, "nexus mfa recovery code v1")}, nil
}

func derive(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// sealSecret encrypts a TOTP secret with AES-256-GCM. The user id is the
// additional data, so a sealed secret copied to another user's row does not
// open.
func (k *keys) sealSecret(userID, secret string) ([]byte, error) {
	nonce := make([]byte, k.seal.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("read nonce: %w", err)
	}
	return k.seal.Seal(nonce, nonce, []byte(secret), []byte(userID)), nil
}

func (k *keys) openSecret(userID string, sealed []byte) (string, error) {
	n := k.seal.NonceSize()
	if len(sealed) < n {
		return "", errors.New("open mfa secret: too short")
	}
	plain, err := k.seal.Open(nil, sealed[:n], sealed[n:], []byte(userID))
	if err != nil {
		return "", fmt.Errorf("open mfa secret: %w", err)
	}
	return string(plain), nil
}

// hashRecoveryCode is the stored form of a recovery code: HMAC-SHA-256 under
// a server key, salted with the user id. Codes carry 60 random bits, so a
// fast hash is enough, and the key means a stolen database alone cannot
// even be searched.
func (k *keys) hashRecoveryCode(userID, code string) []byte {
	m := hmac.New(sha256.New, k.recovery)
	m.Write([]byte(userID))
	m.Write([]byte{0})
	m.Write([]byte(normalizeRecoveryCode(code)))
	return m.Sum(nil)
}

// recoveryAlphabet has no look-alike characters (no 0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Recovery codes are 12 characters from a 31-letter alphabet (about 59
// bits), shown as xxxx-xxxx-xxxx.
const recoveryCodeLen = 12

// RecoveryCodeCount is how many recovery codes a user gets at a time.
const RecoveryCodeCount = 10

func newRecoveryCode() (string, error) {
	var sb strings.Builder
	buf := make([]byte, 32)
	for n := 0; n < recoveryCodeLen; {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read recovery code: %w", err)
		}
		for _, c := range buf {
			// Rejection sampling keeps every letter equally likely.
			if n == recoveryCodeLen || int(c) >= 256/len(recoveryAlphabet)*len(recoveryAlphabet) {
				continue
			}
			if n > 0 && n%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[int(c)%len(recoveryAlphabet)])
			n++
		}
	}
	return sb.String(), nil
}

// normalizeRecoveryCode accepts codes typed with spaces, dashes or capitals.
func normalizeRecoveryCode(code string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(code) {
		if r == '-' || r == ' ' || r == '\t' {
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}
