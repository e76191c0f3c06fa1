package app

// Principal is the authenticated actor of a request: who they are and what
// credential they used. Every permission check takes one.
type Principal struct {
	User      User
	SessionID string // the sign-in session the access token belongs to
}
