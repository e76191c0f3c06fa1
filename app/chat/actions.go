package chat

import (
	"context"
	"strings"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
)

// React toggles p's reaction with emoji on a message; added says whether
// it is now there.
func (s *Service) React(ctx context.Context, p *app.Principal, messageID, emoji string) (added bool, err error) {
	emoji = strings.TrimSpace(emoji)
	if !ValidEmoji(emoji) {
		return false, app.Invalid("emoji", "Use one emoji or a :shortcode:.")
	}
	m, acc, err := s.messageFor(ctx, p, messageID, authz.Comment, true)
	if err != nil {
		return false, err
	}
	if m.Deleted() {
		return false, &app.Error{Code: app.CodeConflict, Message: "That message was deleted.", Details: map[string]any{"reason": "deleted"}}
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		var err error
		if added, err = tx.ToggleMessageReaction(ctx, Reaction{MessageID: messageID, Emoji: emoji, UserID: p.User.ID, CreatedAt: tx.Now()}); err != nil {
			return err
		}
		typ := EventReactionRemoved
		if added {
			typ = EventReactionAdded
		}
		return tx.AppendEvent(ctx, channelEvent(typ, acc.ch, map[string]any{"message_id": messageID, "parent_id": optString(m.ParentID),
			"emoji": emoji, "user_id": p.User.ID, "user": ToUserJSON(userRefOf(&p.User))}))
	})
	return added, err
}

// Reactions lists who reacted to a message, grouped by emoji in the order
// first used.
func (s *Service) Reactions(ctx context.Context, p *app.Principal, messageID string) ([]ReactionGroup, error) {
	v, err := s.GetMessage(ctx, p, messageID)
	if err != nil {
		return nil, err
	}
	if v.Deleted() {
		return []ReactionGroup{}, nil
	}
	return v.Reactions, nil
}

// SetPinned pins or unpins a message (any member).
func (s *Service) SetPinned(ctx context.Context, p *app.Principal, messageID string, pinned bool) (*MessageView, error) {
	m, acc, err := s.messageFor(ctx, p, messageID, authz.Comment, true)
	if err != nil {
		return nil, err
	}
	if m.Deleted() {
		return nil, &app.Error{Code: app.CodeConflict, Message: "That message was deleted.", Details: map[string]any{"reason": "deleted"}}
	}
	if m.PinnedAt.IsZero() == pinned { // a change
		err = s.store.Update(ctx, func(tx Tx) error {
			by, typ := "", EventPinRemoved
			at := timeZero
			if pinned {
				by, typ, at = p.User.ID, EventPinAdded, tx.Now()
			}
			if err := tx.SetMessagePinned(ctx, messageID, by, at); err != nil {
				return err
			}
			return tx.AppendEvent(ctx, channelEvent(typ, acc.ch, map[string]any{"message_id": messageID, "by": p.User.ID,
				"pinned_at": optTime(at)}))
		})
		if err != nil {
			return nil, err
		}
	}
	return s.GetMessage(ctx, p, messageID)
}

// Pins lists a channel's pinned messages, most recently pinned first.
func (s *Service) Pins(ctx context.Context, p *app.Principal, channelID string) ([]*MessageView, error) {
	if _, err := s.channelFor(ctx, p, channelID, authz.View); err != nil {
		return nil, err
	}
	msgs, err := s.store.FindPinnedMessages(ctx, channelID)
	if err != nil {
		return nil, err
	}
	out := make([]*MessageView, len(msgs))
	for i := range msgs {
		out[i] = &MessageView{Message: msgs[i]}
	}
	return out, s.decorate(ctx, p, out)
}

// Follow follows or unfollows a thread (a root, or any reply of it).
func (s *Service) Follow(ctx context.Context, p *app.Principal, messageID string, follow bool) error {
	m, _, err := s.messageFor(ctx, p, messageID, authz.View, false)
	if err != nil {
		return err
	}
	root := m.ID
	if m.ParentID != "" {
		root = m.ParentID
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.FollowThread(ctx, root, p.User.ID, follow, false); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(EventPreferencesUpdated, p.User.ID, map[string]any{"channel_id": m.ChannelID,
			"root_id": root, "following": follow}))
	})
}

// MarkRead moves p's read position in a channel forward to seq (never
// back, so an older tab cannot undo a newer one's progress); 0 or a seq
// past the end means "everything". It returns the read state after.
func (s *Service) MarkRead(ctx context.Context, p *app.Principal, channelID string, seq int64) (*Unread, error) {
	if seq < 0 {
		return nil, app.Invalid("seq", "seq must not be negative.")
	}
	acc, err := s.channelFor(ctx, p, channelID, authz.View)
	if err != nil {
		return nil, err
	}
	if acc.member == nil {
		return nil, errNotMember()
	}
	var read int64
	var lastSeq int64
	err = s.store.Update(ctx, func(tx Tx) error {
		ch, err := tx.FindChannelByID(ctx, channelID)
		if err != nil {
			return err
		}
		lastSeq = ch.LastSeq
		target := seq
		if target == 0 || target > ch.LastSeq {
			target = ch.LastSeq
		}
		before := acc.member.LastReadSeq
		if read, err = tx.SetMemberRead(ctx, channelID, p.User.ID, target); err != nil {
			return err
		}
		if read == before {
			return nil
		}
		return tx.AppendEvent(ctx, userEvent(EventReadUpdated, p.User.ID, map[string]any{"channel_id": channelID,
			"last_read_seq": read}))
	})
	if err != nil {
		return nil, err
	}
	first, err := s.store.FindFirstUnreadSeq(ctx, channelID, p.User.ID, read)
	if err != nil {
		return nil, err
	}
	return &Unread{ChannelID: channelID, Kind: acc.ch.Kind, LastSeq: lastSeq, LastReadSeq: read, FirstUnreadSeq: first,
		Muted: acc.member.Muted}, nil
}

// MarkUnread moves p's read position back to just before a channel
// message ("mark as unread" in Slack and Mattermost): it and every later
// message count as unread again, and its mentions count again. Thread
// replies are not on the channel's read line; mark the thread's first
// message instead.
func (s *Service) MarkUnread(ctx context.Context, p *app.Principal, messageID string) (*Unread, error) {
	m, acc, err := s.messageFor(ctx, p, messageID, authz.View, false)
	if err != nil {
		return nil, err
	}
	if acc.member == nil {
		return nil, errNotMember()
	}
	if m.ParentID != "" {
		return nil, app.Invalid("id", "A thread reply cannot be marked unread; mark the thread's first message instead.")
	}
	target := m.Seq - 1
	err = s.store.Update(ctx, func(tx Tx) error {
		before, err := tx.FindChannelMember(ctx, m.ChannelID, p.User.ID)
		if err != nil {
			return err
		}
		if before == nil {
			return errNotMember()
		}
		if before.LastReadSeq == target {
			return nil
		}
		if err := tx.SetMemberReadTo(ctx, m.ChannelID, p.User.ID, target); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(EventReadUpdated, p.User.ID, map[string]any{"channel_id": m.ChannelID,
			"last_read_seq": target}))
	})
	if err != nil {
		return nil, err
	}
	states, err := s.store.FindChatUnread(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range states {
		if u.ChannelID == m.ChannelID {
			return &u, nil
		}
	}
	return &Unread{ChannelID: m.ChannelID, Kind: acc.ch.Kind, LastSeq: acc.ch.LastSeq, LastReadSeq: target, Muted: acc.member.Muted}, nil
}

// Unread is the read state of every channel and DM p is a member of
// (archived channels aside), in one query.
func (s *Service) Unread(ctx context.Context, p *app.Principal) ([]Unread, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	return s.store.FindChatUnread(ctx, p.User.ID)
}

// MaxDocumentTitle bounds a promoted document's title.
const MaxDocumentTitle = 200

// Promote turns a message into a knowledge-base document in spaceID. The
// document links back to the message, and the message keeps the
// document's ID. The knowledge base checks that p may write in the space.
func (s *Service) Promote(ctx context.Context, p *app.Principal, messageID, spaceID, title string) (*MessageView, error) {
	creator, _, _ := s.documents()
	if creator == nil {
		return nil, &app.Error{Code: app.CodeConflict, Message: "The knowledge base is not available."}
	}
	if strings.TrimSpace(spaceID) == "" {
		return nil, app.Invalid("space_id", "space_id is required.")
	}
	m, acc, err := s.messageFor(ctx, p, messageID, authz.View, false)
	if err != nil {
		return nil, err
	}
	if m.Deleted() {
		return nil, &app.Error{Code: app.CodeConflict, Message: "That message was deleted.", Details: map[string]any{"reason": "deleted"}}
	}
	if m.PromotedDocumentID != "" {
		return nil, &app.Error{Code: app.CodeConflict, Message: "This message is already a document.",
			Details: map[string]any{"reason": "promoted", "document_id": m.PromotedDocumentID}}
	}
	title = strings.TrimSpace(title)
	if title == "" {
		title = Excerpt(m.Body)
		if r := []rune(title); len(r) > 80 {
			title = string(r[:80])
		}
	}
	if title == "" {
		return nil, app.Invalid("title", "title is required.")
	}
	if utf8.RuneCountInString(title) > MaxDocumentTitle {
		return nil, app.Invalid("title", "The title is too long.").WithDetail("max", MaxDocumentTitle)
	}
	// The knowledge base ends the document with the link back.
	docID, err := creator.CreateFromMessage(ctx, p, spaceID, title, m.Body, PermalinkPath(m.ChannelID, m.ID))
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetMessagePromoted(ctx, messageID, docID); err != nil {
			return err
		}
		cur, err := tx.FindMessageByID(ctx, messageID)
		if err != nil {
			return err
		}
		return tx.AppendEvent(ctx, channelEvent(EventMessageUpdated, acc.ch, map[string]any{
			"message": ToMessageJSON(&MessageView{Message: *cur})}))
	})
	if err != nil {
		s.log.ErrorContext(ctx, "promote: document created but not linked to the message",
			"message_id", messageID, "document_id", docID, "error", err)
		return nil, err
	}
	return s.GetMessage(ctx, p, messageID)
}

// AuthorizeAttachment is the files service's check for attachments owned
// by a message: whoever may view the message's channel may read them.
// Nobody uploads to a message directly (files are drafts until posted),
// so write access is only for deleting one's own message's files, which
// chat does not offer: writes are refused.
func (s *Service) AuthorizeAttachment(ctx context.Context, p *app.Principal, messageID string, write bool) error {
	m, _, err := s.messageFor(ctx, p, messageID, authz.View, false)
	if err != nil {
		return err
	}
	if m.Deleted() {
		return errMessageNotFound()
	}
	if write {
		return &app.Error{Code: app.CodeForbidden, Message: "Files of a sent message cannot be changed."}
	}
	return nil
}

// AuthorizeDraft checks an upload as a draft for a channel: p must be
// able to post there. (The files service only lets a draft's uploader
// read it back.)
func (s *Service) AuthorizeDraft(ctx context.Context, p *app.Principal, channelID string, write bool) error {
	if write {
		_, err := s.participate(ctx, p, channelID, authz.Edit)
		return err
	}
	_, err := s.channelFor(ctx, p, channelID, authz.View)
	return err
}
