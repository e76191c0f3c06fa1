package chat

import (
	"fmt"
	"time"
)

// The JSON shapes of chat: the API returns them and the outbox events
// carry them, so a live update and a fetch look the same (docs/chat.md).

// UserJSON names a user.
type UserJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email,omitempty"`
	AvatarURL string `json:"avatar_url,omitempty"`
	Deleted   bool   `json:"deleted,omitempty"`
}

// ToUserJSON converts a UserRef.
func ToUserJSON(u UserRef) UserJSON {
	j := UserJSON{ID: u.ID, Name: u.Name, Email: u.Email, Deleted: u.Deleted}
	if u.Deleted {
		j.Name, j.Email = "Deleted user", ""
	}
	if !u.AvatarUpdatedAt.IsZero() && !u.Deleted {
		j.AvatarURL = fmt.Sprintf("/api/v1/users/%s/avatar?v=%d", u.ID, u.AvatarUpdatedAt.Unix())
	}
	return j
}

// ReactionJSON sums up one emoji on a message.
type ReactionJSON struct {
	Emoji string     `json:"emoji"`
	Count int        `json:"count"`
	Me    bool       `json:"me"`
	Users []UserJSON `json:"users"`
}

// AttachmentJSON is a file on a message.
type AttachmentJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	HasThumbnail bool      `json:"has_thumbnail"`
	URL          string    `json:"url"`
	CreatedAt    time.Time `json:"created_at"`
}

// PreviewJSON is a knowledge-base document card.
type PreviewJSON struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Excerpt   string `json:"excerpt"`
	SpaceName string `json:"space_name"`
	URL       string `json:"url"`
}

// MessageJSON is a message on the wire.
type MessageJSON struct {
	ID                 string           `json:"id"`
	ChannelID          string           `json:"channel_id"`
	Seq                int64            `json:"seq"`
	ParentID           *string          `json:"parent_id"`
	Author             UserJSON         `json:"author"`
	Body               string           `json:"body"`
	HTML               string           `json:"html"`
	CreatedAt          time.Time        `json:"created_at"`
	EditedAt           *time.Time       `json:"edited_at"`
	DeletedAt          *time.Time       `json:"deleted_at"`
	Deleted            bool             `json:"deleted"`
	PromotedDocumentID *string          `json:"promoted_document_id"`
	Mentions           []string         `json:"mentions"`
	MentionsChannel    bool             `json:"mentions_channel"`
	MentionsHere       bool             `json:"mentions_here"`
	ReplyCount         int              `json:"reply_count"`
	LastReplyAt        *time.Time       `json:"last_reply_at"`
	Participants       []UserJSON       `json:"participants"`
	PinnedAt           *time.Time       `json:"pinned_at"`
	PinnedBy           *string          `json:"pinned_by"`
	Reactions          []ReactionJSON   `json:"reactions"`
	Attachments        []AttachmentJSON `json:"attachments"`
	// HasPreviews is set when the message links documents: previews are
	// per reader (each sees only documents they may open), so events carry
	// only this flag and the UI fetches GET /messages/{id}.
	HasPreviews bool          `json:"has_previews"`
	Previews    []PreviewJSON `json:"previews"`
	// Following is set on thread roots with replies.
	Following *bool `json:"following,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ToMessageJSON converts a message view; a deleted message keeps only
// its place (id, seq, author, times, thread counts).
func ToMessageJSON(v *MessageView) MessageJSON {
	m := &v.Message
	j := MessageJSON{ID: m.ID, ChannelID: m.ChannelID, Seq: m.Seq, ParentID: optString(m.ParentID), Author: ToUserJSON(m.Author),
		Body: m.Body, HTML: m.HTML, CreatedAt: m.CreatedAt.UTC(), EditedAt: optTime(m.EditedAt), DeletedAt: optTime(m.DeletedAt),
		Deleted: m.Deleted(), PromotedDocumentID: optString(m.PromotedDocumentID), Mentions: m.Mentions,
		MentionsChannel: m.MentionsAll&MentionsChannelBit != 0, MentionsHere: m.MentionsAll&MentionsHereBit != 0,
		ReplyCount: m.ReplyCount, LastReplyAt: optTime(m.LastReplyAt), PinnedAt: optTime(m.PinnedAt), PinnedBy: optString(m.PinnedBy),
		HasPreviews: len(m.DocLinks) > 0, Reactions: []ReactionJSON{}, Attachments: []AttachmentJSON{}, Previews: []PreviewJSON{},
		Participants: []UserJSON{}, Following: v.Following}
	if j.Mentions == nil {
		j.Mentions = []string{}
	}
	for _, u := range v.Participants {
		j.Participants = append(j.Participants, ToUserJSON(u))
	}
	if m.Deleted() {
		j.Body, j.HTML, j.Mentions, j.HasPreviews = "", "", []string{}, false
		j.MentionsChannel, j.MentionsHere, j.PinnedAt, j.PinnedBy = false, false, nil, nil
		return j
	}
	for _, r := range v.Reactions {
		rj := ReactionJSON{Emoji: r.Emoji, Count: len(r.Users), Me: r.Me, Users: make([]UserJSON, 0, len(r.Users))}
		for _, u := range r.Users {
			rj.Users = append(rj.Users, ToUserJSON(u))
		}
		j.Reactions = append(j.Reactions, rj)
	}
	for _, a := range v.Attachments {
		j.Attachments = append(j.Attachments, AttachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
			HasThumbnail: a.HasThumb, URL: "/api/v1/attachments/" + a.ID + "/content", CreatedAt: a.CreatedAt.UTC()})
	}
	for _, p := range v.Previews {
		j.Previews = append(j.Previews, PreviewJSON(p))
	}
	return j
}

// NotificationJSON is a notification on the wire.
type NotificationJSON struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	ChannelID   *string    `json:"channel_id"`
	ChannelName string     `json:"channel_name"`
	ChannelKind string     `json:"channel_kind"`
	MessageID   *string    `json:"message_id"`
	ParentID    *string    `json:"parent_id"`
	Seq         int64      `json:"seq"`
	Actor       *UserJSON  `json:"actor"`
	Excerpt     string     `json:"excerpt"`
	CreatedAt   time.Time  `json:"created_at"`
	ReadAt      *time.Time `json:"read_at"`
}

// ToNotificationJSON converts a notification.
func ToNotificationJSON(n *Notification) NotificationJSON {
	j := NotificationJSON{ID: n.ID, Kind: n.Kind, ChannelID: optString(n.ChannelID), ChannelName: n.ChannelName,
		ChannelKind: n.ChannelKind, MessageID: optString(n.MessageID), ParentID: optString(n.ParentID), Seq: n.Seq,
		Excerpt: n.Excerpt, CreatedAt: n.CreatedAt.UTC(), ReadAt: optTime(n.ReadAt)}
	if n.ActorID != "" {
		a := ToUserJSON(n.Actor)
		if a.ID == "" {
			a.ID = n.ActorID
		}
		j.Actor = &a
	}
	return j
}
