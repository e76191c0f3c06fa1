package chat

import (
	"context"

	"nexus/app"
)

// Realtime delivery rules (the gateway asks them per connection per
// event, so they read the in-memory member sets, never a grant query):
//
//   - channel events (resource_type "channel") go to the channel's members
//     right now — not to organisation members who merely could open a
//     public channel, and not to owners and admins outside a private
//     channel or DM; member.removed also reaches the removed user, so their
//     client can drop the channel;
//   - user events (resource_type "notification") go only to data.user_id;
//   - typing frames are checked by the gateway against the same channel
//     rule (a probe event of type "typing"), so only members type and only
//     members see it.

// CanSeeChannelEvent reports whether userID receives an event of type typ
// about channelID.
func (s *Service) CanSeeChannelEvent(ctx context.Context, userID, channelID, typ string, data map[string]any) (bool, error) {
	if userID == "" || channelID == "" {
		return false, nil
	}
	if typ == EventMemberRemoved {
		if uid, _ := data["user_id"].(string); uid == userID {
			return true, nil
		}
	}
	return s.members.isMember(ctx, channelID, userID)
}

// ChannelAudience names everyone a channel event can concern: its members,
// plus the removed user of a member.removed. The gateway then checks
// visibility for those users only, not for every connection.
func (s *Service) ChannelAudience(ctx context.Context, e app.Event) ([]string, bool) {
	ids, err := s.members.memberIDs(ctx, e.ResourceID)
	if err != nil {
		return nil, false // unknown: let the gateway check everyone
	}
	if e.Type == EventMemberRemoved {
		if uid, _ := e.Data["user_id"].(string); uid != "" {
			ids = append(ids, uid)
		}
	}
	return ids, true
}

// CanSeeUserEvent reports whether userID receives a user event.
func CanSeeUserEvent(userID string, data map[string]any) bool {
	uid, _ := data["user_id"].(string)
	return userID != "" && uid == userID
}
