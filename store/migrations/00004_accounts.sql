-- Accounts: invitations, password reset links, avatars and the mail
-- outbox. Tokens (invitation and reset links) are stored only as SHA-256
-- hashes: a copy of the database does not let anyone accept an invitation
-- or reset a password.

-- +goose Up
CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'guest')),
    token_hash       BLOB NOT NULL UNIQUE,
    invited_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    accepted_at      TEXT,
    accepted_user_id TEXT REFERENCES users (id),
    revoked_at       TEXT
) STRICT;
-- "Is this address already invited?" on every new invitation.
CREATE INDEX invitations_email ON invitations (email);

-- One row per reset link sent. A link is spent by setting used_at; links
-- of a user are deleted when a newer one is sent or the password changes.
CREATE TABLE password_resets (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX password_resets_user ON password_resets (user_id);

-- The avatar, already re-encoded as a 256×256 PNG (a few dozen KiB), so
-- serving it is one indexed read. users.avatar_updated_at says whether
-- there is one and versions its URL.
CREATE TABLE user_avatars (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    png        BLOB NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Every message Nexus writes, in the transaction of the change that caused
-- it. With SMTP configured a background job delivers 'queued' rows;
-- without, rows stay 'stored' for administrators to read.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
    status          TEXT NOT NULL CHECK (status IN ('stored', 'queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at TEXT,
    sent_at         TEXT
) STRICT;
-- The delivery job's query: due queued messages, oldest first.
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE user_avatars;
DROP TABLE password_resets;
DROP TABLE invitations;
