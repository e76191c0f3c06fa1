package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"nexus/app/files"
)

// Attachments and blobs (app/files). The blob files themselves are in
// store/blobs; these are their rows.

const attachmentColumns = `id, blob_hash, name, content_type, size, owner_type, owner_id, uploaded_by,
	created_at, deleted_at, thumb_hash`

func scanAttachment(row rowScanner) (*files.Attachment, error) {
	var a files.Attachment
	var created string
	var deleted, thumb sql.NullString
	if err := row.Scan(&a.ID, &a.BlobHash, &a.Name, &a.ContentType, &a.Size, &a.Owner.Type, &a.Owner.ID, &a.UploadedBy,
		&created, &deleted, &thumb); err != nil {
		return nil, err
	}
	var err error
	if a.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if a.DeletedAt, err = parseNullTime(deleted); err != nil {
		return nil, err
	}
	a.ThumbHash = thumb.String
	return &a, nil
}

// FindAttachmentByID returns deleted attachments too; not_found when absent.
func (s *Store) FindAttachmentByID(ctx context.Context, id string) (*files.Attachment, error) {
	row, err := s.queryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	a, err := scanAttachment(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Attachment")
	}
	if err != nil {
		return nil, fmt.Errorf("scan attachment: %w", err)
	}
	return a, nil
}

// FindAttachments lists an owner's live attachments, oldest first.
func (s *Store) FindAttachments(ctx context.Context, owner files.Owner) ([]files.Attachment, error) {
	st, err := s.readStmt(ctx, `SELECT `+attachmentColumns+` FROM attachments
		WHERE owner_type = ? AND owner_id = ? AND deleted_at IS NULL ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, owner.Type, owner.ID)
	if err != nil {
		return nil, fmt.Errorf("query attachments: %w", err)
	}
	defer rows.Close()
	out := []files.Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// FindUnusedBlobs lists up to limit blobs that no attachment (content or
// thumbnail, live or deleted) refers to.
func (s *Store) FindUnusedBlobs(ctx context.Context, limit int) ([]string, error) {
	st, err := s.readStmt(ctx, `SELECT b.hash FROM blobs b
		WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.blob_hash = b.hash)
		  AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.thumb_hash = b.hash)
		ORDER BY b.created_at LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("query unused blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("scan blob: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// PutBlob records a blob; an existing row is left as it is.
func (t *Tx) PutBlob(ctx context.Context, hash string, size int64) error {
	if _, err := t.exec(ctx, `INSERT INTO blobs (hash, size, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
		hash, size, formatTime(t.now)); err != nil {
		return fmt.Errorf("record blob: %w", err)
	}
	return nil
}

// CreateAttachment inserts an attachment; its blobs must be recorded.
func (t *Tx) CreateAttachment(ctx context.Context, a *files.Attachment) error {
	var thumb any
	if a.ThumbHash != "" {
		thumb = a.ThumbHash
	}
	if _, err := t.exec(ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.BlobHash, a.Name, a.ContentType, a.Size, a.Owner.Type, a.Owner.ID, a.UploadedBy,
		formatTime(a.CreatedAt), nullTime(a.DeletedAt), thumb); err != nil {
		return fmt.Errorf("create attachment: %w", err)
	}
	return nil
}

// DeleteAttachment marks a live attachment deleted; false when it was not
// live.
func (t *Tx) DeleteAttachment(ctx context.Context, id string, at time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE attachments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`, formatTime(at), id)
	if err != nil {
		return false, fmt.Errorf("delete attachment: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReassignAttachments moves live attachments from one owner to another
// (chat: drafts become a message's when it is sent). Every id must be a
// live attachment of the from owner, else nothing moves and a not_found
// error names the first that is not.
func (t *Tx) ReassignAttachments(ctx context.Context, ids []string, fromType, fromID, toType, toID string) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode attachment ids: %w", err)
	}
	res, err := t.exec(ctx, `UPDATE attachments SET owner_type = ?, owner_id = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND owner_type = ? AND owner_id = ? AND deleted_at IS NULL`,
		toType, toID, string(list), fromType, fromID)
	if err != nil {
		return fmt.Errorf("reassign attachments: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if unique := countUnique(ids); n != int64(unique) {
		// Undo by failing: the caller's transaction rolls back.
		return notFound("Attachment")
	}
	return nil
}

func countUnique(ids []string) int {
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		seen[id] = true
	}
	return len(seen)
}

// PurgeAttachments removes rows deleted before deletedBefore and draft
// uploads created before draftsBefore; it reports how many. Their blobs
// are collected separately.
func (t *Tx) PurgeAttachments(ctx context.Context, deletedBefore, draftsBefore time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM attachments
		WHERE (deleted_at IS NOT NULL AND deleted_at < ?) OR (owner_type = ? AND created_at < ?)`,
		formatTime(deletedBefore), files.OwnerDraft, formatTime(draftsBefore))
	if err != nil {
		return 0, fmt.Errorf("purge attachments: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteBlobIfUnused removes a blob row that no attachment refers to;
// false when one does or the row is gone.
func (t *Tx) DeleteBlobIfUnused(ctx context.Context, hash string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM blobs WHERE hash = ?1
		AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob_hash = ?1)
		AND NOT EXISTS (SELECT 1 FROM attachments WHERE thumb_hash = ?1)`, hash)
	if err != nil {
		return false, fmt.Errorf("delete blob: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
