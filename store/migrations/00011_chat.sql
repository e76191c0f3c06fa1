-- Chat: channels and direct messages, their members and read state,
-- messages with threads, edits, reactions and pins, mentions, thread
-- follows, notifications and notification preferences.
--
-- channels, channel_members and messages are part of the shared contract
-- (other modules may read them); the columns after the contract's are
-- chat's own bookkeeping.

-- +goose Up
CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('public', 'private', 'dm')),
    name        TEXT NOT NULL DEFAULT '',
    topic       TEXT NOT NULL DEFAULT '',
    purpose     TEXT NOT NULL DEFAULT '',
    archived_at TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    -- The last message sequence handed out in this channel. Posting bumps
    -- it in the message's transaction, so sequences never repeat, and
    -- unread counts are "messages after my last_read_seq": nothing is
    -- written per member when someone posts.
    last_seq        INTEGER NOT NULL DEFAULT 0,
    last_message_at TEXT,
    -- DMs only: the sorted participant IDs joined with ',', so that opening
    -- a DM with the same people finds the same channel.
    dm_key TEXT
) STRICT;
-- Channel names are unique among channels (not DMs), ignoring ASCII case;
-- Hangul has no case.
CREATE UNIQUE INDEX channels_name ON channels (name COLLATE NOCASE) WHERE kind <> 'dm';
CREATE UNIQUE INDEX channels_dm_key ON channels (dm_key) WHERE dm_key IS NOT NULL;
-- Browsing public channels.
CREATE INDEX channels_kind ON channels (kind, name COLLATE NOCASE);

CREATE TABLE channel_members (
    channel_id    TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id),
    role          TEXT NOT NULL CHECK (role IN ('member', 'admin')),
    last_read_seq INTEGER NOT NULL DEFAULT 0,
    muted         INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1)),
    joined_at     TEXT NOT NULL,
    -- Notification level for this channel: '' follows the user's default.
    notify        TEXT NOT NULL DEFAULT '' CHECK (notify IN ('', 'all', 'mentions', 'none')),
    PRIMARY KEY (channel_id, user_id)
) STRICT, WITHOUT ROWID;
-- "My channels", the unread query and the realtime membership check.
CREATE INDEX channel_members_user ON channel_members (user_id, channel_id);

CREATE TABLE messages (
    id                   TEXT PRIMARY KEY,
    channel_id           TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    seq                  INTEGER NOT NULL,
    parent_id            TEXT REFERENCES messages (id),
    author_id            TEXT NOT NULL,
    body                 TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    edited_at            TEXT,
    deleted_at           TEXT,
    promoted_document_id TEXT,
    -- Rendered once when written, so reading history never re-renders.
    html        TEXT NOT NULL DEFAULT '',
    -- JSON arrays: user IDs mentioned; document IDs linked (preview cards);
    -- for a thread root, the distinct authors of its replies.
    mentions     TEXT NOT NULL DEFAULT '[]',
    doc_links    TEXT NOT NULL DEFAULT '[]',
    mentions_all INTEGER NOT NULL DEFAULT 0, -- 1 @channel, 2 @here, 3 both
    reply_count   INTEGER NOT NULL DEFAULT 0,
    last_reply_at TEXT,
    participants  TEXT NOT NULL DEFAULT '[]',
    pinned_at  TEXT,
    pinned_by  TEXT,
    deleted_by TEXT
) STRICT;
CREATE UNIQUE INDEX messages_channel_seq ON messages (channel_id, seq);
-- Channel history and unread counts read only thread roots.
CREATE INDEX messages_channel_roots ON messages (channel_id, seq) WHERE parent_id IS NULL;
CREATE INDEX messages_parent ON messages (parent_id, seq) WHERE parent_id IS NOT NULL;
CREATE INDEX messages_pinned ON messages (channel_id, pinned_at) WHERE pinned_at IS NOT NULL;

-- Previous versions of edited (and the text of deleted) messages, for
-- channel managers.
CREATE TABLE message_edits (
    id         TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('edit', 'delete')),
    body       TEXT NOT NULL,
    -- When the text was written (created_at or the previous edit) and
    -- when it was replaced, and by whom.
    written_at  TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    replaced_by TEXT NOT NULL
) STRICT;
CREATE INDEX message_edits_message ON message_edits (message_id, replaced_at);

CREATE TABLE message_reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
) STRICT, WITHOUT ROWID;

-- following = 0 remembers an explicit unfollow, so a later reply by
-- someone else does not follow the root's author again.
CREATE TABLE thread_follows (
    root_id    TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    following  INTEGER NOT NULL CHECK (following IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (root_id, user_id)
) STRICT, WITHOUT ROWID;

-- One row per message that mentions a user (directly, or through
-- @channel/@here), for the per-channel mention badge: counted against the
-- member's last_read_seq like unread messages.
CREATE TABLE chat_mentions (
    user_id    TEXT NOT NULL,
    channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (user_id, channel_id, seq)
) STRICT, WITHOUT ROWID;
-- Deleting a message drops its mentions.
CREATE INDEX chat_mentions_message ON chat_mentions (message_id);

-- The in-app notification centre. Chat writes kind mention, channel, here,
-- dm and reply; other modules may add kinds later.
CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    channel_id TEXT,
    message_id TEXT,
    actor_id   TEXT,
    created_at TEXT NOT NULL,
    read_at    TEXT
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A user's default notification level; absent means 'all'.
CREATE TABLE chat_preferences (
    user_id    TEXT PRIMARY KEY,
    notify     TEXT NOT NULL CHECK (notify IN ('all', 'mentions', 'none')),
    updated_at TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE chat_preferences;
DROP TABLE notifications;
DROP TABLE chat_mentions;
DROP TABLE thread_follows;
DROP TABLE message_reactions;
DROP TABLE message_edits;
DROP TABLE messages;
DROP TABLE channel_members;
DROP TABLE channels;
