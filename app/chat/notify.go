package chat

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"nexus/app"
)

// Who hears about a message, and how:
//
//   - @you (mention), @channel (channel), @here (here, members online
//     now), every message of a DM (dm), and replies in threads you follow
//     (reply) are notification-worthy;
//   - your level decides which of those reach you: "all" every kind,
//     "mentions" all but thread replies, "none" nothing (the channel's
//     override wins over your default);
//   - a muted channel notifies only direct @mentions of you;
//   - you never hear about your own messages, and only channel members
//     hear anything.
//
// Mentions (@you, @channel, @here) also count towards the channel's
// mention badge whatever the level, like unread messages do.

// kindRank orders notification kinds when one message reaches someone in
// several ways: the strongest wins.
func kindRank(kind string) int {
	switch kind {
	case NotifyKindMention:
		return 5
	case NotifyKindDM:
		return 4
	case NotifyKindChannel, NotifyKindHere:
		return 3
	case NotifyKindReply:
		return 1
	}
	return 0
}

func isMentionKind(kind string) bool {
	return kind == NotifyKindMention || kind == NotifyKindChannel || kind == NotifyKindHere
}

// allows reports whether a member at this level, muted or not, is
// notified of kind.
func allows(t NotifyTarget, kind string) bool {
	level := t.Level()
	if level == NotifyNone {
		return false
	}
	if t.Muted && kind != NotifyKindMention {
		return false
	}
	if level == NotifyMentions && kind == NotifyKindReply {
		return false
	}
	return true
}

// hereSet is the channel members online now, when the message says @here.
func (s *Service) hereSet(ctx context.Context, channelID string, mentionsAll int) (map[string]bool, error) {
	if mentionsAll&MentionsHereBit == 0 {
		return nil, nil
	}
	ids, err := s.store.FindChannelMemberIDs(ctx, channelID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for id, st := range s.Presence(ids) {
		if st == "online" {
			out[id] = true
		}
	}
	return out, nil
}

// notify writes the notifications and mention rows of a new message.
func (s *Service) notify(ctx context.Context, tx Tx, p *app.Principal, ch *Channel, m *Message, root *Message, here map[string]bool) error {
	return s.deliver(ctx, tx, p, ch, m, here, true, root)
}

// notifyMentionsOnly is notify for an edit: only people newly mentioned.
func (s *Service) notifyMentionsOnly(ctx context.Context, tx Tx, p *app.Principal, ch *Channel, m *Message, here map[string]bool) error {
	return s.deliver(ctx, tx, p, ch, m, here, false, nil)
}

func (s *Service) deliver(ctx context.Context, tx Tx, p *app.Principal, ch *Channel, m *Message, here map[string]bool, isNew bool, root *Message) error {
	targets := map[string]string{}
	set := func(uid, kind string) {
		if uid == m.AuthorID || uid == "" {
			return
		}
		if kindRank(kind) > kindRank(targets[uid]) {
			targets[uid] = kind
		}
	}
	everyone := m.MentionsAll&MentionsChannelBit != 0 || isNew && ch.Kind == KindDM
	var followers []string
	if isNew && root != nil {
		var err error
		if followers, err = tx.FindThreadFollowers(ctx, root.ID); err != nil {
			return err
		}
	}
	if len(m.Mentions) == 0 && !everyone && len(here) == 0 && len(followers) == 0 {
		return nil // the common case: nothing to write
	}
	var ask []string // nil: every member
	if !everyone {
		ask = append(append(ask, m.Mentions...), followers...)
		for id := range here {
			ask = append(ask, id)
		}
	}
	members, err := tx.FindChannelMembersForNotify(ctx, ch.ID, ask)
	if err != nil {
		return err
	}
	for _, id := range followers {
		set(id, NotifyKindReply)
	}
	for _, t := range members {
		if m.MentionsAll&MentionsChannelBit != 0 {
			set(t.UserID, NotifyKindChannel)
		}
		if here[t.UserID] {
			set(t.UserID, NotifyKindHere)
		}
		if isNew && ch.Kind == KindDM {
			set(t.UserID, NotifyKindDM)
		}
	}
	for _, id := range m.Mentions {
		set(id, NotifyKindMention)
	}
	excerpt := Excerpt(m.Body)
	if m.Body == "" {
		excerpt = ""
	}
	for _, t := range members {
		kind, ok := targets[t.UserID]
		if !ok {
			continue
		}
		// In a DM every message counts as a mention already (the badge is
		// the unread count), so only channels record mention rows.
		if isMentionKind(kind) && ch.Kind != KindDM {
			if err := tx.AddChatMention(ctx, t.UserID, ch.ID, m.ID, m.Seq); err != nil {
				return err
			}
		}
		if !allows(t, kind) {
			continue
		}
		n := &Notification{ID: app.NewID(), UserID: t.UserID, Kind: kind, ChannelID: ch.ID, MessageID: m.ID, ActorID: p.User.ID,
			CreatedAt: tx.Now(), Actor: userRefOf(&p.User), ChannelName: ch.Name, ChannelKind: ch.Kind, ParentID: m.ParentID,
			Excerpt: excerpt, Seq: m.Seq}
		if err := tx.CreateNotification(ctx, n); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, userEvent(EventNotificationCreated, t.UserID, map[string]any{
			"notification": ToNotificationJSON(n)})); err != nil {
			return err
		}
	}
	return nil
}

// Excerpt is a one-line preview of a message body: whitespace collapsed,
// at most 140 characters.
func Excerpt(body string) string {
	const max = 140
	var b strings.Builder
	space := false
	n := 0
	for _, r := range body {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	s := b.String()
	if !utf8.ValidString(s) {
		return ""
	}
	return s
}

// NotificationPage is a page of notifications and the unread total.
type NotificationPage struct {
	Items       []Notification
	UnreadCount int
	NextCursor  string
}

// Notifications lists p's notifications, newest first.
func (s *Service) Notifications(ctx context.Context, p *app.Principal, f NotificationFilter) (*NotificationPage, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > MaxHistoryLimit {
		return nil, app.Invalid("limit", "limit is at most 200.").WithDetail("max", MaxHistoryLimit)
	}
	want := f.Limit
	f.Limit++
	items, err := s.store.FindNotifications(ctx, p.User.ID, f)
	if err != nil {
		return nil, err
	}
	page := &NotificationPage{Items: items}
	if len(items) > want {
		page.Items = items[:want]
		page.NextCursor = page.Items[want-1].ID
	}
	if page.UnreadCount, err = s.store.CountUnreadNotifications(ctx, p.User.ID); err != nil {
		return nil, err
	}
	return page, nil
}

// MarkNotificationsRead marks some (ids) or all (all) of p's
// notifications read.
func (s *Service) MarkNotificationsRead(ctx context.Context, p *app.Principal, ids []string, all bool) (int, error) {
	if p == nil {
		return 0, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if !all && len(ids) == 0 {
		return 0, app.Invalid("ids", "Send ids or all: true.")
	}
	if all {
		ids = nil
	} else {
		var err error
		if ids, err = cleanIDs("ids", ids, 500); err != nil {
			return 0, err
		}
	}
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if n, err = tx.MarkNotificationsRead(ctx, p.User.ID, ids, tx.Now()); err != nil || n == 0 {
			return err
		}
		data := map[string]any{"all": all}
		if !all {
			data["ids"] = ids
		}
		return tx.AppendEvent(ctx, userEvent(EventNotificationsRead, p.User.ID, data))
	})
	return n, err
}

// Preferences are p's notification preferences.
func (s *Service) Preferences(ctx context.Context, p *app.Principal) (string, error) {
	if p == nil {
		return "", &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	return s.store.FindChatNotifyLevel(ctx, p.User.ID)
}

func checkLevel(field, level string, allowDefault bool) error {
	switch level {
	case NotifyAll, NotifyMentions, NotifyNone:
		return nil
	case NotifyDefault:
		if allowDefault {
			return nil
		}
	}
	if allowDefault {
		return app.Invalid(field, "Use all, mentions, none or \"\" (your default).")
	}
	return app.Invalid(field, "Use all, mentions or none.")
}

// SetPreferences sets p's default notification level.
func (s *Service) SetPreferences(ctx context.Context, p *app.Principal, level string) error {
	if p == nil {
		return &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if err := checkLevel("notify", level, false); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetChatNotifyLevel(ctx, p.User.ID, level); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(EventPreferencesUpdated, p.User.ID, map[string]any{"notify": level}))
	})
}

// SetChannelNotify overrides p's level for one channel ("" follows the
// default).
func (s *Service) SetChannelNotify(ctx context.Context, p *app.Principal, channelID, level string) error {
	if err := checkLevel("notify", level, true); err != nil {
		return err
	}
	acc, err := s.channelFor(ctx, p, channelID, "view")
	if err != nil {
		return err
	}
	if acc.member == nil {
		return errNotMember()
	}
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.SetMemberNotify(ctx, channelID, p.User.ID, level); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, userEvent(EventPreferencesUpdated, p.User.ID, map[string]any{"channel_id": channelID, "notify": level}))
	})
}
