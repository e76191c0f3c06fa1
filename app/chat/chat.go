// Package chat is team chat: channels, direct messages, threads, reactions,
// pins, mentions, read state and notifications.
//
// Channel permission is authz's (a channel is Resource{Type: "channel"};
// channel admins hold manager, members editor), with one chat rule on top:
// private channels and direct messages are visible only to their members —
// organisation owners and admins included (see docs/permissions.md, "Chat").
//
// A post is one write transaction: the message, the channel's sequence
// bump, the author's read position and the outbox event, plus mention and
// notification rows only for the people a message addresses. Nothing is
// written per member: unread counts are computed from sequences.
package chat

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// Channel kinds.
const (
	KindPublic  = "public"
	KindPrivate = "private"
	KindDM      = "dm"
)

// Channel member roles. A channel admin holds the manager role on the
// channel resource, a member the editor role.
const (
	RoleMember = "member"
	RoleAdmin  = "admin"
)

// Notification levels, per user (default) and per channel (override).
const (
	NotifyDefault  = "" // per channel: follow the user's level
	NotifyAll      = "all"
	NotifyMentions = "mentions"
	NotifyNone     = "none"
)

// Notification kinds written by chat.
const (
	NotifyKindMention = "mention" // @you
	NotifyKindChannel = "channel" // @channel
	NotifyKindHere    = "here"    // @here
	NotifyKindDM      = "dm"      // a message in a direct message
	NotifyKindReply   = "reply"   // a reply in a thread you follow
)

// Limits.
const (
	MaxChannelName  = 80
	MaxTopic        = 250
	MaxPurpose      = 250
	MaxBody         = 16000 // characters
	MaxDMPeople     = 8     // including the one who opens it
	MaxAttachments  = 10
	MaxHistoryLimit = 200
	DefaultLimit    = 50
)

// MentionsAll bits on a message.
const (
	MentionsChannelBit = 1
	MentionsHereBit    = 2
)

// Channel is a public or private channel, or a direct message.
type Channel struct {
	ID            string
	Kind          string
	Name          string
	Topic         string
	Purpose       string
	ArchivedAt    time.Time
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
	LastSeq       int64
	LastMessageAt time.Time
	DMKey         string
	// Filled by listings and Get.
	MemberCount int
}

// Archived reports whether the channel is archived (read-only).
func (c *Channel) Archived() bool { return !c.ArchivedAt.IsZero() }

// Resource is the channel as authz sees it.
func (c *Channel) Resource() authz.Resource {
	vis := authz.VisibleToMembers
	if c.Kind == KindPublic {
		vis = authz.VisibleToOrg
	}
	return authz.Resource{Type: authz.Channel, ID: c.ID, Visibility: vis}
}

// Member is one user's membership of a channel with their read state.
type Member struct {
	ChannelID   string
	UserID      string
	Role        string
	LastReadSeq int64
	Muted       bool
	Notify      string
	JoinedAt    time.Time
	// Filled by member listings.
	User UserRef
}

// UserRef is how a message or a list names a user.
type UserRef struct {
	ID              string
	Name            string
	Email           string
	Role            app.Role
	AvatarUpdatedAt time.Time
	Deleted         bool
}

// Message is one chat message (a thread root or a reply).
type Message struct {
	ID                 string
	ChannelID          string
	Seq                int64
	ParentID           string
	AuthorID           string
	Body               string
	HTML               string
	CreatedAt          time.Time
	EditedAt           time.Time
	DeletedAt          time.Time
	DeletedBy          string
	PromotedDocumentID string
	Mentions           []string // user IDs
	DocLinks           []string // document IDs linked
	MentionsAll        int      // MentionsChannelBit | MentionsHereBit
	ReplyCount         int
	LastReplyAt        time.Time
	Participants       []string // thread roots: distinct reply authors, first replier first
	PinnedAt           time.Time
	PinnedBy           string
	// Filled when read.
	Author UserRef
}

// Deleted reports whether the message was deleted.
func (m *Message) Deleted() bool { return !m.DeletedAt.IsZero() }

// Reaction is one user's reaction.
type Reaction struct {
	MessageID string
	Emoji     string
	UserID    string
	CreatedAt time.Time
	UserName  string
}

// Attachment is the part of a file attachment a message shows.
type Attachment struct {
	ID          string
	OwnerID     string
	Name        string
	ContentType string
	Size        int64
	HasThumb    bool
	CreatedAt   time.Time
}

// Edit is a previous version of a message.
type Edit struct {
	ID         string
	MessageID  string
	Kind       string // "edit" or "delete"
	Body       string
	WrittenAt  time.Time
	ReplacedAt time.Time
	ReplacedBy UserRef
}

// Notification is one entry of a user's notification centre.
type Notification struct {
	ID        string
	UserID    string
	Kind      string
	ChannelID string
	MessageID string
	ActorID   string
	CreatedAt time.Time
	ReadAt    time.Time
	// Filled when listed.
	Actor       UserRef
	ChannelName string
	ChannelKind string
	ParentID    string
	Excerpt     string // "" when the message was deleted
	Seq         int64
}

// Unread is a member's read state of one channel.
type Unread struct {
	ChannelID      string
	Kind           string
	LastSeq        int64
	LastReadSeq    int64
	Unread         int
	Mentions       int
	FirstUnreadSeq int64 // 0 when nothing is unread
	Muted          bool
}

// Store is what chat reads. Reads see the last committed write.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error

	FindChannelByID(ctx context.Context, id string) (*Channel, error)
	// FindChannelMember returns nil, nil when the user is not a member.
	FindChannelMember(ctx context.Context, channelID, userID string) (*Member, error)
	// FindChannelForUser reads a channel (not_found when there is none),
	// the user's membership (nil when not a member) and the role granted
	// to the user on it (what GrantedRole would answer) together.
	FindChannelForUser(ctx context.Context, channelID, userID string) (*Channel, *Member, authz.ResourceRole, error)
	// FindMemberChannels lists the channels (or DMs, with dms) userID is a
	// member of, by name (DMs by last activity), with member counts.
	FindMemberChannels(ctx context.Context, userID string, dms, includeArchived bool) ([]Channel, []Member, error)
	// FindBrowsableChannels lists public channels (and the private ones in
	// grantedIDs) userID is not a member of, matching q.
	FindBrowsableChannels(ctx context.Context, userID string, grantedIDs []string, q string, limit int) ([]Channel, error)
	// FindChannelMembers lists members with their users, matching q (name
	// or email) when set, by name.
	FindChannelMembers(ctx context.Context, channelID, q string, limit int) ([]Member, error)
	FindChannelMemberIDs(ctx context.Context, channelID string) ([]string, error)
	// CountChannelMembers counts members whose accounts were not deleted.
	CountChannelMembers(ctx context.Context, channelID string) (int, error)
	// FindDMParticipants lists each DM's members (for names), keyed by
	// channel ID.
	FindDMParticipants(ctx context.Context, channelIDs []string) (map[string][]UserRef, error)
	// GrantedRole is the role granted on a resource to the user directly or
	// through a team, ignoring the global role.
	GrantedRole(ctx context.Context, userID, resourceType, resourceID string) (authz.ResourceRole, error)
	// FindChatUserRefs names users.
	FindChatUserRefs(ctx context.Context, ids []string) (map[string]UserRef, error)
	// ResolveChatHandle finds the active user a mention handle names: the
	// local part of their email or their name without spaces, ignoring
	// ASCII case; members of channelID win ties. ok is false when nobody or
	// several people match.
	ResolveChatHandle(ctx context.Context, channelID, handle string) (u UserRef, ok bool, err error)

	FindMessageByID(ctx context.Context, id string) (*Message, error)
	// FindMessages lists thread roots of a channel (see MessageQuery),
	// oldest first.
	FindChannelMessages(ctx context.Context, q MessageQuery) ([]Message, error)
	// FindThreadReplies lists a root's replies after seq, oldest first.
	FindThreadReplies(ctx context.Context, rootID string, afterSeq int64, limit int) ([]Message, error)
	FindPinnedMessages(ctx context.Context, channelID string) ([]Message, error)
	FindMessageReactions(ctx context.Context, messageIDs []string) ([]Reaction, error)
	// FindMessageAttachments lists live attachments owned by the messages.
	FindMessageAttachments(ctx context.Context, messageIDs []string) ([]Attachment, error)
	FindMessageEdits(ctx context.Context, messageID string) ([]Edit, error)
	// FindThreadFollowing lists which of the roots userID follows.
	FindThreadFollowing(ctx context.Context, userID string, rootIDs []string) (map[string]bool, error)

	// FindUnread is the read state of every channel userID is a member
	// of, in one query.
	FindChatUnread(ctx context.Context, userID string) ([]Unread, error)
	// FindFirstUnreadSeq is the first thread root after afterSeq not
	// written by userID; 0 when none.
	FindFirstUnreadSeq(ctx context.Context, channelID, userID string, afterSeq int64) (int64, error)
	FindNotifications(ctx context.Context, userID string, f NotificationFilter) ([]Notification, error)
	CountUnreadNotifications(ctx context.Context, userID string) (int, error)
	// FindChatNotifyLevel is the user's default level ("all" when unset).
	FindChatNotifyLevel(ctx context.Context, userID string) (string, error)
}

// MessageQuery selects a page of a channel's thread roots by sequence.
// At most one of BeforeSeq, AfterSeq is set; neither means the newest.
type MessageQuery struct {
	ChannelID string
	BeforeSeq int64 // seq < BeforeSeq, newest first, then reversed
	AfterSeq  int64 // seq > AfterSeq, oldest first
	Limit     int
}

// NotificationFilter pages a user's notifications, newest first.
type NotificationFilter struct {
	BeforeID   string
	UnreadOnly bool
	Limit      int
}

// Tx is a write transaction. Every row written in it shares Now().
type Tx interface {
	Now() time.Time
	FindUserByID(ctx context.Context, id string) (*app.User, error)
	FindTeamByID(ctx context.Context, id string) (*authz.Team, error)
	FindTeamMemberIDs(ctx context.Context, teamID string) ([]string, error)

	// CreateChannel inserts c; a taken name (or DM key) is a conflict.
	CreateChannel(ctx context.Context, c *Channel) error
	// FindChannelByDMKey returns nil, nil when there is none.
	FindChannelByDMKey(ctx context.Context, key string) (*Channel, error)
	FindChannelByID(ctx context.Context, id string) (*Channel, error)
	// UpdateChannel writes name, topic, purpose, archived_at, updated_at
	// and version.
	UpdateChannel(ctx context.Context, c *Channel) error
	// FindChannelMember returns nil, nil when the user is not a member.
	FindChannelMember(ctx context.Context, channelID, userID string) (*Member, error)
	// PutChannelMember inserts a member or changes their role; it reports
	// whether the user was not a member before.
	PutChannelMember(ctx context.Context, m *Member) (bool, error)
	// DeleteChannelMember reports false when the user was not a member.
	DeleteChannelMember(ctx context.Context, channelID, userID string) (bool, error)
	CountChannelAdmins(ctx context.Context, channelID string) (int, error)
	CountChannelMembers(ctx context.Context, channelID string) (int, error)
	// FindChannelMembersForNotify lists members with their notification
	// settings and their default level.
	FindChannelMembersForNotify(ctx context.Context, channelID string, userIDs []string) ([]NotifyTarget, error)
	// SetMemberRead moves the member's read position to seq if it is
	// further; it reports the position after.
	SetMemberRead(ctx context.Context, channelID, userID string, seq int64) (int64, error)
	// SetMemberReadTo sets the member's read position to seq, also
	// backwards (mark as unread).
	SetMemberReadTo(ctx context.Context, channelID, userID string, seq int64) error
	SetMemberMute(ctx context.Context, channelID, userID string, muted bool) error
	SetMemberNotify(ctx context.Context, channelID, userID, level string) error
	// SharesChannel reports whether userID and every one of others share
	// a (non-DM) channel.
	SharesChannel(ctx context.Context, userID string, others []string) (bool, error)

	// NextChannelSeq bumps the channel's sequence and returns the new value.
	NextChannelSeq(ctx context.Context, channelID string, at time.Time) (int64, error)
	CreateMessage(ctx context.Context, m *Message) error
	FindMessageByID(ctx context.Context, id string) (*Message, error)
	// UpdateMessageBody writes body, html, mentions, doc_links,
	// mentions_all and edited_at.
	UpdateMessageBody(ctx context.Context, m *Message) error
	// DeleteMessage blanks the message and marks it deleted.
	DeleteMessage(ctx context.Context, id, by string, at time.Time) error
	AddMessageEdit(ctx context.Context, e *Edit) error
	// AddReply updates a root's reply count, last reply time and
	// participants.
	AddReply(ctx context.Context, rootID, authorID string, at time.Time) error
	SetMessagePinned(ctx context.Context, id, by string, at time.Time) error
	SetMessagePromoted(ctx context.Context, id, documentID string) error
	// ToggleMessageReaction adds the reaction, or removes it when present;
	// added says which.
	ToggleMessageReaction(ctx context.Context, r Reaction) (added bool, err error)
	// FollowThread sets following; keepExplicit leaves an existing row
	// alone (an explicit unfollow stays).
	FollowThread(ctx context.Context, rootID, userID string, following, keepExplicit bool) error
	FindThreadFollowers(ctx context.Context, rootID string) ([]string, error)
	// OwnedDraftAttachments counts the attachments among ids that are
	// drafts for channelID uploaded by userID and not deleted.
	OwnedDraftAttachments(ctx context.Context, ids []string, channelID, userID string) (int, error)
	// ReassignAttachments (the files module's) moves live attachments from
	// one owner to another, all or none.
	ReassignAttachments(ctx context.Context, ids []string, fromType, fromID, toType, toID string) error
	// ChatAttachmentsOf lists a message's live attachments.
	ChatAttachmentsOf(ctx context.Context, messageID string) ([]Attachment, error)

	AddChatMention(ctx context.Context, userID, channelID, messageID string, seq int64) error
	CreateNotification(ctx context.Context, n *Notification) error
	// MarkNotificationsRead marks ids (all of the user's when ids is nil)
	// read; it reports how many changed.
	MarkNotificationsRead(ctx context.Context, userID string, ids []string, at time.Time) (int, error)
	SetChatNotifyLevel(ctx context.Context, userID, level string) error

	PutGrant(ctx context.Context, g authz.Grant) error
	DeleteGrant(ctx context.Context, resourceType, resourceID string, to authz.Grantee) (bool, error)
	FindGrant(ctx context.Context, resourceType, resourceID string, to authz.Grantee) (authz.ResourceRole, error)

	AppendAudit(ctx context.Context, e app.AuditEntry) error
	AppendEvent(ctx context.Context, e app.Event) error
}

// NotifyTarget is a member as the notification rules see them.
type NotifyTarget struct {
	UserID  string
	Muted   bool
	Notify  string // channel override, "" for the default
	Default string // the user's default level
}

// Level is the member's effective notification level in the channel.
func (t NotifyTarget) Level() string {
	if t.Notify != NotifyDefault {
		return t.Notify
	}
	if t.Default == "" {
		return NotifyAll
	}
	return t.Default
}

// DocumentCreator turns a message into a knowledge-base document; the
// knowledge base (kb.Service) implements it and checks that p may write in
// the space.
type DocumentCreator interface {
	CreateFromMessage(ctx context.Context, p *app.Principal, spaceID, title, body, sourceURL string) (docID string, err error)
}

// DocumentPreviewer describes a document for a preview card, if p may see
// it.
type DocumentPreviewer interface {
	Preview(ctx context.Context, p *app.Principal, docID string) (title, excerpt, spaceName string, ok bool)
}

// DocumentResolver maps a [[Document title]] to a document p may see.
// Optional: without it, [[links]] in chat render as missing.
type DocumentResolver interface {
	ResolveTitle(ctx context.Context, p *app.Principal, title string) (docID string, ok bool)
}

// PresenceSource reports online/away/offline per user (the realtime
// gateway).
type PresenceSource interface {
	Presence(userIDs []string) map[string]string
}

// Service runs the chat use-cases.
type Service struct {
	store Store
	authz *authz.Service
	log   *slog.Logger

	mu       sync.RWMutex
	creator  DocumentCreator
	preview  DocumentPreviewer
	resolver DocumentResolver
	presence PresenceSource

	members *memberCache
}

// NewService returns the chat service.
func NewService(store Store, az *authz.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, authz: az, log: log, members: newMemberCache(store)}
}

// SetDocuments connects the knowledge base: promotion, preview cards and
// [[title]] links. Any of them may be nil.
func (s *Service) SetDocuments(c DocumentCreator, p DocumentPreviewer, r DocumentResolver) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creator, s.preview, s.resolver = c, p, r
}

// SetPresence connects the realtime gateway's presence tracker.
func (s *Service) SetPresence(p PresenceSource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.presence = p
}

func (s *Service) documents() (DocumentCreator, DocumentPreviewer, DocumentResolver) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.creator, s.preview, s.resolver
}

func (s *Service) presenceSource() PresenceSource {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.presence
}

// Presence is the presence of users ("offline" for everyone when there
// is no realtime gateway).
func (s *Service) Presence(userIDs []string) map[string]string {
	out := make(map[string]string, len(userIDs))
	src := s.presenceSource()
	var got map[string]string
	if src != nil {
		got = src.Presence(userIDs)
	}
	for _, id := range userIDs {
		if st, ok := got[id]; ok && st != "" {
			out[id] = st
		} else {
			out[id] = "offline"
		}
	}
	return out
}

// errors shared by the use-cases.

func errChannelNotFound() error {
	return &app.Error{Code: app.CodeNotFound, Message: "Channel not found.", Err: app.ErrNotFound}
}

func errMessageNotFound() error {
	return &app.Error{Code: app.CodeNotFound, Message: "Message not found.", Err: app.ErrNotFound}
}

func errArchived() error {
	return &app.Error{Code: app.CodeConflict, Message: "This channel is archived; unarchive it first.",
		Details: map[string]any{"reason": "archived"}}
}

func errNotMember() error {
	return &app.Error{Code: app.CodeForbidden, Message: "Join the channel first.",
		Details: map[string]any{"reason": "not_member"}}
}

func actorEntry(p *app.Principal, meta app.RequestMeta, at time.Time, action, targetType, targetID string, details map[string]any) app.AuditEntry {
	return app.AuditEntry{At: at, ActorID: p.User.ID, ActorLabel: p.User.Email, Action: action,
		TargetType: targetType, TargetID: targetID, IP: meta.IP, UserAgent: meta.UserAgent,
		Result: app.AuditSuccess, Details: details}
}
