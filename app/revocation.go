package app

// Credential revocation events. They tell live connections (the realtime
// gateway) to re-check their user at once instead of at the next periodic
// check, so a sign-out or a revoked token ends open sockets immediately.
const (
	EventSessionRevoked = "session.revoked"
	EventTokenRevoked   = "token.revoked"
)

// SessionsRevoked is the event for sessions of userID that just ended.
func SessionsRevoked(userID string, sessionIDs ...string) Event {
	id := ""
	if len(sessionIDs) == 1 {
		id = sessionIDs[0]
	}
	return Event{Type: EventSessionRevoked, ResourceType: "session", ResourceID: id,
		Data: map[string]any{"user_id": userID, "session_ids": sessionIDs}}
}

// TokenRevoked is the event for a personal access token of userID that was
// just revoked.
func TokenRevoked(userID, tokenID string) Event {
	return Event{Type: EventTokenRevoked, ResourceType: "token", ResourceID: tokenID,
		Data: map[string]any{"user_id": userID}}
}
