package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/chat"
)

// Chat: channels, DMs and their members. Messages are in chat_messages.go,
// read state and notifications in chat_notify.go.

func (s *Store) chatRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", firstLine(query), err)
	}
	return rows, nil
}

func (t *Tx) chatRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", firstLine(query), err)
	}
	return rows, nil
}

// jsonIDs encodes a list of IDs as one JSON array parameter, so a
// statement is prepared once whatever the list's length (json_each).
func jsonIDs(ids []string) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

const channelColumns = `c.id, c.kind, c.name, c.topic, c.purpose, c.archived_at, c.created_by, c.created_at, c.updated_at,
	c.version, c.last_seq, c.last_message_at, coalesce(c.dm_key, '')`

func scanChannel(row rowScanner, extra ...any) (*chat.Channel, error) {
	var c chat.Channel
	var archived, lastMsg sql.NullString
	var created, updated string
	dest := append([]any{&c.ID, &c.Kind, &c.Name, &c.Topic, &c.Purpose, &archived, &c.CreatedBy, &created, &updated,
		&c.Version, &c.LastSeq, &lastMsg, &c.DMKey}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if c.ArchivedAt, err = parseNullTime(archived); err != nil {
		return nil, err
	}
	if c.LastMessageAt, err = parseNullTime(lastMsg); err != nil {
		return nil, err
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &c, nil
}

func channelResult(c *chat.Channel, err error) (*chat.Channel, error) {
	return found(c, err, "Channel")
}

const findChannelQuery = `SELECT ` + channelColumns + ` FROM channels c WHERE c.id = ?`

// FindChannelByID returns a not_found error when there is no such channel.
func (s *Store) FindChannelByID(ctx context.Context, id string) (*chat.Channel, error) {
	row, err := s.queryRow(ctx, findChannelQuery, id)
	if err != nil {
		return nil, err
	}
	return channelResult(scanChannel(row))
}

// FindChannelByID reads a channel in the transaction.
func (t *Tx) FindChannelByID(ctx context.Context, id string) (*chat.Channel, error) {
	row, err := t.queryRow(ctx, findChannelQuery, id)
	if err != nil {
		return nil, err
	}
	return channelResult(scanChannel(row))
}

// FindChannelByDMKey returns nil, nil when no DM has exactly these people.
func (t *Tx) FindChannelByDMKey(ctx context.Context, key string) (*chat.Channel, error) {
	row, err := t.queryRow(ctx, `SELECT `+channelColumns+` FROM channels c WHERE c.dm_key = ?`, key)
	if err != nil {
		return nil, err
	}
	c, err := scanChannel(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scan channel: %w", err)
	}
	return c, nil
}

func errChannelNameTaken() error {
	return &app.Error{Code: app.CodeConflict, Message: "A channel with that name already exists.",
		Details: map[string]any{"field": "name"}}
}

// CreateChannel inserts a channel; a taken name is a conflict.
func (t *Tx) CreateChannel(ctx context.Context, c *chat.Channel) error {
	var dmKey any
	if c.DMKey != "" {
		dmKey = c.DMKey
	}
	_, err := t.exec(ctx, `INSERT INTO channels (id, kind, name, topic, purpose, archived_at, created_by, created_at, updated_at,
		version, last_seq, dm_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
		c.ID, c.Kind, c.Name, c.Topic, c.Purpose, nullTime(c.ArchivedAt), c.CreatedBy, formatTime(c.CreatedAt),
		formatTime(c.UpdatedAt), c.Version, dmKey)
	if isUniqueViolation(err) {
		return errChannelNameTaken()
	}
	if err != nil {
		return fmt.Errorf("create channel: %w", err)
	}
	return nil
}

// UpdateChannel writes a channel's name, topic, purpose, archive state,
// updated_at and version.
func (t *Tx) UpdateChannel(ctx context.Context, c *chat.Channel) error {
	_, err := t.exec(ctx, `UPDATE channels SET name = ?, topic = ?, purpose = ?, archived_at = ?, updated_at = ?, version = ?
		WHERE id = ?`, c.Name, c.Topic, c.Purpose, nullTime(c.ArchivedAt), formatTime(c.UpdatedAt), c.Version, c.ID)
	if isUniqueViolation(err) {
		return errChannelNameTaken()
	}
	if err != nil {
		return fmt.Errorf("update channel: %w", err)
	}
	return nil
}

const memberColumns = `cm.channel_id, cm.user_id, cm.role, cm.last_read_seq, cm.muted, cm.joined_at, cm.notify`

func scanMember(row rowScanner, extra ...any) (*chat.Member, error) {
	var m chat.Member
	var joined string
	dest := append([]any{&m.ChannelID, &m.UserID, &m.Role, &m.LastReadSeq, &m.Muted, &joined, &m.Notify}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if m.JoinedAt, err = parseTime(joined); err != nil {
		return nil, err
	}
	return &m, nil
}

func memberResult(m *chat.Member, err error) (*chat.Member, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scan channel member: %w", err)
	}
	return m, nil
}

const findMemberQuery = `SELECT ` + memberColumns + ` FROM channel_members cm WHERE cm.channel_id = ? AND cm.user_id = ?`

// FindChannelMember returns nil, nil when the user is not a member.
func (s *Store) FindChannelMember(ctx context.Context, channelID, userID string) (*chat.Member, error) {
	row, err := s.queryRow(ctx, findMemberQuery, channelID, userID)
	if err != nil {
		return nil, err
	}
	return memberResult(scanMember(row))
}

// findChannelForUserQuery binds ?1 to the resource type "channel", ?2 to
// the channel and ?3 to the user, as grantedRoleColumn expects.
const findChannelForUserQuery = `SELECT ` + channelColumns + `,
	cm.user_id, cm.role, cm.last_read_seq, cm.muted, cm.joined_at, cm.notify, ` + grantedRoleColumn + `
	FROM channels c LEFT JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ?3
	WHERE c.id = ?2`

// FindChannelForUser reads a channel, the user's membership of it (nil
// when they are not a member) and the role granted to the user on it
// (directly or through a team, as GrantedRole reads it) in one query;
// not_found when there is no such channel.
func (s *Store) FindChannelForUser(ctx context.Context, channelID, userID string) (*chat.Channel, *chat.Member, authz.ResourceRole, error) {
	row, err := s.queryRow(ctx, findChannelForUserQuery, authz.Channel, channelID, userID)
	if err != nil {
		return nil, nil, authz.NoRole, err
	}
	var uid, role, joined, notify sql.NullString
	var lastRead, rank sql.NullInt64
	var muted sql.NullBool
	c, err := channelResult(scanChannel(row, &uid, &role, &lastRead, &muted, &joined, &notify, &rank))
	if err != nil {
		return nil, nil, authz.NoRole, err
	}
	granted := authz.RoleOfRank(int(rank.Int64))
	if !uid.Valid {
		return c, nil, granted, nil
	}
	m := &chat.Member{ChannelID: c.ID, UserID: uid.String, Role: role.String, LastReadSeq: lastRead.Int64,
		Muted: muted.Bool, Notify: notify.String}
	if m.JoinedAt, err = parseTime(joined.String); err != nil {
		return nil, nil, authz.NoRole, err
	}
	return c, m, granted, nil
}

// FindChannelMember reads a membership in the transaction.
func (t *Tx) FindChannelMember(ctx context.Context, channelID, userID string) (*chat.Member, error) {
	row, err := t.queryRow(ctx, findMemberQuery, channelID, userID)
	if err != nil {
		return nil, err
	}
	return memberResult(scanMember(row))
}

// PutChannelMember inserts a membership or changes its role; it reports
// whether the row is new.
func (t *Tx) PutChannelMember(ctx context.Context, m *chat.Member) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO channel_members (channel_id, user_id, role, last_read_seq, muted, joined_at, notify)
		VALUES (?, ?, ?, ?, 0, ?, '') ON CONFLICT (channel_id, user_id) DO NOTHING`,
		m.ChannelID, m.UserID, m.Role, m.LastReadSeq, formatTime(m.JoinedAt))
	if err != nil {
		return false, fmt.Errorf("add channel member: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return n > 0, err
	}
	if _, err := t.exec(ctx, `UPDATE channel_members SET role = ? WHERE channel_id = ? AND user_id = ?`,
		m.Role, m.ChannelID, m.UserID); err != nil {
		return false, fmt.Errorf("change channel role: %w", err)
	}
	return false, nil
}

// DeleteChannelMember reports false when the user was not a member.
func (t *Tx) DeleteChannelMember(ctx context.Context, channelID, userID string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?`, channelID, userID)
	if err != nil {
		return false, fmt.Errorf("remove channel member: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *Tx) countInt(ctx context.Context, query string, args ...any) (int, error) {
	row, err := t.queryRow(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// CountChannelAdmins counts a channel's admins (deleted accounts aside).
func (t *Tx) CountChannelAdmins(ctx context.Context, channelID string) (int, error) {
	return t.countInt(ctx, `SELECT count(*) FROM channel_members cm JOIN users u ON u.id = cm.user_id AND u.deleted_at IS NULL
		WHERE cm.channel_id = ? AND cm.role = 'admin'`, channelID)
}

// CountChannelMembers counts a channel's members (deleted accounts aside).
func (t *Tx) CountChannelMembers(ctx context.Context, channelID string) (int, error) {
	return t.countInt(ctx, `SELECT count(*) FROM channel_members cm JOIN users u ON u.id = cm.user_id AND u.deleted_at IS NULL
		WHERE cm.channel_id = ?`, channelID)
}

// SetMemberRead moves a read position forward only; it returns the
// position after.
func (t *Tx) SetMemberRead(ctx context.Context, channelID, userID string, seq int64) (int64, error) {
	row, err := t.queryRow(ctx, `UPDATE channel_members SET last_read_seq = max(last_read_seq, ?)
		WHERE channel_id = ? AND user_id = ? RETURNING last_read_seq`, seq, channelID, userID)
	if err != nil {
		return 0, err
	}
	var read int64
	if err := row.Scan(&read); errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("set read position: %w", err)
	}
	return read, nil
}

// SetMemberReadTo sets a member's read position, also backwards.
func (t *Tx) SetMemberReadTo(ctx context.Context, channelID, userID string, seq int64) error {
	if _, err := t.exec(ctx, `UPDATE channel_members SET last_read_seq = ? WHERE channel_id = ? AND user_id = ?`,
		max(seq, 0), channelID, userID); err != nil {
		return fmt.Errorf("set read position: %w", err)
	}
	return nil
}

// SetMemberMute mutes or unmutes a channel for a member.
func (t *Tx) SetMemberMute(ctx context.Context, channelID, userID string, muted bool) error {
	if _, err := t.exec(ctx, `UPDATE channel_members SET muted = ? WHERE channel_id = ? AND user_id = ?`,
		muted, channelID, userID); err != nil {
		return fmt.Errorf("mute channel: %w", err)
	}
	return nil
}

// SetMemberNotify sets a member's notification level for the channel.
func (t *Tx) SetMemberNotify(ctx context.Context, channelID, userID, level string) error {
	if _, err := t.exec(ctx, `UPDATE channel_members SET notify = ? WHERE channel_id = ? AND user_id = ?`,
		level, channelID, userID); err != nil {
		return fmt.Errorf("set channel notification level: %w", err)
	}
	return nil
}

// SharesChannel reports whether every one of others is in a channel (not
// a DM) with userID.
func (t *Tx) SharesChannel(ctx context.Context, userID string, others []string) (bool, error) {
	n, err := t.countInt(ctx, `SELECT count(DISTINCT o.user_id) FROM channel_members mine
		JOIN channels c ON c.id = mine.channel_id AND c.kind <> 'dm'
		JOIN channel_members o ON o.channel_id = mine.channel_id AND o.user_id IN (SELECT value FROM json_each(?2))
		WHERE mine.user_id = ?1`, userID, jsonIDs(others))
	if err != nil {
		return false, err
	}
	uniq := map[string]bool{}
	for _, o := range others {
		uniq[o] = true
	}
	return n == len(uniq), nil
}

// FindChannelMemberIDs lists a channel's member user IDs.
func (s *Store) FindChannelMemberIDs(ctx context.Context, channelID string) ([]string, error) {
	st, err := s.readStmt(ctx, `SELECT user_id FROM channel_members WHERE channel_id = ?`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, channelID)
}

const memberCountColumn = `(SELECT count(*) FROM channel_members x JOIN users xu ON xu.id = x.user_id AND xu.deleted_at IS NULL
	WHERE x.channel_id = c.id)`

// CountChannelMembers counts a channel's members (deleted accounts aside).
func (s *Store) CountChannelMembers(ctx context.Context, channelID string) (int, error) {
	row, err := s.queryRow(ctx, `SELECT `+memberCountColumn+` FROM channels c WHERE c.id = ?`, channelID)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("count channel members: %w", err)
	}
	return n, nil
}

// FindMemberChannels lists the channels (or DMs) a user is in with their
// membership: channels by name, DMs most recently active first.
func (s *Store) FindMemberChannels(ctx context.Context, userID string, dms, includeArchived bool) ([]chat.Channel, []chat.Member, error) {
	order := `c.name COLLATE NOCASE, c.id`
	if dms {
		order = `coalesce(c.last_message_at, c.created_at) DESC, c.id`
	}
	rows, err := s.chatRows(ctx, `SELECT `+channelColumns+`, `+memberCountColumn+`, `+memberColumns+`
		FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
		WHERE cm.user_id = ?1 AND (c.kind = 'dm') = ?2 AND (?3 OR c.archived_at IS NULL)
		ORDER BY `+order, userID, dms, includeArchived)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	chans, members := []chat.Channel{}, []chat.Member{}
	for rows.Next() {
		var m chat.Member
		var joined string
		var count int
		c, err := scanChannel(rows, &count, &m.ChannelID, &m.UserID, &m.Role, &m.LastReadSeq, &m.Muted, &joined, &m.Notify)
		if err != nil {
			return nil, nil, fmt.Errorf("scan channel: %w", err)
		}
		if m.JoinedAt, err = parseTime(joined); err != nil {
			return nil, nil, err
		}
		c.MemberCount = count
		chans, members = append(chans, *c), append(members, m)
	}
	return chans, members, rows.Err()
}

func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
}

// FindBrowsableChannels lists the public channels, and the private ones
// among grantedIDs, that a user is not in, matching q, by name.
func (s *Store) FindBrowsableChannels(ctx context.Context, userID string, grantedIDs []string, q string, limit int) ([]chat.Channel, error) {
	rows, err := s.chatRows(ctx, `SELECT `+channelColumns+`, `+memberCountColumn+` FROM channels c
		WHERE (c.kind = 'public' OR c.kind = 'private' AND c.id IN (SELECT value FROM json_each(?2)))
		  AND c.archived_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = c.id AND cm.user_id = ?1)
		  AND (?3 = '' OR c.name LIKE ?4 ESCAPE '\' OR c.topic LIKE ?4 ESCAPE '\' OR c.purpose LIKE ?4 ESCAPE '\')
		ORDER BY c.name COLLATE NOCASE, c.id LIMIT ?5`, userID, jsonIDs(grantedIDs), q, likePattern(q), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Channel{}
	for rows.Next() {
		var count int
		c, err := scanChannel(rows, &count)
		if err != nil {
			return nil, fmt.Errorf("scan channel: %w", err)
		}
		c.MemberCount = count
		out = append(out, *c)
	}
	return out, rows.Err()
}

const userRefColumns = `u.id, u.name, u.email, u.role, u.avatar_updated_at, u.deleted_at`

func scanUserRef(dest *chat.UserRef) (fields []any, finish func() error) {
	var role string
	var avatar, deleted sql.NullString
	return []any{&dest.ID, &dest.Name, &dest.Email, &role, &avatar, &deleted}, func() error {
		dest.Role = app.Role(role)
		var err error
		if dest.AvatarUpdatedAt, err = parseNullTime(avatar); err != nil {
			return err
		}
		dest.Deleted = deleted.Valid
		return nil
	}
}

// FindChannelMembers lists a channel's members (not deleted accounts) by
// name; q matches part of the name or email.
func (s *Store) FindChannelMembers(ctx context.Context, channelID, q string, limit int) ([]chat.Member, error) {
	rows, err := s.chatRows(ctx, `SELECT `+memberColumns+`, `+userRefColumns+`
		FROM channel_members cm JOIN users u ON u.id = cm.user_id
		WHERE cm.channel_id = ?1 AND u.deleted_at IS NULL
		  AND (?2 = '' OR u.name LIKE ?3 ESCAPE '\' OR u.email LIKE ?3 ESCAPE '\' OR replace(u.name, ' ', '') LIKE ?3 ESCAPE '\')
		ORDER BY u.name COLLATE NOCASE, u.id LIMIT ?4`, channelID, q, likePattern(q), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Member{}
	for rows.Next() {
		var ref chat.UserRef
		fields, finish := scanUserRef(&ref)
		m, err := scanMember(rows, fields...)
		if err != nil {
			return nil, fmt.Errorf("scan channel member: %w", err)
		}
		if err := finish(); err != nil {
			return nil, err
		}
		m.User = ref
		out = append(out, *m)
	}
	return out, rows.Err()
}

// FindDMParticipants lists the people of each DM, by name.
func (s *Store) FindDMParticipants(ctx context.Context, channelIDs []string) (map[string][]chat.UserRef, error) {
	out := map[string][]chat.UserRef{}
	if len(channelIDs) == 0 {
		return out, nil
	}
	rows, err := s.chatRows(ctx, `SELECT cm.channel_id, `+userRefColumns+`
		FROM json_each(?) j CROSS JOIN channel_members cm ON cm.channel_id = j.value JOIN users u ON u.id = cm.user_id
		ORDER BY cm.channel_id, u.name COLLATE NOCASE, u.id`, jsonIDs(channelIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var channelID string
		var ref chat.UserRef
		fields, finish := scanUserRef(&ref)
		if err := rows.Scan(append([]any{&channelID}, fields...)...); err != nil {
			return nil, fmt.Errorf("scan participant: %w", err)
		}
		if err := finish(); err != nil {
			return nil, err
		}
		out[channelID] = append(out[channelID], ref)
	}
	return out, rows.Err()
}

// FindChatUserRefs names users by ID.
func (s *Store) FindChatUserRefs(ctx context.Context, ids []string) (map[string]chat.UserRef, error) {
	out := map[string]chat.UserRef{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.chatRows(ctx, `SELECT `+userRefColumns+` FROM users u WHERE u.id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ref chat.UserRef
		fields, finish := scanUserRef(&ref)
		if err := rows.Scan(fields...); err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		if err := finish(); err != nil {
			return nil, err
		}
		out[ref.ID] = ref
	}
	return out, rows.Err()
}

// ResolveChatHandle finds the active user an @handle names: the local
// part of the email or the name without spaces, ignoring ASCII case. When
// several people match, members of the channel win; a tie that remains is
// no match (an @mention must never notify the wrong person).
func (s *Store) ResolveChatHandle(ctx context.Context, channelID, handle string) (chat.UserRef, bool, error) {
	rows, err := s.chatRows(ctx, `SELECT `+userRefColumns+`,
		EXISTS (SELECT 1 FROM channel_members cm WHERE cm.channel_id = ?1 AND cm.user_id = u.id) AS member
		FROM users u
		WHERE u.deleted_at IS NULL AND u.status = 'active'
		  AND (substr(u.email, 1, instr(u.email, '@') - 1) = lower(?2) OR replace(u.name, ' ', '') = ?2 COLLATE NOCASE)
		ORDER BY member DESC LIMIT 3`, channelID, handle)
	if err != nil {
		return chat.UserRef{}, false, err
	}
	defer rows.Close()
	type hit struct {
		ref    chat.UserRef
		member bool
	}
	var hits []hit
	for rows.Next() {
		var h hit
		fields, finish := scanUserRef(&h.ref)
		if err := rows.Scan(append(fields, &h.member)...); err != nil {
			return chat.UserRef{}, false, fmt.Errorf("scan user: %w", err)
		}
		if err := finish(); err != nil {
			return chat.UserRef{}, false, err
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return chat.UserRef{}, false, err
	}
	if len(hits) == 0 || len(hits) > 1 && hits[1].member == hits[0].member {
		return chat.UserRef{}, false, nil
	}
	return hits[0].ref, true, nil
}

// FindChannelMembersForNotify lists members (all, or those among userIDs)
// who can be notified, with their levels.
func (t *Tx) FindChannelMembersForNotify(ctx context.Context, channelID string, userIDs []string) ([]chat.NotifyTarget, error) {
	q := `SELECT cm.user_id, cm.muted, cm.notify, coalesce(p.notify, '')
		FROM channel_members cm JOIN users u ON u.id = cm.user_id AND u.deleted_at IS NULL AND u.status = 'active'
		LEFT JOIN chat_preferences p ON p.user_id = cm.user_id
		WHERE cm.channel_id = ?1`
	args := []any{channelID}
	if userIDs != nil {
		q += ` AND cm.user_id IN (SELECT value FROM json_each(?2))`
		args = append(args, jsonIDs(userIDs))
	}
	rows, err := t.chatRows(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []chat.NotifyTarget
	for rows.Next() {
		var n chat.NotifyTarget
		if err := rows.Scan(&n.UserID, &n.Muted, &n.Notify, &n.Default); err != nil {
			return nil, fmt.Errorf("scan notify target: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// (*Tx implements chat.Tx: checked in main.go.)
