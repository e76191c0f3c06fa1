-- Knowledge base: spaces, the document tree, immutable versions, per-user
-- drafts, tags, categories, links between documents (backlinks), mentions,
-- share links and templates. Who may do what in a space is resource_grants
-- (resource_type 'space'); documents inherit their space's permissions.
-- The shapes of spaces and documents are part of the shared contract (other
-- modules query them).

-- +goose Up
CREATE TABLE spaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon        TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL CHECK (visibility IN ('org', 'members')),
    archived_at TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

-- An organisation-wide taxonomy ("Engineering › Backend"), managed by
-- administrators. Sibling names are unique ignoring ASCII case.
CREATE TABLE kb_categories (
    id         TEXT PRIMARY KEY,
    parent_id  TEXT REFERENCES kb_categories (id),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE UNIQUE INDEX kb_categories_name ON kb_categories (coalesce(parent_id, ''), name COLLATE NOCASE);

-- version is the number of the latest published version (document_versions):
-- every publish adds one, moves and trash do not. body is the last column so
-- that reading the tree (title, status, rank) never touches the overflow
-- pages of a long body. rank is a fractional index (base 62, see app/kb):
-- siblings sort by (rank, id) and a move rewrites one row.
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    space_id    TEXT NOT NULL REFERENCES spaces (id),
    parent_id   TEXT REFERENCES documents (id),
    rank        TEXT NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    category_id TEXT REFERENCES kb_categories (id) ON DELETE SET NULL,
    created_by  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  TEXT,
    deleted_by  TEXT,
    body        TEXT NOT NULL DEFAULT ''
) STRICT;
-- The space tree in one range scan of the index alone (it covers the
-- columns the tree shows; deleted_at, always NULL here, is in it only so that
-- SQLite sees that it covers the query), live documents only.
CREATE INDEX documents_tree ON documents (space_id, parent_id, rank, id, title, status, deleted_at)
    WHERE deleted_at IS NULL;
CREATE INDEX documents_parent ON documents (parent_id);
-- [[Title]] links and the title autocomplete.
CREATE INDEX documents_title ON documents (title COLLATE NOCASE) WHERE deleted_at IS NULL;
CREATE INDEX documents_category ON documents (category_id) WHERE category_id IS NOT NULL;
-- The trash and its purge.
CREATE INDEX documents_deleted ON documents (deleted_at) WHERE deleted_at IS NOT NULL;

-- Every publish is a version; rows are never changed (trigger below) and go
-- only with their document, when it is deleted permanently.
CREATE TABLE document_versions (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    tags        TEXT NOT NULL DEFAULT '[]',
    category_id TEXT,
    author_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER document_versions_immutable BEFORE UPDATE ON document_versions
BEGIN
    SELECT RAISE(ABORT, 'document versions are immutable');
END;
-- +goose StatementEnd

-- Server-side autosave: one draft per user and document, replaced on every
-- save, deleted when that user publishes.
CREATE TABLE kb_drafts (
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    title        TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (document_id, user_id)
) STRICT;

-- Tags are stored normalized (trimmed, lower case); Korean tags as written.
CREATE TABLE kb_tags (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (document_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX kb_tags_tag ON kb_tags (tag, document_id);

-- [[Title]] links of the latest version of each document. target_id is the
-- document the link resolved to when it was published; a link to a title
-- that did not exist yet keeps only its key and is matched by title when
-- the backlinks of a document are read.
CREATE TABLE kb_links (
    source_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    title_key TEXT NOT NULL,
    target_id TEXT REFERENCES documents (id) ON DELETE SET NULL,
    PRIMARY KEY (source_id, title_key)
) STRICT;
CREATE INDEX kb_links_target ON kb_links (target_id) WHERE target_id IS NOT NULL;
CREATE INDEX kb_links_title ON kb_links (title_key) WHERE target_id IS NULL;

-- Users mentioned in the latest version, with the version that first
-- mentioned them (notifications use it to mention each person once).
CREATE TABLE kb_mentions (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (document_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX kb_mentions_user ON kb_mentions (user_id);

-- Public share links. Only the SHA-256 of the token is stored.
CREATE TABLE kb_shares (
    id               TEXT PRIMARY KEY,
    document_id      TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    token_hash       BLOB NOT NULL UNIQUE,
    include_children INTEGER NOT NULL DEFAULT 0,
    expires_at       TEXT,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    revoked_at       TEXT,
    revoked_by       TEXT,
    view_count       INTEGER NOT NULL DEFAULT 0,
    last_viewed_at   TEXT
) STRICT;
CREATE INDEX kb_shares_document ON kb_shares (document_id);

-- Templates of one space (space_id) or of the whole organisation (NULL).
CREATE TABLE kb_templates (
    id          TEXT PRIMARY KEY,
    space_id    TEXT REFERENCES spaces (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    body        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX kb_templates_space ON kb_templates (space_id);

-- +goose Down
DROP TABLE kb_templates;
DROP TABLE kb_shares;
DROP TABLE kb_mentions;
DROP TABLE kb_links;
DROP TABLE kb_tags;
DROP TABLE kb_drafts;
DROP TRIGGER document_versions_immutable;
DROP TABLE document_versions;
DROP TABLE documents;
DROP TABLE kb_categories;
DROP TABLE spaces;
