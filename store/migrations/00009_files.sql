-- Attachments and the blobs that hold their bytes. A blob is a file in
-- data/blobs named by the SHA-256 of its plaintext (encrypted at rest); the
-- same content uploaded twice is one blob. An attachment is a named use of a
-- blob by an owner: a document, a chat message, or a draft (a file uploaded
-- to a channel before the message that carries it is sent). Owners decide
-- who may see their attachments; the files module asks them.
--
-- Deleting an attachment sets deleted_at; the row (and its blob, when no
-- other row uses it) is purged after the trash retention, so restoring an
-- old document version does not find its images gone at once.

-- +goose Up
CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY, -- hex SHA-256 of the plaintext
    size       INTEGER NOT NULL, -- plaintext bytes
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    blob_hash    TEXT NOT NULL REFERENCES blobs (hash),
    name         TEXT NOT NULL, -- sanitized display name
    content_type TEXT NOT NULL, -- sniffed from the content
    size         INTEGER NOT NULL,
    owner_type   TEXT NOT NULL, -- 'document' | 'message' | 'draft'
    owner_id     TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    deleted_at   TEXT,
    thumb_hash   TEXT REFERENCES blobs (hash) -- PNG/JPEG preview of images
) STRICT;
CREATE INDEX attachments_owner ON attachments (owner_type, owner_id);
-- Garbage collection asks whether any row still uses a blob.
CREATE INDEX attachments_blob ON attachments (blob_hash);
CREATE INDEX attachments_thumb ON attachments (thumb_hash) WHERE thumb_hash IS NOT NULL;
CREATE INDEX attachments_deleted ON attachments (deleted_at) WHERE deleted_at IS NOT NULL;

-- +goose Down
DROP TABLE attachments;
DROP TABLE blobs;
