package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/chat"
	"nexus/app/kb"
)

// chatRoutes: chat.go: channels, DMs, messages, notifications. The shapes
// are documented in docs/chat.md and docs/api/openapi.yaml (Chat*).
func (s *Server) chatRoutes(r fiber.Router) {
	if s.deps.Chat == nil {
		return
	}
	r.Get("/channels", s.requireAuth, s.listChannels)
	r.Post("/channels", s.requireAuth, s.createChannel)
	r.Get("/channels/:id", s.requireAuth, s.getChannel)
	r.Patch("/channels/:id", s.requireAuth, s.updateChannel)
	r.Post("/channels/:id/archive", s.requireAuth, s.archiveChannel(true))
	r.Post("/channels/:id/unarchive", s.requireAuth, s.archiveChannel(false))
	r.Post("/channels/:id/join", s.requireAuth, s.joinChannel)
	r.Post("/channels/:id/leave", s.requireAuth, s.leaveChannel)
	r.Get("/channels/:id/members", s.requireAuth, s.listChannelMembers)
	r.Post("/channels/:id/members", s.requireAuth, s.addChannelMember)
	r.Delete("/channels/:id/members/:user_id", s.requireAuth, s.removeChannelMember)
	r.Get("/channels/:id/messages", s.requireAuth, s.listMessages)
	r.Post("/channels/:id/messages", s.requireAuth, s.postMessage)
	r.Get("/channels/:id/pins", s.requireAuth, s.listPins)
	r.Post("/channels/:id/read", s.requireAuth, s.markRead)
	r.Post("/messages/:id/unread", s.requireAuth, s.markUnread)
	r.Put("/channels/:id/mute", s.requireAuth, s.muteChannel(true))
	r.Delete("/channels/:id/mute", s.requireAuth, s.muteChannel(false))
	r.Put("/channels/:id/notify", s.requireAuth, s.setChannelNotify)

	r.Get("/messages/:id", s.requireAuth, s.getMessage)
	r.Patch("/messages/:id", s.requireAuth, s.editMessage)
	r.Delete("/messages/:id", s.requireAuth, s.deleteMessage)
	r.Get("/messages/:id/thread", s.requireAuth, s.getThread)
	r.Put("/messages/:id/follow", s.requireAuth, s.followThread(true))
	r.Delete("/messages/:id/follow", s.requireAuth, s.followThread(false))
	r.Get("/messages/:id/reactions", s.requireAuth, s.listReactions)
	r.Post("/messages/:id/reactions", s.requireAuth, s.toggleReaction)
	r.Put("/messages/:id/pin", s.requireAuth, s.pinMessage(true))
	r.Delete("/messages/:id/pin", s.requireAuth, s.pinMessage(false))
	r.Get("/messages/:id/edits", s.requireAuth, s.listEdits)
	r.Get("/messages/:id/permalink", s.requireAuth, s.getPermalink)
	r.Post("/messages/:id/promote", s.requireAuth, s.promoteMessage)

	r.Get("/dms", s.requireAuth, s.listDMs)
	r.Post("/dms", s.requireAuth, s.openDM)
	r.Get("/unread", s.requireAuth, s.getUnread)
	r.Get("/notifications", s.requireAuth, s.listNotifications)
	r.Post("/notifications/read", s.requireAuth, s.readNotifications)
	r.Get("/notifications/preferences", s.requireAuth, s.getNotifyPreferences)
	r.Put("/notifications/preferences", s.requireAuth, s.putNotifyPreferences)
}

// chatList is the list shape with an optional cursor.
type chatList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// queryInt reads an optional non-negative integer query parameter.
func chatQueryInt(c *fiber.Ctx, name string) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, app.Invalid(name, name+" must be a non-negative whole number.")
	}
	return n, nil
}

func chatQueryBool(c *fiber.Ctx, name string) bool {
	switch c.Query(name) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// --- channels ---

type channelJSON struct {
	ID             string          `json:"id"`
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	Topic          string          `json:"topic"`
	Purpose        string          `json:"purpose"`
	ArchivedAt     *time.Time      `json:"archived_at"`
	CreatedBy      string          `json:"created_by"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	Version        int64           `json:"version"`
	LastSeq        int64           `json:"last_seq"`
	LastMessageAt  *time.Time      `json:"last_message_at"`
	MemberCount    int             `json:"member_count"`
	IsMember       bool            `json:"is_member"`
	Role           *string         `json:"role"`
	CanManage      bool            `json:"can_manage"`
	CanPost        bool            `json:"can_post"`
	Muted          bool            `json:"muted"`
	Notify         string          `json:"notify"`
	LastReadSeq    int64           `json:"last_read_seq"`
	FirstUnreadSeq int64           `json:"first_unread_seq"`
	Members        []chat.UserJSON `json:"members,omitempty"`
}

func chatOptTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func toChannelJSON(v *chat.ChannelView) channelJSON {
	j := channelJSON{ID: v.ID, Kind: v.Kind, Name: v.Name, Topic: v.Topic, Purpose: v.Purpose, ArchivedAt: chatOptTime(v.ArchivedAt),
		CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(), Version: v.Version, LastSeq: v.LastSeq,
		LastMessageAt: chatOptTime(v.LastMessageAt), MemberCount: v.MemberCount, CanManage: v.CanManage, CanPost: v.CanPost,
		FirstUnreadSeq: v.FirstUnreadSeq}
	if m := v.Membership; m != nil {
		role := m.Role
		j.IsMember, j.Role, j.Muted, j.Notify, j.LastReadSeq = true, &role, m.Muted, m.Notify, m.LastReadSeq
	}
	if v.Kind == chat.KindDM {
		j.Members = make([]chat.UserJSON, 0, len(v.Participants))
		for _, u := range v.Participants {
			j.Members = append(j.Members, chat.ToUserJSON(u))
		}
	}
	return j
}

func (s *Server) listChannels(c *fiber.Ctx) error {
	limit, err := chatQueryInt(c, "limit")
	if err != nil {
		return err
	}
	views, err := s.deps.Chat.ListChannels(c.UserContext(), principal(c), chat.ChannelFilter{Browse: chatQueryBool(c, "browse"),
		Query: c.Query("q"), IncludeArchived: chatQueryBool(c, "include_archived"), Limit: int(limit)})
	if err != nil {
		return err
	}
	out := chatList[channelJSON]{Items: make([]channelJSON, 0, len(views))}
	for i := range views {
		out.Items = append(out.Items, toChannelJSON(&views[i]))
	}
	return c.JSON(out)
}

type createChannelRequest struct {
	Name       string `json:"name"`
	Visibility string `json:"visibility"`
	Topic      string `json:"topic"`
	Purpose    string `json:"purpose"`
}

func (s *Server) createChannel(c *fiber.Ctx) error {
	var req createChannelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Chat.CreateChannel(c.UserContext(), principal(c), chat.ChannelInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toChannelJSON(v))
}

func (s *Server) getChannel(c *fiber.Ctx) error {
	v, err := s.deps.Chat.GetChannel(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toChannelJSON(v))
}

type updateChannelRequest struct {
	Name    *string `json:"name"`
	Topic   *string `json:"topic"`
	Purpose *string `json:"purpose"`
	Version int64   `json:"version"`
}

func (s *Server) updateChannel(c *fiber.Ctx) error {
	var req updateChannelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Chat.UpdateChannel(c.UserContext(), principal(c), c.Params("id"), chat.ChannelUpdate(req))
	if err != nil {
		return err
	}
	return c.JSON(toChannelJSON(v))
}

func (s *Server) archiveChannel(archived bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.deps.Chat.SetArchived(c.UserContext(), principal(c), c.Params("id"), archived, s.meta(c))
		if err != nil {
			return err
		}
		return c.JSON(toChannelJSON(v))
	}
}

func (s *Server) joinChannel(c *fiber.Ctx) error {
	v, err := s.deps.Chat.Join(c.UserContext(), principal(c), c.Params("id"), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toChannelJSON(v))
}

func (s *Server) leaveChannel(c *fiber.Ctx) error {
	if err := s.deps.Chat.Leave(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type channelMemberJSON struct {
	User     chat.UserJSON `json:"user"`
	Role     string        `json:"role"`
	JoinedAt time.Time     `json:"joined_at"`
	Presence string        `json:"presence"`
	// Handle is what to type after @ to mention them.
	Handle string `json:"handle"`
}

func (s *Server) listChannelMembers(c *fiber.Ctx) error {
	limit, err := chatQueryInt(c, "limit")
	if err != nil {
		return err
	}
	p := principal(c)
	members, presence, err := s.deps.Chat.Members(c.UserContext(), p, c.Params("id"), c.Query("q"), int(limit))
	if err != nil {
		return err
	}
	out := chatList[channelMemberJSON]{Items: make([]channelMemberJSON, 0, len(members))}
	for _, m := range members {
		u := chat.ToUserJSON(m.User)
		handle := kb.MentionHandle(m.User.Name, m.User.Email)
		if p.User.Role == app.RoleGuest {
			// Guests learn names, not addresses.
			u.Email = ""
		}
		out.Items = append(out.Items, channelMemberJSON{User: u, Role: m.Role, JoinedAt: m.JoinedAt.UTC(),
			Presence: presence[m.UserID], Handle: handle})
	}
	return c.JSON(out)
}

type addChannelMemberRequest struct {
	UserID string `json:"user_id"`
	TeamID string `json:"team_id"`
	Role   string `json:"role"`
}

type addedMembersJSON struct {
	Added []string `json:"added"`
}

func (s *Server) addChannelMember(c *fiber.Ctx) error {
	var req addChannelMemberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	added, err := s.deps.Chat.AddMembers(c.UserContext(), principal(c), c.Params("id"), chat.MemberInput(req), s.meta(c))
	if err != nil {
		return err
	}
	return c.JSON(addedMembersJSON{Added: added})
}

func (s *Server) removeChannelMember(c *fiber.Ctx) error {
	if err := s.deps.Chat.RemoveMember(c.UserContext(), principal(c), c.Params("id"), c.Params("user_id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) muteChannel(muted bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.deps.Chat.SetMuted(c.UserContext(), principal(c), c.Params("id"), muted); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

type chatNotifyRequest struct {
	Notify string `json:"notify"`
}

func (s *Server) setChannelNotify(c *fiber.Ctx) error {
	var req chatNotifyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Chat.SetChannelNotify(c.UserContext(), principal(c), c.Params("id"), req.Notify); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// --- messages ---

type messagePageJSON struct {
	Items         []chat.MessageJSON `json:"items"`
	HasMoreBefore bool               `json:"has_more_before"`
	HasMoreAfter  bool               `json:"has_more_after"`
	// NextCursor continues towards older messages (pass it as before).
	NextCursor string `json:"next_cursor"`
}

func toMessagesJSON(items []*chat.MessageView) []chat.MessageJSON {
	out := make([]chat.MessageJSON, 0, len(items))
	for _, v := range items {
		out = append(out, chat.ToMessageJSON(v))
	}
	return out
}

func (s *Server) listMessages(c *fiber.Ctx) error {
	limit, err := chatQueryInt(c, "limit")
	if err != nil {
		return err
	}
	h, err := s.deps.Chat.History(c.UserContext(), principal(c), c.Params("id"), chat.HistoryQuery{
		Before: c.Query("before"), After: c.Query("after"), Around: c.Query("around"), Limit: int(limit)})
	if err != nil {
		return err
	}
	out := messagePageJSON{Items: toMessagesJSON(h.Items), HasMoreBefore: h.HasMoreBefore, HasMoreAfter: h.HasMoreAfter}
	if h.HasMoreBefore && len(h.Items) > 0 {
		out.NextCursor = h.Items[0].ID
	}
	return c.JSON(out)
}

type postMessageRequest struct {
	Body          string   `json:"body"`
	ParentID      string   `json:"parent_id"`
	AttachmentIDs []string `json:"attachment_ids"`
}

func (s *Server) postMessage(c *fiber.Ctx) error {
	var req postMessageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Chat.Post(c.UserContext(), principal(c), c.Params("id"), chat.PostInput(req))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(chat.ToMessageJSON(v))
}

func (s *Server) getMessage(c *fiber.Ctx) error {
	v, err := s.deps.Chat.GetMessage(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(chat.ToMessageJSON(v))
}

type editMessageRequest struct {
	Body string `json:"body"`
}

func (s *Server) editMessage(c *fiber.Ctx) error {
	var req editMessageRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Chat.Edit(c.UserContext(), principal(c), c.Params("id"), req.Body)
	if err != nil {
		return err
	}
	return c.JSON(chat.ToMessageJSON(v))
}

func (s *Server) deleteMessage(c *fiber.Ctx) error {
	if err := s.deps.Chat.Delete(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type threadJSON struct {
	Root    chat.MessageJSON   `json:"root"`
	Items   []chat.MessageJSON `json:"items"`
	HasMore bool               `json:"has_more"`
	// NextCursor is the seq to pass as after_seq for the next replies.
	NextCursor string `json:"next_cursor"`
}

func (s *Server) getThread(c *fiber.Ctx) error {
	after, err := chatQueryInt(c, "after_seq")
	if err != nil {
		return err
	}
	limit, err := chatQueryInt(c, "limit")
	if err != nil {
		return err
	}
	root, replies, more, err := s.deps.Chat.Thread(c.UserContext(), principal(c), c.Params("id"), after, int(limit))
	if err != nil {
		return err
	}
	out := threadJSON{Root: chat.ToMessageJSON(root), Items: toMessagesJSON(replies), HasMore: more}
	if more && len(replies) > 0 {
		out.NextCursor = strconv.FormatInt(replies[len(replies)-1].Seq, 10)
	}
	return c.JSON(out)
}

func (s *Server) followThread(follow bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.deps.Chat.Follow(c.UserContext(), principal(c), c.Params("id"), follow); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func chatReactionsJSON(groups []chat.ReactionGroup) []chat.ReactionJSON {
	v := chat.ToMessageJSON(&chat.MessageView{Reactions: groups})
	return v.Reactions
}

func (s *Server) listReactions(c *fiber.Ctx) error {
	groups, err := s.deps.Chat.Reactions(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(chatList[chat.ReactionJSON]{Items: chatReactionsJSON(groups)})
}

type reactionRequest struct {
	Emoji string `json:"emoji"`
}

type toggledReactionJSON struct {
	Emoji     string              `json:"emoji"`
	Added     bool                `json:"added"`
	Reactions []chat.ReactionJSON `json:"reactions"`
}

func (s *Server) toggleReaction(c *fiber.Ctx) error {
	var req reactionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx, p, id := c.UserContext(), principal(c), c.Params("id")
	added, err := s.deps.Chat.React(ctx, p, id, req.Emoji)
	if err != nil {
		return err
	}
	groups, err := s.deps.Chat.Reactions(ctx, p, id)
	if err != nil {
		return err
	}
	return c.JSON(toggledReactionJSON{Emoji: req.Emoji, Added: added, Reactions: chatReactionsJSON(groups)})
}

func (s *Server) pinMessage(pinned bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := s.deps.Chat.SetPinned(c.UserContext(), principal(c), c.Params("id"), pinned)
		if err != nil {
			return err
		}
		return c.JSON(chat.ToMessageJSON(v))
	}
}

func (s *Server) listPins(c *fiber.Ctx) error {
	items, err := s.deps.Chat.Pins(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(chatList[chat.MessageJSON]{Items: toMessagesJSON(items)})
}

type editJSON struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Body       string        `json:"body"`
	WrittenAt  time.Time     `json:"written_at"`
	ReplacedAt time.Time     `json:"replaced_at"`
	ReplacedBy chat.UserJSON `json:"replaced_by"`
}

func (s *Server) listEdits(c *fiber.Ctx) error {
	edits, err := s.deps.Chat.Edits(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := chatList[editJSON]{Items: make([]editJSON, 0, len(edits))}
	for _, e := range edits {
		out.Items = append(out.Items, editJSON{ID: e.ID, Kind: e.Kind, Body: e.Body, WrittenAt: e.WrittenAt.UTC(),
			ReplacedAt: e.ReplacedAt.UTC(), ReplacedBy: chat.ToUserJSON(e.ReplacedBy)})
	}
	return c.JSON(out)
}

type permalinkJSON struct {
	ChannelID string  `json:"channel_id"`
	MessageID string  `json:"message_id"`
	ParentID  *string `json:"parent_id"`
	// Around is the message to open the channel around (a reply's root).
	Around string `json:"around"`
	Seq    int64  `json:"seq"`
	URL    string `json:"url"`
}

func (s *Server) getPermalink(c *fiber.Ctx) error {
	l, err := s.deps.Chat.PermalinkOf(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := permalinkJSON{ChannelID: l.ChannelID, MessageID: l.MessageID, Around: l.Around, Seq: l.Seq, URL: l.Path}
	if l.ParentID != "" {
		out.ParentID = &l.ParentID
	}
	return c.JSON(out)
}

type promoteRequest struct {
	SpaceID string `json:"space_id"`
	Title   string `json:"title"`
}

func (s *Server) promoteMessage(c *fiber.Ctx) error {
	var req promoteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Chat.Promote(c.UserContext(), principal(c), c.Params("id"), req.SpaceID, req.Title)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(chat.ToMessageJSON(v))
}

// --- direct messages, read state, notifications ---

func (s *Server) listDMs(c *fiber.Ctx) error {
	views, err := s.deps.Chat.ListDMs(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	out := chatList[channelJSON]{Items: make([]channelJSON, 0, len(views))}
	for i := range views {
		out.Items = append(out.Items, toChannelJSON(&views[i]))
	}
	return c.JSON(out)
}

type openDMRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (s *Server) openDM(c *fiber.Ctx) error {
	var req openDMRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, created, err := s.deps.Chat.OpenDM(c.UserContext(), principal(c), req.UserIDs)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(toChannelJSON(v))
}

type unreadJSON struct {
	ChannelID      string `json:"channel_id"`
	Kind           string `json:"kind"`
	Unread         int    `json:"unread"`
	Mentions       int    `json:"mentions"`
	LastReadSeq    int64  `json:"last_read_seq"`
	LastSeq        int64  `json:"last_seq"`
	FirstUnreadSeq int64  `json:"first_unread_seq"`
	Muted          bool   `json:"muted"`
}

func toUnreadJSON(u chat.Unread) unreadJSON {
	return unreadJSON{ChannelID: u.ChannelID, Kind: u.Kind, Unread: u.Unread, Mentions: u.Mentions, LastReadSeq: u.LastReadSeq,
		LastSeq: u.LastSeq, FirstUnreadSeq: u.FirstUnreadSeq, Muted: u.Muted}
}

func (s *Server) getUnread(c *fiber.Ctx) error {
	states, err := s.deps.Chat.Unread(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	out := chatList[unreadJSON]{Items: make([]unreadJSON, 0, len(states))}
	for _, u := range states {
		out.Items = append(out.Items, toUnreadJSON(u))
	}
	return c.JSON(out)
}

type markReadRequest struct {
	Seq int64 `json:"seq"`
}

func (s *Server) markRead(c *fiber.Ctx) error {
	var req markReadRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	u, err := s.deps.Chat.MarkRead(c.UserContext(), principal(c), c.Params("id"), req.Seq)
	if err != nil {
		return err
	}
	return c.JSON(toUnreadJSON(*u))
}

func (s *Server) markUnread(c *fiber.Ctx) error {
	u, err := s.deps.Chat.MarkUnread(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toUnreadJSON(*u))
}

type notificationPageJSON struct {
	Items       []chat.NotificationJSON `json:"items"`
	NextCursor  string                  `json:"next_cursor"`
	UnreadCount int                     `json:"unread_count"`
}

func (s *Server) listNotifications(c *fiber.Ctx) error {
	limit, err := chatQueryInt(c, "limit")
	if err != nil {
		return err
	}
	page, err := s.deps.Chat.Notifications(c.UserContext(), principal(c), chat.NotificationFilter{BeforeID: c.Query("cursor"),
		UnreadOnly: chatQueryBool(c, "unread"), Limit: int(limit)})
	if err != nil {
		return err
	}
	out := notificationPageJSON{Items: make([]chat.NotificationJSON, 0, len(page.Items)), NextCursor: page.NextCursor,
		UnreadCount: page.UnreadCount}
	for i := range page.Items {
		out.Items = append(out.Items, chat.ToNotificationJSON(&page.Items[i]))
	}
	return c.JSON(out)
}

type readNotificationsRequest struct {
	IDs []string `json:"ids"`
	All bool     `json:"all"`
}

type readNotificationsJSON struct {
	Marked int `json:"marked"`
}

func (s *Server) readNotifications(c *fiber.Ctx) error {
	var req readNotificationsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	n, err := s.deps.Chat.MarkNotificationsRead(c.UserContext(), principal(c), req.IDs, req.All)
	if err != nil {
		return err
	}
	return c.JSON(readNotificationsJSON{Marked: n})
}

type notifyPreferencesJSON struct {
	Notify string `json:"notify"`
}

func (s *Server) getNotifyPreferences(c *fiber.Ctx) error {
	level, err := s.deps.Chat.Preferences(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(notifyPreferencesJSON{Notify: level})
}

func (s *Server) putNotifyPreferences(c *fiber.Ctx) error {
	var req notifyPreferencesJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.deps.Chat.SetPreferences(c.UserContext(), principal(c), req.Notify); err != nil {
		return err
	}
	return c.JSON(req)
}
