-- Personal access tokens: long-lived credentials a person creates for
-- scripts and integrations. Only the SHA-256 of a token is stored; the token
-- itself is shown once, when it is created. Rows are never deleted, only
-- revoked, so the audit log's token ids keep meaning something.

-- +goose Up
CREATE TABLE personal_access_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL, -- comma list, e.g. 'read,write'
    created_at   TEXT NOT NULL,
    expires_at   TEXT,          -- NULL: never expires
    last_used_at TEXT,          -- written at most once a minute
    revoked_at   TEXT
) STRICT;
-- The UNIQUE constraint indexes token_hash, the lookup of every request made
-- with a token. This one serves "my tokens" and revoking a user's tokens.
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id, created_at);

-- +goose Down
DROP TABLE personal_access_tokens;
