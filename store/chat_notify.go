package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nexus/app/chat"
)

// Chat read state, mentions, notifications and notification preferences.

// FindChatUnread is the read state of every channel and DM a user is in,
// archived channels aside, in one query. Unread messages are the thread
// roots after the member's last_read_seq that others wrote and nobody
// deleted; each count walks the (channel_id, seq) index of roots from the
// read position, so a channel read to the end costs one index probe.
// Nothing is stored per member when someone posts.
func (s *Store) FindChatUnread(ctx context.Context, userID string) ([]chat.Unread, error) {
	rows, err := s.chatRows(ctx, `SELECT c.id, c.kind, c.last_seq, cm.last_read_seq, cm.muted,
		CASE WHEN c.last_seq <= cm.last_read_seq THEN 0 ELSE (SELECT count(*) FROM messages m
			WHERE m.channel_id = c.id AND m.parent_id IS NULL AND m.seq > cm.last_read_seq
			  AND m.deleted_at IS NULL AND m.author_id <> ?1) END AS unread,
		CASE WHEN c.last_seq <= cm.last_read_seq OR c.kind = 'dm' THEN 0 ELSE (SELECT count(*) FROM chat_mentions x
			WHERE x.user_id = ?1 AND x.channel_id = c.id AND x.seq > cm.last_read_seq) END AS mentions,
		CASE WHEN c.last_seq <= cm.last_read_seq THEN 0 ELSE coalesce((SELECT m.seq FROM messages m
			WHERE m.channel_id = c.id AND m.parent_id IS NULL AND m.seq > cm.last_read_seq
			  AND m.deleted_at IS NULL AND m.author_id <> ?1 ORDER BY m.seq LIMIT 1), 0) END AS first_unread
		FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
		WHERE cm.user_id = ?1 AND c.archived_at IS NULL
		ORDER BY c.id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Unread{}
	for rows.Next() {
		var u chat.Unread
		if err := rows.Scan(&u.ChannelID, &u.Kind, &u.LastSeq, &u.LastReadSeq, &u.Muted, &u.Unread, &u.Mentions,
			&u.FirstUnreadSeq); err != nil {
			return nil, fmt.Errorf("scan unread: %w", err)
		}
		if u.Kind == chat.KindDM {
			// In a DM every message is addressed to you.
			u.Mentions = u.Unread
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindFirstUnreadSeq is the first root after afterSeq that someone else
// wrote and nobody deleted; 0 when there is none.
func (s *Store) FindFirstUnreadSeq(ctx context.Context, channelID, userID string, afterSeq int64) (int64, error) {
	row, err := s.queryRow(ctx, `SELECT m.seq FROM messages m
		WHERE m.channel_id = ? AND m.parent_id IS NULL AND m.seq > ? AND m.deleted_at IS NULL AND m.author_id <> ?
		ORDER BY m.seq LIMIT 1`, channelID, afterSeq, userID)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := row.Scan(&seq); errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("first unread: %w", err)
	}
	return seq, nil
}

// AddChatMention records that a message mentions a user (for the badge).
func (t *Tx) AddChatMention(ctx context.Context, userID, channelID, messageID string, seq int64) error {
	if _, err := t.exec(ctx, `INSERT INTO chat_mentions (user_id, channel_id, seq, message_id) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, userID, channelID, seq, messageID); err != nil {
		return fmt.Errorf("add mention: %w", err)
	}
	return nil
}

// CreateNotification inserts a notification.
func (t *Tx) CreateNotification(ctx context.Context, n *chat.Notification) error {
	if _, err := t.exec(ctx, `INSERT INTO notifications (id, user_id, kind, channel_id, message_id, actor_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.UserID, n.Kind, chatNullString(n.ChannelID), chatNullString(n.MessageID),
		chatNullString(n.ActorID), formatTime(n.CreatedAt)); err != nil {
		return fmt.Errorf("create notification: %w", err)
	}
	return nil
}

func chatNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// MarkNotificationsRead marks a user's notifications (all, when ids is
// nil) read and reports how many changed.
func (t *Tx) MarkNotificationsRead(ctx context.Context, userID string, ids []string, at time.Time) (int, error) {
	q := `UPDATE notifications SET read_at = ?1 WHERE user_id = ?2 AND read_at IS NULL`
	args := []any{formatTime(at), userID}
	if ids != nil {
		q += ` AND id IN (SELECT value FROM json_each(?3))`
		args = append(args, jsonIDs(ids))
	}
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FindNotifications lists a user's notifications, newest first, with the
// actor, channel and a one-line excerpt of the message. The excerpt is
// empty when the message was deleted, or when the user has since left a
// private channel or DM (its current text is no longer theirs to read).
func (s *Store) FindNotifications(ctx context.Context, userID string, f chat.NotificationFilter) ([]chat.Notification, error) {
	rows, err := s.chatRows(ctx, `SELECT n.id, n.user_id, n.kind, coalesce(n.channel_id, ''), coalesce(n.message_id, ''),
		coalesce(n.actor_id, ''), n.created_at, n.read_at,
		coalesce(u.name, ''), coalesce(u.email, ''), u.deleted_at,
		coalesce(c.name, ''), coalesce(c.kind, ''), coalesce(m.parent_id, ''), coalesce(m.seq, 0),
		CASE WHEN m.deleted_at IS NULL AND (c.kind = 'public'
			OR EXISTS (SELECT 1 FROM channel_members x WHERE x.channel_id = n.channel_id AND x.user_id = n.user_id))
			THEN coalesce(m.body, '') ELSE '' END
		FROM notifications n
		LEFT JOIN users u ON u.id = n.actor_id
		LEFT JOIN channels c ON c.id = n.channel_id
		LEFT JOIN messages m ON m.id = n.message_id
		WHERE n.user_id = ?1 AND (?2 = '' OR n.id < ?2) AND (NOT ?3 OR n.read_at IS NULL)
		ORDER BY n.id DESC LIMIT ?4`, userID, f.BeforeID, f.UnreadOnly, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Notification{}
	for rows.Next() {
		var n chat.Notification
		var created, body string
		var read, actorDeleted sql.NullString
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.ChannelID, &n.MessageID, &n.ActorID, &created, &read,
			&n.Actor.Name, &n.Actor.Email, &actorDeleted, &n.ChannelName, &n.ChannelKind, &n.ParentID, &n.Seq, &body); err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		n.Actor.ID, n.Actor.Deleted = n.ActorID, actorDeleted.Valid
		if n.CreatedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		if n.ReadAt, err = parseNullTime(read); err != nil {
			return nil, err
		}
		n.Excerpt = chat.Excerpt(body)
		out = append(out, n)
	}
	return out, rows.Err()
}

// CountUnreadNotifications counts a user's unread notifications.
func (s *Store) CountUnreadNotifications(ctx context.Context, userID string) (int, error) {
	row, err := s.queryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count notifications: %w", err)
	}
	return n, nil
}

// FindChatNotifyLevel is a user's default notification level, "all" when
// they never chose one.
func (s *Store) FindChatNotifyLevel(ctx context.Context, userID string) (string, error) {
	row, err := s.queryRow(ctx, `SELECT notify FROM chat_preferences WHERE user_id = ?`, userID)
	if err != nil {
		return "", err
	}
	var level string
	if err := row.Scan(&level); errors.Is(err, sql.ErrNoRows) {
		return chat.NotifyAll, nil
	} else if err != nil {
		return "", fmt.Errorf("notification level: %w", err)
	}
	return level, nil
}

// SetChatNotifyLevel sets a user's default notification level.
func (t *Tx) SetChatNotifyLevel(ctx context.Context, userID, level string) error {
	if _, err := t.exec(ctx, `INSERT INTO chat_preferences (user_id, notify, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET notify = excluded.notify, updated_at = excluded.updated_at`,
		userID, level, formatTime(t.now)); err != nil {
		return fmt.Errorf("set notification level: %w", err)
	}
	return nil
}
