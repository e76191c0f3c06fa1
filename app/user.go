package app

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is a user's global role. Resource roles (viewer, editor, manager) are
// separate and come with the modules that have memberships.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleGuest  Role = "guest"
)

// Roles lists every global role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleMember, RoleGuest}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Invalid("role", "Role must be one of owner, admin, member, guest.")
}

// UserStatus says whether a user may sign in.
type UserStatus string

const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// User is a person with an account.
type User struct {
	ID           string
	Email        string
	Name         string
	Role         Role
	Status       UserStatus
	PasswordHash string
	Language     string // "en", "ko", or empty for "follow the browser"
	Timezone     string // IANA name, or empty for "follow the browser"
	// AvatarUpdatedAt is when the avatar was last set; zero means none.
	AvatarUpdatedAt time.Time
	LastSeenAt      time.Time
	// DeletedAt is set when the account was deleted. The row stays so that
	// what the person wrote keeps an author ("deleted user").
	DeletedAt  time.Time
	MFAEnabled bool
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Deleted reports whether the account was deleted.
func (u *User) Deleted() bool { return !u.DeletedAt.IsZero() }

// Limits on user fields. Names are counted in characters, not bytes, so a
// Korean name gets the same room as an English one.
const (
	MaxEmailLength = 254
	MaxNameLength  = 100
)

// NormalizeEmail trims and lower-cases an address and checks that it is a
// plain address (no display name, exactly one @, a dotted or local domain).
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", Invalid("email", "Email is required.")
	}
	if len(s) > MaxEmailLength {
		return "", Invalid("email", "Email is too long.")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", Invalid("email", "Enter a valid email address, like name@example.com.")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n") {
		return "", Invalid("email", "Enter a valid email address, like name@example.com.")
	}
	return s, nil
}

// NormalizeName trims a display name and rejects empty, overlong or
// control-character names.
func NormalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("name", "Name is required.")
	}
	if !utf8.ValidString(s) {
		return "", Invalid("name", "Name must be valid UTF-8 text.")
	}
	if utf8.RuneCountInString(s) > MaxNameLength {
		return "", Invalid("name", "Name is too long (at most 100 characters).")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", Invalid("name", "Name must not contain control characters.")
		}
	}
	return s, nil
}
