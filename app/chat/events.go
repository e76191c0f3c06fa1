package chat

import (
	"time"

	"nexus/app"
)

// Resource types of chat events. Channel events go to the channel's
// members; user events only to data.user_id.
const (
	EventResourceChannel = "channel"
	EventResourceUser    = "notification"
)

// Event types (see app/events.go and docs/chat.md).
const (
	EventChannelCreated      = app.EventChannelCreated
	EventChannelUpdated      = app.EventChannelUpdated
	EventChannelArchived     = app.EventChannelArchived
	EventChannelUnarchived   = app.EventChannelUnarchived
	EventMemberAdded         = app.EventMemberAdded
	EventMemberUpdated       = app.EventMemberUpdated
	EventMemberRemoved       = app.EventMemberRemoved
	EventMessageCreated      = app.EventMessageCreated
	EventMessageUpdated      = app.EventMessageUpdated
	EventMessageDeleted      = app.EventMessageDeleted
	EventThreadUpdated       = app.EventThreadUpdated
	EventReactionAdded       = app.EventReactionAdded
	EventReactionRemoved     = app.EventReactionRemoved
	EventPinAdded            = app.EventPinAdded
	EventPinRemoved          = app.EventPinRemoved
	EventReadUpdated         = app.EventReadUpdated
	EventNotificationCreated = app.EventNotificationCreated
	EventNotificationsRead   = app.EventNotificationsRead
	EventPreferencesUpdated  = app.EventChatPrefsUpdated
)

var timeZero time.Time
