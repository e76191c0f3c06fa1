package chat

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// MessageView is a message as one reader sees it.
type MessageView struct {
	Message
	Participants []UserRef
	Reactions    []ReactionGroup
	Attachments  []Attachment
	Previews     []Preview
	Following    *bool
}

// ReactionGroup is everyone who reacted with one emoji.
type ReactionGroup struct {
	Emoji string
	Users []UserRef
	Me    bool
}

// Preview is a document preview card.
type Preview struct {
	ID        string
	Title     string
	Excerpt   string
	SpaceName string
	URL       string
}

// PostInput is a new message or thread reply.
type PostInput struct {
	Body          string
	ParentID      string
	AttachmentIDs []string
}

// Attachment owner types (files service).
const (
	OwnerMessage = "message"
	OwnerDraft   = "draft"
)

// PermalinkPath is where the web client opens a message: the channel,
// scrolled to the message (and its thread for a reply).
func PermalinkPath(channelID, messageID string) string {
	return "/chat/c/" + channelID + "?m=" + messageID
}

func checkBody(body string, attachments int) error {
	if !utf8.ValidString(body) {
		return app.Invalid("body", "Use valid UTF-8 text.")
	}
	if strings.TrimSpace(body) == "" && attachments == 0 {
		return app.Invalid("body", "Write a message or attach a file.")
	}
	if n := utf8.RuneCountInString(body); n > MaxBody {
		return app.Invalid("body", "The message is too long.").WithDetail("max", MaxBody)
	}
	if strings.ContainsRune(body, 0) {
		return app.Invalid("body", "The message must not contain NUL characters.")
	}
	return nil
}

var docLinkPattern = regexp.MustCompile(`/kb/doc/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})`)

// maxPreviews bounds the preview cards of one message.
const maxPreviews = 5

// rendered is a body turned into what a message stores.
type rendered struct {
	html        string
	mentions    []string
	mentionsAll int
	docLinks    []string
}

// render renders a message body for channelID written by p: mentions
// resolve to active users (channel members win ties), [[titles]] to
// documents p may see.
func (s *Service) render(ctx context.Context, p *app.Principal, channelID, body string) (rendered, error) {
	_, _, resolver := s.documents()
	var linked []string
	var storeErr error
	opts := render.Options{
		ResolveMention: func(handle string) (string, string, bool) {
			u, ok, err := s.store.ResolveChatHandle(ctx, channelID, handle)
			if err != nil {
				storeErr = err
				return "", "", false
			}
			return u.ID, u.Name, ok
		},
		HeadingIDPrefix: "m-",
	}
	if resolver != nil {
		opts.ResolveLink = func(title string) (string, bool) {
			id, ok := resolver.ResolveTitle(ctx, p, strings.TrimSpace(title))
			if !ok {
				return "", false
			}
			linked = append(linked, id)
			return "/kb/doc/" + id, true
		}
	}
	res, err := render.Render(body, opts)
	if err != nil {
		return rendered{}, app.Invalid("body", "The message could not be rendered.")
	}
	if storeErr != nil {
		return rendered{}, storeErr
	}
	out := rendered{html: res.HTML, mentions: res.Mentions}
	if out.mentions == nil {
		out.mentions = []string{}
	}
	if res.MentionsChannel {
		out.mentionsAll |= MentionsChannelBit
	}
	if res.MentionsHere {
		out.mentionsAll |= MentionsHereBit
	}
	seen := map[string]bool{}
	for _, m := range docLinkPattern.FindAllStringSubmatch(body, -1) {
		linked = append(linked, strings.ToLower(m[1]))
	}
	for _, id := range linked {
		if !seen[id] && len(out.docLinks) < maxPreviews {
			seen[id] = true
			out.docLinks = append(out.docLinks, id)
		}
	}
	if out.docLinks == nil {
		out.docLinks = []string{}
	}
	return out, nil
}

// Post writes a message, or a thread reply when in.ParentID is set.
// Attachments uploaded as drafts for this channel by p move to the
// message in the same transaction.
func (s *Service) Post(ctx context.Context, p *app.Principal, channelID string, in PostInput) (*MessageView, error) {
	acc, err := s.participate(ctx, p, channelID, authz.Edit)
	if err != nil {
		return nil, err
	}
	ids, err := cleanIDs("attachment_ids", in.AttachmentIDs, MaxAttachments)
	if err != nil {
		return nil, err
	}
	if err := checkBody(in.Body, len(ids)); err != nil {
		return nil, err
	}
	var root *Message
	if in.ParentID != "" {
		root, err = s.store.FindMessageByID(ctx, in.ParentID)
		if app.IsNotFound(err) || err == nil && root.ChannelID != channelID {
			return nil, app.Invalid("parent_id", "No such message in this channel.")
		}
		if err != nil {
			return nil, err
		}
		if root.ParentID != "" {
			// Threads are one level deep: a reply to a reply joins the
			// root's thread.
			if root, err = s.store.FindMessageByID(ctx, root.ParentID); err != nil {
				return nil, err
			}
		}
		if root.Deleted() {
			return nil, app.Invalid("parent_id", "That message was deleted.")
		}
	}
	r, err := s.render(ctx, p, channelID, in.Body)
	if err != nil {
		return nil, err
	}
	here, err := s.hereSet(ctx, channelID, r.mentionsAll)
	if err != nil {
		return nil, err
	}
	msg := &Message{ID: app.NewID(), ChannelID: channelID, AuthorID: p.User.ID, Body: in.Body, HTML: r.html,
		Mentions: r.mentions, DocLinks: r.docLinks, MentionsAll: r.mentionsAll, Participants: []string{}}
	if root != nil {
		msg.ParentID = root.ID
	}
	msg.Author = userRefOf(&p.User)
	var attachments []Attachment
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		seq, err := tx.NextChannelSeq(ctx, channelID, now)
		if err != nil {
			return err
		}
		msg.Seq, msg.CreatedAt = seq, now
		if err := tx.CreateMessage(ctx, msg); err != nil {
			return err
		}
		if len(ids) > 0 {
			if attachments, err = s.claimAttachments(ctx, tx, ids, channelID, p.User.ID, msg.ID); err != nil {
				return err
			}
		}
		if root == nil {
			// Writing in a channel reads it up to here.
			if _, err := tx.SetMemberRead(ctx, channelID, p.User.ID, seq); err != nil {
				return err
			}
		} else {
			if err := tx.AddReply(ctx, root.ID, p.User.ID, now); err != nil {
				return err
			}
			// The root's author follows from the first reply on unless they
			// unfollowed; whoever replies follows (again).
			if err := tx.FollowThread(ctx, root.ID, root.AuthorID, true, true); err != nil {
				return err
			}
			if err := tx.FollowThread(ctx, root.ID, p.User.ID, true, false); err != nil {
				return err
			}
		}
		view := &MessageView{Message: *msg, Attachments: attachments}
		if err := tx.AppendEvent(ctx, channelEvent(EventMessageCreated, acc.ch, map[string]any{
			"message": ToMessageJSON(view)})); err != nil {
			return err
		}
		if root != nil {
			if err := s.threadUpdated(ctx, tx, acc.ch, root.ID); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, p, acc.ch, msg, root, here)
	})
	if err != nil {
		return nil, err
	}
	// A new message has no reactions, followers or participants yet: only
	// preview cards are left to add.
	v := &MessageView{Message: *msg, Attachments: attachments}
	s.addPreviews(ctx, p, []*MessageView{v})
	return v, nil
}

func (s *Service) threadUpdated(ctx context.Context, tx Tx, ch *Channel, rootID string) error {
	root, err := tx.FindMessageByID(ctx, rootID)
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, channelEvent(EventThreadUpdated, ch, map[string]any{"root_id": root.ID,
		"reply_count": root.ReplyCount, "last_reply_at": optTime(root.LastReplyAt), "participants": root.Participants}))
}

func userRefOf(u *app.User) UserRef {
	return UserRef{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, AvatarUpdatedAt: u.AvatarUpdatedAt, Deleted: u.Deleted()}
}

func cleanIDs(field string, ids []string, max int) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) > max {
		return nil, app.Invalid(field, "Too many items.").WithDetail("max", max)
	}
	return out, nil
}

// claimAttachments moves p's draft uploads for the channel to the
// message. Anything else (someone else's upload, another channel's, a
// document's) is refused, so an ID cannot be used to pull a file into a
// channel whose members may not see it.
func (s *Service) claimAttachments(ctx context.Context, tx Tx, ids []string, channelID, userID, messageID string) ([]Attachment, error) {
	n, err := tx.OwnedDraftAttachments(ctx, ids, channelID, userID)
	if err != nil {
		return nil, err
	}
	if n != len(ids) {
		return nil, app.Invalid("attachment_ids", "Attach files you uploaded to this channel (as drafts) and have not sent yet.")
	}
	if err := tx.ReassignAttachments(ctx, ids, OwnerDraft, channelID, OwnerMessage, messageID); err != nil {
		return nil, err
	}
	return tx.ChatAttachmentsOf(ctx, messageID)
}

// GetMessage returns one message p may see.
func (s *Service) GetMessage(ctx context.Context, p *app.Principal, id string) (*MessageView, error) {
	m, _, err := s.messageFor(ctx, p, id, authz.View, false)
	if err != nil {
		return nil, err
	}
	v := &MessageView{Message: *m}
	if err := s.decorate(ctx, p, []*MessageView{v}); err != nil {
		return nil, err
	}
	return v, nil
}

// Permalink is where a message lives: its channel, and the thread root
// to scroll the channel to.
type Permalink struct {
	ChannelID string
	MessageID string
	ParentID  string
	Around    string // the root to open the channel around
	Seq       int64
	Path      string
}

// PermalinkOf resolves a message ID to where the client opens it.
func (s *Service) PermalinkOf(ctx context.Context, p *app.Principal, id string) (*Permalink, error) {
	m, _, err := s.messageFor(ctx, p, id, authz.View, false)
	if err != nil {
		return nil, err
	}
	around := m.ID
	if m.ParentID != "" {
		around = m.ParentID
	}
	return &Permalink{ChannelID: m.ChannelID, MessageID: m.ID, ParentID: m.ParentID, Around: around, Seq: m.Seq,
		Path: PermalinkPath(m.ChannelID, m.ID)}, nil
}

// HistoryQuery pages a channel's history by message ID: Before and After
// exclude the message, Around centres on it (and includes it). None of
// them means the newest messages.
type HistoryQuery struct {
	Before string
	After  string
	Around string
	Limit  int
}

// History is a page of thread roots, oldest first.
type History struct {
	Items         []*MessageView
	HasMoreBefore bool
	HasMoreAfter  bool
}

// History lists a channel's thread roots.
func (s *Service) History(ctx context.Context, p *app.Principal, channelID string, q HistoryQuery) (*History, error) {
	acc, err := s.channelFor(ctx, p, channelID, authz.View)
	if err != nil {
		return nil, err
	}
	set := 0
	for _, c := range []string{q.Before, q.After, q.Around} {
		if c != "" {
			set++
		}
	}
	if set > 1 {
		return nil, app.Invalid("before", "Use only one of before, after and around.")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxHistoryLimit {
		return nil, app.Invalid("limit", "limit is at most 200.").WithDetail("max", MaxHistoryLimit)
	}
	cursor := func(field, id string) (int64, error) {
		m, err := s.store.FindMessageByID(ctx, id)
		if app.IsNotFound(err) || err == nil && m.ChannelID != channelID {
			return 0, app.Invalid(field, "No such message in this channel.")
		}
		if err != nil {
			return 0, err
		}
		return m.Seq, nil
	}
	h := &History{}
	var msgs []Message
	switch {
	case q.Before != "":
		seq, err := cursor("before", q.Before)
		if err != nil {
			return nil, err
		}
		if msgs, h.HasMoreBefore, err = s.page(ctx, channelID, seq, 0, limit); err != nil {
			return nil, err
		}
		h.HasMoreAfter = true
	case q.After != "":
		seq, err := cursor("after", q.After)
		if err != nil {
			return nil, err
		}
		if msgs, h.HasMoreAfter, err = s.page(ctx, channelID, 0, seq, limit); err != nil {
			return nil, err
		}
		h.HasMoreBefore = true
	case q.Around != "":
		m, err := s.store.FindMessageByID(ctx, q.Around)
		if app.IsNotFound(err) || err == nil && m.ChannelID != channelID {
			return nil, app.Invalid("around", "No such message in this channel.")
		}
		if err != nil {
			return nil, err
		}
		if m.ParentID != "" {
			// A reply is shown in its thread; the channel opens at its root.
			if m, err = s.store.FindMessageByID(ctx, m.ParentID); err != nil {
				return nil, err
			}
		}
		before, hasBefore, err := s.page(ctx, channelID, m.Seq, 0, (limit-1)/2)
		if err != nil {
			return nil, err
		}
		after, hasAfter, err := s.page(ctx, channelID, 0, m.Seq, limit-1-len(before))
		if err != nil {
			return nil, err
		}
		msgs = append(append(before, *m), after...)
		h.HasMoreBefore, h.HasMoreAfter = hasBefore, hasAfter
	default:
		if msgs, h.HasMoreBefore, err = s.page(ctx, channelID, acc.ch.LastSeq+1, 0, limit); err != nil {
			return nil, err
		}
	}
	h.Items = make([]*MessageView, len(msgs))
	for i := range msgs {
		h.Items[i] = &MessageView{Message: msgs[i]}
	}
	if err := s.decorate(ctx, p, h.Items); err != nil {
		return nil, err
	}
	return h, nil
}

// page reads up to limit roots before beforeSeq (if set) or after
// afterSeq, oldest first, and whether more exist in that direction.
func (s *Service) page(ctx context.Context, channelID string, beforeSeq, afterSeq int64, limit int) ([]Message, bool, error) {
	if limit <= 0 {
		// Still tell whether there is more.
		msgs, err := s.store.FindChannelMessages(ctx, MessageQuery{ChannelID: channelID, BeforeSeq: beforeSeq, AfterSeq: afterSeq, Limit: 1})
		return []Message{}, len(msgs) > 0, err
	}
	msgs, err := s.store.FindChannelMessages(ctx, MessageQuery{ChannelID: channelID, BeforeSeq: beforeSeq, AfterSeq: afterSeq, Limit: limit + 1})
	if err != nil {
		return nil, false, err
	}
	more := len(msgs) > limit
	if more {
		if beforeSeq > 0 {
			msgs = msgs[1:] // oldest first: the extra one is the oldest
		} else {
			msgs = msgs[:limit]
		}
	}
	return msgs, more, nil
}

// Thread returns a root and its replies (after afterSeq, up to limit).
func (s *Service) Thread(ctx context.Context, p *app.Principal, rootID string, afterSeq int64, limit int) (*MessageView, []*MessageView, bool, error) {
	m, _, err := s.messageFor(ctx, p, rootID, authz.View, false)
	if err != nil {
		return nil, nil, false, err
	}
	if m.ParentID != "" {
		if m, err = s.store.FindMessageByID(ctx, m.ParentID); err != nil {
			return nil, nil, false, err
		}
	}
	if limit <= 0 {
		limit = MaxHistoryLimit
	}
	if limit > MaxHistoryLimit {
		return nil, nil, false, app.Invalid("limit", "limit is at most 200.").WithDetail("max", MaxHistoryLimit)
	}
	replies, err := s.store.FindThreadReplies(ctx, m.ID, afterSeq, limit+1)
	if err != nil {
		return nil, nil, false, err
	}
	more := len(replies) > limit
	if more {
		replies = replies[:limit]
	}
	all := make([]*MessageView, 0, len(replies)+1)
	root := &MessageView{Message: *m}
	all = append(all, root)
	for i := range replies {
		all = append(all, &MessageView{Message: replies[i]})
	}
	if err := s.decorate(ctx, p, all); err != nil {
		return nil, nil, false, err
	}
	return root, all[1:], more, nil
}

// Edit changes a message's text (its author only). The previous text is
// kept for channel managers.
func (s *Service) Edit(ctx context.Context, p *app.Principal, id, body string) (*MessageView, error) {
	m, acc, err := s.messageFor(ctx, p, id, authz.Edit, true)
	if err != nil {
		return nil, err
	}
	if m.AuthorID != p.User.ID {
		return nil, &app.Error{Code: app.CodeForbidden, Message: "Only the author can edit a message."}
	}
	if m.Deleted() {
		return nil, &app.Error{Code: app.CodeConflict, Message: "That message was deleted.", Details: map[string]any{"reason": "deleted"}}
	}
	n, err := s.countAttachments(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	if err := checkBody(body, n); err != nil {
		return nil, err
	}
	if body == m.Body {
		return s.GetMessage(ctx, p, id)
	}
	r, err := s.render(ctx, p, m.ChannelID, body)
	if err != nil {
		return nil, err
	}
	here, err := s.hereSet(ctx, m.ChannelID, r.mentionsAll&^m.MentionsAll)
	if err != nil {
		return nil, err
	}
	var updated *Message
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindMessageByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Deleted() {
			return &app.Error{Code: app.CodeConflict, Message: "That message was deleted.", Details: map[string]any{"reason": "deleted"}}
		}
		now := tx.Now()
		written := cur.CreatedAt
		if !cur.EditedAt.IsZero() {
			written = cur.EditedAt
		}
		if err := tx.AddMessageEdit(ctx, &Edit{ID: app.NewID(), MessageID: id, Kind: "edit", Body: cur.Body, WrittenAt: written,
			ReplacedAt: now, ReplacedBy: UserRef{ID: p.User.ID}}); err != nil {
			return err
		}
		prevMentions := map[string]bool{}
		for _, u := range cur.Mentions {
			prevMentions[u] = true
		}
		prevAll := cur.MentionsAll
		cur.Body, cur.HTML, cur.Mentions, cur.DocLinks, cur.MentionsAll, cur.EditedAt = body, r.html, r.mentions, r.docLinks, r.mentionsAll, now
		if err := tx.UpdateMessageBody(ctx, cur); err != nil {
			return err
		}
		updated = cur
		if err := tx.AppendEvent(ctx, channelEvent(EventMessageUpdated, acc.ch, map[string]any{
			"message": ToMessageJSON(&MessageView{Message: *cur})})); err != nil {
			return err
		}
		// Only people newly mentioned by the edit hear about it.
		added := &Message{ID: cur.ID, ChannelID: cur.ChannelID, Seq: cur.Seq, ParentID: cur.ParentID, AuthorID: cur.AuthorID,
			Body: cur.Body, MentionsAll: cur.MentionsAll &^ prevAll}
		for _, u := range cur.Mentions {
			if !prevMentions[u] {
				added.Mentions = append(added.Mentions, u)
			}
		}
		return s.notifyMentionsOnly(ctx, tx, p, acc.ch, added, here)
	})
	if err != nil {
		return nil, err
	}
	v := &MessageView{Message: *updated}
	if err := s.decorate(ctx, p, []*MessageView{v}); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) countAttachments(ctx context.Context, messageID string) (int, error) {
	as, err := s.store.FindMessageAttachments(ctx, []string{messageID})
	return len(as), err
}

// Delete soft-deletes a message: its author, or a channel manager (a
// moderator deletion, audited). The text stays in the edit history for
// channel managers; the API shows "message deleted".
func (s *Service) Delete(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	m, acc, err := s.messageFor(ctx, p, id, authz.View, false)
	if err != nil {
		return err
	}
	if acc.ch.Archived() {
		return errArchived()
	}
	moderator := m.AuthorID != p.User.ID
	if moderator {
		if err := s.authz.Require(ctx, p, authz.Manage, acc.ch.Resource()); err != nil {
			return err
		}
	} else if acc.member == nil {
		return errNotMember()
	}
	if m.Deleted() {
		return nil
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindMessageByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Deleted() {
			return nil
		}
		now := tx.Now()
		written := cur.CreatedAt
		if !cur.EditedAt.IsZero() {
			written = cur.EditedAt
		}
		if err := tx.AddMessageEdit(ctx, &Edit{ID: app.NewID(), MessageID: id, Kind: "delete", Body: cur.Body, WrittenAt: written,
			ReplacedAt: now, ReplacedBy: UserRef{ID: p.User.ID}}); err != nil {
			return err
		}
		if err := tx.DeleteMessage(ctx, id, p.User.ID, now); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, channelEvent(EventMessageDeleted, acc.ch, map[string]any{"message_id": id,
			"parent_id": optString(cur.ParentID), "seq": cur.Seq})); err != nil {
			return err
		}
		if !cur.PinnedAt.IsZero() {
			if err := tx.AppendEvent(ctx, channelEvent(EventPinRemoved, acc.ch, map[string]any{"message_id": id})); err != nil {
				return err
			}
		}
		if moderator {
			return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionMessageModerated, "message", id,
				map[string]any{"channel_id": cur.ChannelID, "author_id": cur.AuthorID}))
		}
		return nil
	})
}

// Edits lists a message's previous versions, newest first: channel
// managers only.
func (s *Service) Edits(ctx context.Context, p *app.Principal, id string) ([]Edit, error) {
	_, _, err := s.messageFor(ctx, p, id, authz.Manage, false)
	if err != nil {
		return nil, err
	}
	return s.store.FindMessageEdits(ctx, id)
}

// decorate fills what a reader sees beyond the row: reaction groups,
// attachments, document previews (only documents the reader may open),
// thread participants and whether the reader follows each thread.
func (s *Service) decorate(ctx context.Context, p *app.Principal, items []*MessageView) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]string, 0, len(items))
	byID := make(map[string]*MessageView, len(items))
	var roots []string
	names := map[string]bool{}
	for _, v := range items {
		ids = append(ids, v.ID)
		byID[v.ID] = v
		if v.ReplyCount > 0 && v.ParentID == "" {
			roots = append(roots, v.ID)
		}
		for _, u := range v.Message.Participants {
			names[u] = true
		}
	}
	reactions, err := s.store.FindMessageReactions(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range reactions {
		v := byID[r.MessageID]
		if v == nil {
			continue
		}
		var g *ReactionGroup
		for i := range v.Reactions {
			if v.Reactions[i].Emoji == r.Emoji {
				g = &v.Reactions[i]
			}
		}
		if g == nil {
			v.Reactions = append(v.Reactions, ReactionGroup{Emoji: r.Emoji})
			g = &v.Reactions[len(v.Reactions)-1]
		}
		g.Users = append(g.Users, UserRef{ID: r.UserID, Name: r.UserName})
		if r.UserID == p.User.ID {
			g.Me = true
		}
	}
	atts, err := s.store.FindMessageAttachments(ctx, ids)
	if err != nil {
		return err
	}
	for _, v := range items {
		v.Attachments = nil
	}
	for _, a := range atts {
		if v := byID[a.OwnerID]; v != nil {
			v.Attachments = append(v.Attachments, a)
		}
	}
	if len(roots) > 0 {
		following, err := s.store.FindThreadFollowing(ctx, p.User.ID, roots)
		if err != nil {
			return err
		}
		for _, id := range roots {
			f := following[id]
			byID[id].Following = &f
		}
	}
	if len(names) > 0 {
		list := make([]string, 0, len(names))
		for id := range names {
			list = append(list, id)
		}
		refs, err := s.store.FindChatUserRefs(ctx, list)
		if err != nil {
			return err
		}
		for _, v := range items {
			v.Participants = v.Participants[:0]
			for _, id := range v.Message.Participants {
				if u, ok := refs[id]; ok {
					v.Participants = append(v.Participants, u)
				} else {
					v.Participants = append(v.Participants, UserRef{ID: id})
				}
			}
		}
	}
	s.addPreviews(ctx, p, items)
	return nil
}

// addPreviews adds a card for each linked document the reader may open;
// the others are left out without a trace.
func (s *Service) addPreviews(ctx context.Context, p *app.Principal, items []*MessageView) {
	_, previewer, _ := s.documents()
	if previewer == nil {
		return
	}
	cache := map[string]*Preview{}
	for _, v := range items {
		if v.Deleted() {
			continue
		}
		for _, doc := range v.DocLinks {
			pv, seen := cache[doc]
			if !seen {
				if title, excerpt, space, ok := previewer.Preview(ctx, p, doc); ok {
					pv = &Preview{ID: doc, Title: title, Excerpt: excerpt, SpaceName: space, URL: "/kb/doc/" + doc}
				}
				cache[doc] = pv
			}
			if pv != nil {
				v.Previews = append(v.Previews, *pv)
			}
		}
	}
}
