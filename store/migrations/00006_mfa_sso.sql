-- Two-factor authentication (TOTP and recovery codes) and single sign-on
-- links. users.mfa_enabled (00003) is kept in step with mfa_totp: it is 1
-- exactly while the user has a confirmed row here.

-- +goose Up
-- One authenticator per user. The secret is sealed with AES-256-GCM under
-- data/keys/mfa.key, so a copy of the database alone cannot produce codes.
-- last_step is the last 30-second time step whose code was accepted: a code
-- is never accepted twice.
CREATE TABLE mfa_totp (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BLOB NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Single-use recovery codes, stored as keyed hashes (HMAC-SHA-256 with a
-- key from mfa.key and the user id); used_at is set when one is spent.
CREATE TABLE mfa_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
) STRICT, WITHOUT ROWID;

-- An account at an OpenID Connect provider (provider id from the config,
-- the ID token's subject) linked to a Nexus user.
CREATE TABLE sso_identities (
    provider      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
) STRICT, WITHOUT ROWID;
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- +goose Down
DROP TABLE sso_identities;
DROP TABLE mfa_recovery_codes;
DROP TABLE mfa_totp;
