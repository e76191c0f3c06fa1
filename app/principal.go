package app

// Principal is the authenticated actor of a request: who they are and what
// credential they used. Every permission check takes one.
type Principal struct {
	User User
	// SessionID is the sign-in session of an access token; empty for a
	// personal access token.
	SessionID string
	// TokenID is the personal access token used; empty for a session.
	TokenID string
	// Scopes limit what a personal access token may do. A session has every
	// scope its user's role allows.
	Scopes []Scope
	// MFAEnrollmentRequired is set while an administrator requires MFA and
	// the user has not enrolled yet: until they do, the session may only
	// enrol, read its own account and sign out.
	MFAEnrollmentRequired bool
}

// Scope is what a personal access token is allowed to do.
type Scope string

const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// HasScope reports whether the principal's credential carries scope. A
// session (no token) carries them all; the role still decides.
func (p *Principal) HasScope(s Scope) bool {
	if p.TokenID == "" {
		return true
	}
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// Operator is the principal of someone running the nexus command on the
// server itself. Whoever can read the data directory already holds every
// right, so the operator acts as an owner; audit rows name them "cli".
func Operator() *Principal {
	return &Principal{User: User{Name: "Operator (command line)", Email: "cli", Role: RoleOwner, Status: UserActive}}
}
