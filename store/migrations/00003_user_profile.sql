-- Profile and account-state columns that several modules read with every
-- user: language and time zone, avatar presence, last activity, soft
-- deletion, and whether MFA is on (kept in step by the MFA code).

-- +goose Up
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN avatar_updated_at TEXT;
ALTER TABLE users ADD COLUMN last_seen_at TEXT;
ALTER TABLE users ADD COLUMN deleted_at TEXT;
ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0 CHECK (mfa_enabled IN (0, 1));
CREATE INDEX users_name ON users (name COLLATE NOCASE);

-- +goose Down
DROP INDEX users_name;
ALTER TABLE users DROP COLUMN mfa_enabled;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN last_seen_at;
ALTER TABLE users DROP COLUMN avatar_updated_at;
ALTER TABLE users DROP COLUMN timezone;
ALTER TABLE users DROP COLUMN language;
