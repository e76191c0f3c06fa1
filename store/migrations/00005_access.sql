-- Access: teams and their members, resource grants (who holds which role on
-- a space, channel or project), and organisation settings saved by
-- administrators. Other modules write SQL against these tables; their shape
-- is part of the shared contract.

-- +goose Up
CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
-- NOCASE folds ASCII only; Hangul has no case, so Korean names are compared
-- as written.
CREATE UNIQUE INDEX teams_name ON teams (name COLLATE NOCASE);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
) STRICT, WITHOUT ROWID;
-- The permission check walks from a user to their teams.
CREATE INDEX team_members_user ON team_members (user_id, team_id);

-- One row per (resource, principal). principal_id has no foreign key because
-- it names a user or a team; deleting a team deletes its grants in the same
-- transaction.
CREATE TABLE resource_grants (
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('user', 'team')),
    principal_id   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'manager')),
    granted_at     TEXT NOT NULL,
    PRIMARY KEY (resource_type, resource_id, principal_type, principal_id)
) STRICT, WITHOUT ROWID;
-- "What may this user or team see": list filtering and cleanup on delete.
CREATE INDEX resource_grants_principal ON resource_grants (principal_type, principal_id, resource_type);

-- Values are JSON. A key that is absent falls back to the configuration
-- file's default.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
) STRICT;

-- +goose Down
DROP TABLE settings;
DROP TABLE resource_grants;
DROP TABLE team_members;
DROP TABLE teams;
