package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"nexus/app"
	"nexus/app/chat"
)

// Chat messages: posting, history, threads, edits, reactions, pins and
// attachments.

const messageColumns = `m.id, m.channel_id, m.seq, coalesce(m.parent_id, ''), m.author_id, m.body, m.html, m.created_at,
	m.edited_at, m.deleted_at, coalesce(m.deleted_by, ''), coalesce(m.promoted_document_id, ''), m.mentions, m.doc_links,
	m.mentions_all, m.reply_count, m.last_reply_at, m.participants, m.pinned_at, coalesce(m.pinned_by, ''),
	coalesce(u.name, ''), coalesce(u.email, ''), coalesce(u.role, ''), u.avatar_updated_at, u.deleted_at`

const messageFrom = ` FROM messages m LEFT JOIN users u ON u.id = m.author_id`

func scanMessage(row rowScanner) (*chat.Message, error) {
	var m chat.Message
	var created string
	var edited, deleted, lastReply, pinned, avatar, authorDeleted sql.NullString
	var mentions, docLinks, participants, role string
	if err := row.Scan(&m.ID, &m.ChannelID, &m.Seq, &m.ParentID, &m.AuthorID, &m.Body, &m.HTML, &created,
		&edited, &deleted, &m.DeletedBy, &m.PromotedDocumentID, &mentions, &docLinks,
		&m.MentionsAll, &m.ReplyCount, &lastReply, &participants, &pinned, &m.PinnedBy,
		&m.Author.Name, &m.Author.Email, &role, &avatar, &authorDeleted); err != nil {
		return nil, err
	}
	m.Author.ID, m.Author.Role, m.Author.Deleted = m.AuthorID, app.Role(role), authorDeleted.Valid
	var err error
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&m.EditedAt, edited}, {&m.DeletedAt, deleted}, {&m.LastReplyAt, lastReply}, {&m.PinnedAt, pinned}, {&m.Author.AvatarUpdatedAt, avatar}} {
		if *f.dst, err = parseNullTime(f.src); err != nil {
			return nil, err
		}
	}
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *[]string
		src string
	}{{&m.Mentions, mentions}, {&m.DocLinks, docLinks}, {&m.Participants, participants}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, fmt.Errorf("decode message %s: %w", m.ID, err)
		}
	}
	return &m, nil
}

func messageResult(m *chat.Message, err error) (*chat.Message, error) {
	return found(m, err, "Message")
}

func scanMessages(rows *sql.Rows) ([]chat.Message, error) {
	defer rows.Close()
	out := []chat.Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

const findMessageQuery = `SELECT ` + messageColumns + messageFrom + ` WHERE m.id = ?`

// FindMessageByID returns a not_found error when there is no such message.
func (s *Store) FindMessageByID(ctx context.Context, id string) (*chat.Message, error) {
	row, err := s.queryRow(ctx, findMessageQuery, id)
	if err != nil {
		return nil, err
	}
	return messageResult(scanMessage(row))
}

// FindMessageByID reads a message in the transaction.
func (t *Tx) FindMessageByID(ctx context.Context, id string) (*chat.Message, error) {
	row, err := t.queryRow(ctx, findMessageQuery, id)
	if err != nil {
		return nil, err
	}
	return messageResult(scanMessage(row))
}

// FindChannelMessages reads a page of a channel's thread roots, oldest
// first, walking the (channel_id, seq) index of roots.
func (s *Store) FindChannelMessages(ctx context.Context, q chat.MessageQuery) ([]chat.Message, error) {
	if q.AfterSeq > 0 || q.BeforeSeq == 0 {
		rows, err := s.chatRows(ctx, `SELECT `+messageColumns+messageFrom+`
			WHERE m.channel_id = ? AND m.parent_id IS NULL AND m.seq > ? ORDER BY m.seq LIMIT ?`, q.ChannelID, q.AfterSeq, q.Limit)
		if err != nil {
			return nil, err
		}
		return scanMessages(rows)
	}
	rows, err := s.chatRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.channel_id = ? AND m.parent_id IS NULL AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`, q.ChannelID, q.BeforeSeq, q.Limit)
	if err != nil {
		return nil, err
	}
	out, err := scanMessages(rows)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// FindThreadReplies lists a root's replies after seq, oldest first.
func (s *Store) FindThreadReplies(ctx context.Context, rootID string, afterSeq int64, limit int) ([]chat.Message, error) {
	rows, err := s.chatRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.parent_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`, rootID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

// FindPinnedMessages lists a channel's pinned messages, latest pin first.
func (s *Store) FindPinnedMessages(ctx context.Context, channelID string) ([]chat.Message, error) {
	rows, err := s.chatRows(ctx, `SELECT `+messageColumns+messageFrom+`
		WHERE m.channel_id = ? AND m.pinned_at IS NOT NULL AND m.deleted_at IS NULL ORDER BY m.pinned_at DESC, m.seq DESC LIMIT 500`,
		channelID)
	if err != nil {
		return nil, err
	}
	return scanMessages(rows)
}

// NextChannelSeq hands out the channel's next message sequence. Only
// channels that are not archived take messages.
func (t *Tx) NextChannelSeq(ctx context.Context, channelID string, at time.Time) (int64, error) {
	row, err := t.queryRow(ctx, `UPDATE channels SET last_seq = last_seq + 1, last_message_at = ?
		WHERE id = ? AND archived_at IS NULL RETURNING last_seq`, formatTime(at), channelID)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := row.Scan(&seq); errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("Channel")
	} else if err != nil {
		return 0, fmt.Errorf("next channel seq: %w", err)
	}
	return seq, nil
}

func marshalIDs(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// CreateMessage inserts a message.
func (t *Tx) CreateMessage(ctx context.Context, m *chat.Message) error {
	var parent any
	if m.ParentID != "" {
		parent = m.ParentID
	}
	if _, err := t.exec(ctx, `INSERT INTO messages (id, channel_id, seq, parent_id, author_id, body, html, created_at,
		mentions, doc_links, mentions_all, participants) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')`,
		m.ID, m.ChannelID, m.Seq, parent, m.AuthorID, m.Body, m.HTML, formatTime(m.CreatedAt),
		marshalIDs(m.Mentions), marshalIDs(m.DocLinks), m.MentionsAll); err != nil {
		return fmt.Errorf("create message: %w", err)
	}
	return nil
}

// UpdateMessageBody writes an edit.
func (t *Tx) UpdateMessageBody(ctx context.Context, m *chat.Message) error {
	if _, err := t.exec(ctx, `UPDATE messages SET body = ?, html = ?, mentions = ?, doc_links = ?, mentions_all = ?, edited_at = ?
		WHERE id = ?`, m.Body, m.HTML, marshalIDs(m.Mentions), marshalIDs(m.DocLinks), m.MentionsAll, nullTime(m.EditedAt), m.ID); err != nil {
		return fmt.Errorf("update message: %w", err)
	}
	return nil
}

// DeleteMessage blanks a message, unpins it and drops its mention rows.
func (t *Tx) DeleteMessage(ctx context.Context, id, by string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE messages SET deleted_at = ?, deleted_by = ?, body = '', html = '', mentions = '[]',
		doc_links = '[]', mentions_all = 0, pinned_at = NULL, pinned_by = NULL WHERE id = ?`, formatTime(at), by, id); err != nil {
		return fmt.Errorf("delete message: %w", err)
	}
	if _, err := t.exec(ctx, `DELETE FROM chat_mentions WHERE message_id = ?`, id); err != nil {
		return fmt.Errorf("delete message mentions: %w", err)
	}
	return nil
}

// AddMessageEdit keeps a previous version of a message.
func (t *Tx) AddMessageEdit(ctx context.Context, e *chat.Edit) error {
	if _, err := t.exec(ctx, `INSERT INTO message_edits (id, message_id, kind, body, written_at, replaced_at, replaced_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.MessageID, e.Kind, e.Body, formatTime(e.WrittenAt), formatTime(e.ReplacedAt),
		e.ReplacedBy.ID); err != nil {
		return fmt.Errorf("keep message version: %w", err)
	}
	return nil
}

// FindMessageEdits lists a message's previous versions, newest first.
func (s *Store) FindMessageEdits(ctx context.Context, messageID string) ([]chat.Edit, error) {
	rows, err := s.chatRows(ctx, `SELECT e.id, e.message_id, e.kind, e.body, e.written_at, e.replaced_at, e.replaced_by,
		coalesce(u.name, ''), u.deleted_at
		FROM message_edits e LEFT JOIN users u ON u.id = e.replaced_by
		WHERE e.message_id = ? ORDER BY e.replaced_at DESC, e.id DESC`, messageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Edit{}
	for rows.Next() {
		var e chat.Edit
		var written, replaced string
		var deleted sql.NullString
		if err := rows.Scan(&e.ID, &e.MessageID, &e.Kind, &e.Body, &written, &replaced, &e.ReplacedBy.ID,
			&e.ReplacedBy.Name, &deleted); err != nil {
			return nil, fmt.Errorf("scan message edit: %w", err)
		}
		e.ReplacedBy.Deleted = deleted.Valid
		if e.WrittenAt, err = parseTime(written); err != nil {
			return nil, err
		}
		if e.ReplacedAt, err = parseTime(replaced); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddReply counts a reply on its root and adds the replier to the root's
// participants (first reply first), in one statement.
func (t *Tx) AddReply(ctx context.Context, rootID, authorID string, at time.Time) error {
	if _, err := t.exec(ctx, `UPDATE messages SET reply_count = reply_count + 1, last_reply_at = ?1,
		participants = CASE WHEN EXISTS (SELECT 1 FROM json_each(participants) WHERE value = ?2) THEN participants
			ELSE json_insert(participants, '$[#]', ?2) END
		WHERE id = ?3`, formatTime(at), authorID, rootID); err != nil {
		return fmt.Errorf("count reply: %w", err)
	}
	return nil
}

// SetMessagePinned pins (by set) or unpins (by empty) a message.
func (t *Tx) SetMessagePinned(ctx context.Context, id, by string, at time.Time) error {
	var who any
	if by != "" {
		who = by
	}
	if _, err := t.exec(ctx, `UPDATE messages SET pinned_at = ?, pinned_by = ? WHERE id = ?`, nullTime(at), who, id); err != nil {
		return fmt.Errorf("pin message: %w", err)
	}
	return nil
}

// SetMessagePromoted records the document a message became.
func (t *Tx) SetMessagePromoted(ctx context.Context, id, documentID string) error {
	if _, err := t.exec(ctx, `UPDATE messages SET promoted_document_id = ? WHERE id = ?`, documentID, id); err != nil {
		return fmt.Errorf("link promoted document: %w", err)
	}
	return nil
}

// ToggleMessageReaction removes the reaction if present, else adds it.
func (t *Tx) ToggleMessageReaction(ctx context.Context, r chat.Reaction) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?`,
		r.MessageID, r.Emoji, r.UserID)
	if err != nil {
		return false, fmt.Errorf("remove reaction: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return false, err
	}
	if _, err := t.exec(ctx, `INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?)`,
		r.MessageID, r.Emoji, r.UserID, formatTime(r.CreatedAt)); err != nil {
		return false, fmt.Errorf("add reaction: %w", err)
	}
	return true, nil
}

// FindMessageReactions lists the reactions on messages, oldest first.
func (s *Store) FindMessageReactions(ctx context.Context, messageIDs []string) ([]chat.Reaction, error) {
	if len(messageIDs) == 0 {
		return nil, nil
	}
	rows, err := s.chatRows(ctx, `SELECT r.message_id, r.emoji, r.user_id, r.created_at, coalesce(u.name, '')
		FROM json_each(?) j CROSS JOIN message_reactions r ON r.message_id = j.value LEFT JOIN users u ON u.id = r.user_id
		ORDER BY r.created_at, r.emoji, r.user_id`, jsonIDs(messageIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.Reaction
	for rows.Next() {
		var r chat.Reaction
		var at string
		if err := rows.Scan(&r.MessageID, &r.Emoji, &r.UserID, &at, &r.UserName); err != nil {
			return nil, fmt.Errorf("scan reaction: %w", err)
		}
		if r.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FollowThread sets whether a user follows a thread. With keepExplicit an
// existing choice (an unfollow in particular) is left alone.
func (t *Tx) FollowThread(ctx context.Context, rootID, userID string, following, keepExplicit bool) error {
	q := `INSERT INTO thread_follows (root_id, user_id, following, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (root_id, user_id) DO UPDATE SET following = excluded.following, updated_at = excluded.updated_at`
	if keepExplicit {
		q = `INSERT INTO thread_follows (root_id, user_id, following, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (root_id, user_id) DO NOTHING`
	}
	if _, err := t.exec(ctx, q, rootID, userID, following, formatTime(t.now)); err != nil {
		return fmt.Errorf("follow thread: %w", err)
	}
	return nil
}

// FindThreadFollowers lists who follows a thread.
func (t *Tx) FindThreadFollowers(ctx context.Context, rootID string) ([]string, error) {
	st, err := t.stmt(ctx, `SELECT user_id FROM thread_follows WHERE root_id = ? AND following = 1`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, rootID)
}

// FindThreadFollowing reports which of the roots a user follows.
func (s *Store) FindThreadFollowing(ctx context.Context, userID string, rootIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(rootIDs) == 0 {
		return out, nil
	}
	st, err := s.readStmt(ctx, `SELECT f.root_id FROM json_each(?2) j CROSS JOIN thread_follows f
		ON f.root_id = j.value AND f.user_id = ?1 WHERE f.following = 1`)
	if err != nil {
		return nil, err
	}
	ids, err := accessQueryStrings(ctx, st, userID, jsonIDs(rootIDs))
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Attachments: the attachments table is the files module's (shared
// contract); chat reads and claims rows of it.

const chatAttachmentColumns = `a.id, a.owner_id, a.name, a.content_type, a.size, a.thumb_hash IS NOT NULL, a.created_at`

func scanChatAttachments(rows *sql.Rows) ([]chat.Attachment, error) {
	defer rows.Close()
	var out []chat.Attachment
	for rows.Next() {
		var a chat.Attachment
		var at string
		if err := rows.Scan(&a.ID, &a.OwnerID, &a.Name, &a.ContentType, &a.Size, &a.HasThumb, &at); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		var err error
		if a.CreatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindMessageAttachments lists the live attachments of messages.
func (s *Store) FindMessageAttachments(ctx context.Context, messageIDs []string) ([]chat.Attachment, error) {
	if len(messageIDs) == 0 {
		return nil, nil
	}
	rows, err := s.chatRows(ctx, `SELECT `+chatAttachmentColumns+`
		FROM json_each(?) j CROSS JOIN attachments a ON a.owner_type = 'message' AND a.owner_id = j.value
		WHERE a.deleted_at IS NULL ORDER BY a.created_at, a.id`, jsonIDs(messageIDs))
	if err != nil {
		return nil, err
	}
	return scanChatAttachments(rows)
}

// ChatAttachmentsOf lists one message's live attachments in the
// transaction.
func (t *Tx) ChatAttachmentsOf(ctx context.Context, messageID string) ([]chat.Attachment, error) {
	rows, err := t.chatRows(ctx, `SELECT `+chatAttachmentColumns+` FROM attachments a
		WHERE a.owner_type = 'message' AND a.owner_id = ? AND a.deleted_at IS NULL ORDER BY a.created_at, a.id`, messageID)
	if err != nil {
		return nil, err
	}
	return scanChatAttachments(rows)
}

// OwnedDraftAttachments counts the attachments among ids that userID
// uploaded as drafts for channelID and that are not deleted: chat claims
// only a poster's own drafts (ReassignAttachments, in store/files.go, does
// not look at the uploader).
func (t *Tx) OwnedDraftAttachments(ctx context.Context, ids []string, channelID, userID string) (int, error) {
	return t.countInt(ctx, `SELECT count(*) FROM attachments
		WHERE id IN (SELECT value FROM json_each(?1)) AND owner_type = 'draft' AND owner_id = ?2 AND uploaded_by = ?3
		  AND deleted_at IS NULL`, jsonIDs(ids), channelID, userID)
}
