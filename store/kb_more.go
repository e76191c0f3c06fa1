package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/kb"
)

// Knowledge base, continued: trash, share links, templates, categories
// and tags.

// --- trash ---

// TrashDocument moves a live document and its live descendants to the
// trash. They share one deleted_at: that is how a restore knows what was
// trashed together.
func (t *Tx) TrashDocument(ctx context.Context, id, by string) ([]string, error) {
	st, err := t.stmt(ctx, `WITH RECURSIVE sub(id, depth) AS (
			SELECT id, 0 FROM documents WHERE id = ?1 AND deleted_at IS NULL
			UNION ALL
			SELECT d.id, sub.depth + 1 FROM documents d JOIN sub ON d.parent_id = sub.id
			 WHERE d.deleted_at IS NULL AND sub.depth < 256)
		SELECT id FROM sub`)
	if err != nil {
		return nil, err
	}
	ids, err := accessQueryStrings(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, notFound("Document")
	}
	if _, err := t.exec(ctx, `UPDATE documents SET deleted_at = ?1, deleted_by = ?2
		WHERE id IN (SELECT value FROM json_each(?3))`, formatTime(t.now), by, kbJSONList(ids)); err != nil {
		return nil, fmt.Errorf("trash documents: %w", err)
	}
	return ids, nil
}

// RestoreDocument brings back a trashed document and the descendants
// trashed with it.
func (t *Tx) RestoreDocument(ctx context.Context, id string) ([]string, error) {
	st, err := t.stmt(ctx, `WITH RECURSIVE root AS (SELECT deleted_at FROM documents WHERE id = ?1 AND deleted_at IS NOT NULL),
		sub(id, depth) AS (
			SELECT id, 0 FROM documents WHERE id = ?1 AND deleted_at IS NOT NULL
			UNION ALL
			SELECT d.id, sub.depth + 1 FROM documents d JOIN sub ON d.parent_id = sub.id
			 WHERE d.deleted_at = (SELECT deleted_at FROM root) AND sub.depth < 256)
		SELECT id FROM sub`)
	if err != nil {
		return nil, err
	}
	ids, err := accessQueryStrings(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, notFound("Trashed document")
	}
	if _, err := t.exec(ctx, `UPDATE documents SET deleted_at = NULL, deleted_by = NULL
		WHERE id IN (SELECT value FROM json_each(?))`, kbJSONList(ids)); err != nil {
		return nil, fmt.Errorf("restore documents: %w", err)
	}
	return ids, nil
}

// PurgeDocument deletes a document and all its descendants (in any state)
// for good; versions, drafts, tags, links, mentions and share links go
// with them (ON DELETE CASCADE). Their attachments are marked deleted for
// the attachment service's cleanup.
func (t *Tx) PurgeDocument(ctx context.Context, id string) ([]string, error) {
	ids, err := t.kbSubtree(ctx, id)
	if err != nil {
		return nil, err
	}
	list := kbJSONList(ids)
	res, err := t.exec(ctx, `DELETE FROM documents WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("purge documents: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, nil
	}
	if err := t.kbMarkAttachmentsDeleted(ctx, list); err != nil {
		return nil, err
	}
	return ids, nil
}

// kbMarkAttachmentsDeleted flags the attachments of purged documents, when
// the attachments table exists (it belongs to the files module).
func (t *Tx) kbMarkAttachmentsDeleted(ctx context.Context, docIDs string) error {
	row, err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'attachments')`)
	if err != nil {
		return err
	}
	var exists bool
	if err := row.Scan(&exists); err != nil {
		return fmt.Errorf("look for attachments table: %w", err)
	}
	if !exists {
		return nil
	}
	if _, err := t.exec(ctx, `UPDATE attachments SET deleted_at = ?1
		WHERE owner_type = 'document' AND owner_id IN (SELECT value FROM json_each(?2)) AND deleted_at IS NULL`,
		formatTime(t.now), docIDs); err != nil {
		return fmt.Errorf("mark attachments deleted: %w", err)
	}
	return nil
}

// FindPurgeable lists the roots of what was trashed before cutoff.
func (t *Tx) FindPurgeable(ctx context.Context, cutoff time.Time, limit int) ([]kb.Document, error) {
	rows, err := kbRows(ctx, t, `SELECT `+kbDocumentColumns+` FROM documents d
		WHERE d.deleted_at IS NOT NULL AND d.deleted_at < ?1
		  AND NOT EXISTS (SELECT 1 FROM documents p WHERE p.id = d.parent_id AND p.deleted_at IS NOT NULL)
		ORDER BY d.deleted_at LIMIT ?2`, formatTime(cutoff), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kb.Document
	for rows.Next() {
		d, err := kbScanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// FindTrash lists the roots of trashed subtrees in visible spaces, newest
// first, with how many documents went with each.
func (s *Store) FindTrash(ctx context.Context, spaceID string, vis authz.Visible) ([]kb.TrashItem, error) {
	rows, err := kbRows(ctx, s, `SELECT d.id, d.space_id, coalesce(d.parent_id, ''), d.rank, d.title, d.status,
			coalesce(d.category_id, ''), d.created_by, d.updated_by, d.created_at, d.updated_at, d.version, d.deleted_at,
			coalesce(d.deleted_by, ''), '', '[]',
			s.name, coalesce((SELECT u.name FROM users u WHERE u.id = d.deleted_by), ''),
			(SELECT count(*) FROM documents x WHERE x.space_id = d.space_id AND x.deleted_at = d.deleted_at) - 1
		FROM documents d JOIN spaces s ON s.id = d.space_id
		WHERE d.deleted_at IS NOT NULL AND (?4 = '' OR d.space_id = ?4) AND `+kbVisibleSpace+`
		  AND NOT EXISTS (SELECT 1 FROM documents p WHERE p.id = d.parent_id AND p.deleted_at = d.deleted_at)
		ORDER BY d.deleted_at DESC, d.id LIMIT 500`, kbVisArgs(vis, spaceID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.TrashItem{}
	for rows.Next() {
		var it kb.TrashItem
		d, err := kbScanDocument(rows, &it.SpaceName, &it.DeletedByName, &it.DescendantCount)
		if err != nil {
			return nil, fmt.Errorf("scan trash item: %w", err)
		}
		it.Document = *d
		out = append(out, it)
	}
	return out, rows.Err()
}

// --- share links ---

const kbShareColumns = `sh.id, sh.document_id, sh.token_hash, sh.include_children, sh.expires_at, sh.created_by,
	coalesce((SELECT u.name FROM users u WHERE u.id = sh.created_by), ''), sh.created_at, sh.revoked_at,
	coalesce(sh.revoked_by, ''), sh.view_count, sh.last_viewed_at`

func kbScanShare(row rowScanner) (*kb.Share, error) {
	var sh kb.Share
	var created string
	var expires, revoked, viewed sql.NullString
	if err := row.Scan(&sh.ID, &sh.DocumentID, &sh.TokenHash, &sh.IncludeChildren, &expires, &sh.CreatedBy,
		&sh.CreatedByName, &created, &revoked, &sh.RevokedBy, &sh.ViewCount, &viewed); err != nil {
		return nil, err
	}
	var err error
	if sh.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if sh.ExpiresAt, err = parseNullTime(expires); err != nil {
		return nil, err
	}
	if sh.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	if sh.LastViewedAt, err = parseNullTime(viewed); err != nil {
		return nil, err
	}
	return &sh, nil
}

func kbShareResult(sh *kb.Share, err error) (*kb.Share, error) { return found(sh, err, "Share") }

// FindShares lists a document's share links, newest first.
func (s *Store) FindShares(ctx context.Context, documentID string) ([]kb.Share, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbShareColumns+` FROM kb_shares sh WHERE sh.document_id = ?
		ORDER BY sh.created_at DESC, sh.id DESC`, documentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Share{}
	for rows.Next() {
		sh, err := kbScanShare(rows)
		if err != nil {
			return nil, fmt.Errorf("scan share: %w", err)
		}
		out = append(out, *sh)
	}
	return out, rows.Err()
}

func kbFindShare(ctx context.Context, q kbQuerier, where string, arg any) (*kb.Share, error) {
	row, err := kbRow(ctx, q, `SELECT `+kbShareColumns+` FROM kb_shares sh WHERE `+where, arg)
	if err != nil {
		return nil, err
	}
	return kbShareResult(kbScanShare(row))
}

// FindShareByID returns a not_found *app.Error when absent.
func (s *Store) FindShareByID(ctx context.Context, id string) (*kb.Share, error) {
	return kbFindShare(ctx, s, `sh.id = ?`, id)
}

// FindShareByID reads a share link inside the transaction.
func (t *Tx) FindShareByID(ctx context.Context, id string) (*kb.Share, error) {
	return kbFindShare(ctx, t, `sh.id = ?`, id)
}

// FindShareByTokenHash finds a share link by the SHA-256 of its token.
func (s *Store) FindShareByTokenHash(ctx context.Context, hash []byte) (*kb.Share, error) {
	return kbFindShare(ctx, s, `sh.token_hash = ?`, hash)
}

// CreateShare inserts a share link.
func (t *Tx) CreateShare(ctx context.Context, sh *kb.Share) error {
	_, err := t.exec(ctx, `INSERT INTO kb_shares (id, document_id, token_hash, include_children, expires_at, created_by,
		created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sh.ID, sh.DocumentID, sh.TokenHash, sh.IncludeChildren, nullTime(sh.ExpiresAt), sh.CreatedBy, formatTime(sh.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert share: %w", err)
	}
	return nil
}

// RevokeShare marks a share link revoked.
func (t *Tx) RevokeShare(ctx context.Context, id, by string) error {
	if _, err := t.exec(ctx, `UPDATE kb_shares SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`,
		formatTime(t.now), by, id); err != nil {
		return fmt.Errorf("revoke share: %w", err)
	}
	return nil
}

// CountShareView counts one view of a share link.
func (t *Tx) CountShareView(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `UPDATE kb_shares SET view_count = view_count + 1, last_viewed_at = ? WHERE id = ?`,
		formatTime(t.now), id); err != nil {
		return fmt.Errorf("count share view: %w", err)
	}
	return nil
}

// --- templates ---

const kbTemplateColumns = `t.id, coalesce(t.space_id, ''), t.name, t.description, t.title, t.created_by, t.created_at,
	t.updated_at, t.version, t.body`

func kbScanTemplate(row rowScanner) (*kb.Template, error) {
	var tp kb.Template
	var created, updated string
	if err := row.Scan(&tp.ID, &tp.SpaceID, &tp.Name, &tp.Description, &tp.Title, &tp.CreatedBy, &created, &updated,
		&tp.Version, &tp.Body); err != nil {
		return nil, err
	}
	var err error
	if tp.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if tp.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &tp, nil
}

// FindTemplates lists org-wide templates and those of visible spaces.
func (s *Store) FindTemplates(ctx context.Context, spaceID string, vis authz.Visible) ([]kb.Template, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbTemplateColumns+` FROM kb_templates t LEFT JOIN spaces s ON s.id = t.space_id
		WHERE t.space_id IS NULL OR ((?4 = '' OR t.space_id = ?4) AND `+kbVisibleSpace+`)
		ORDER BY t.space_id IS NOT NULL, t.name COLLATE NOCASE, t.id`, kbVisArgs(vis, spaceID)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Template{}
	for rows.Next() {
		tp, err := kbScanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("scan template: %w", err)
		}
		out = append(out, *tp)
	}
	return out, rows.Err()
}

func kbFindTemplate(ctx context.Context, q kbQuerier, id string) (*kb.Template, error) {
	row, err := kbRow(ctx, q, `SELECT `+kbTemplateColumns+` FROM kb_templates t WHERE t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	tp, err := kbScanTemplate(row)
	return found(tp, err, "Template")
}

// FindTemplateByID returns a not_found *app.Error when absent.
func (s *Store) FindTemplateByID(ctx context.Context, id string) (*kb.Template, error) {
	return kbFindTemplate(ctx, s, id)
}

// FindTemplateByID reads a template inside the transaction.
func (t *Tx) FindTemplateByID(ctx context.Context, id string) (*kb.Template, error) {
	return kbFindTemplate(ctx, t, id)
}

// CreateTemplate inserts a template.
func (t *Tx) CreateTemplate(ctx context.Context, tp *kb.Template) error {
	_, err := t.exec(ctx, `INSERT INTO kb_templates (id, space_id, name, description, title, created_by, created_at,
		updated_at, version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tp.ID, kbNull(tp.SpaceID), tp.Name, tp.Description, tp.Title, tp.CreatedBy, formatTime(tp.CreatedAt),
		formatTime(tp.UpdatedAt), tp.Version, tp.Body)
	if err != nil {
		return fmt.Errorf("insert template: %w", err)
	}
	return nil
}

// UpdateTemplate writes a template's editable fields.
func (t *Tx) UpdateTemplate(ctx context.Context, tp *kb.Template) error {
	_, err := t.exec(ctx, `UPDATE kb_templates SET name = ?, description = ?, title = ?, body = ?, updated_at = ?,
		version = ? WHERE id = ?`, tp.Name, tp.Description, tp.Title, tp.Body, formatTime(tp.UpdatedAt), tp.Version, tp.ID)
	if err != nil {
		return fmt.Errorf("update template: %w", err)
	}
	return nil
}

// DeleteTemplate deletes a template.
func (t *Tx) DeleteTemplate(ctx context.Context, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM kb_templates WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete template: %w", err)
	}
	return nil
}

// --- categories ---

const kbCategoryColumns = `c.id, coalesce(c.parent_id, ''), c.name, c.created_at, c.updated_at, c.version`

func kbScanCategory(row rowScanner, extra ...any) (*kb.Category, error) {
	var c kb.Category
	var created, updated string
	if err := row.Scan(append([]any{&c.ID, &c.ParentID, &c.Name, &created, &updated, &c.Version}, extra...)...); err != nil {
		return nil, err
	}
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &c, nil
}

// FindCategories lists every category by name with the number of live,
// visible documents in each.
func (s *Store) FindCategories(ctx context.Context, vis authz.Visible) ([]kb.Category, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbCategoryColumns+`, coalesce(n.count, 0) FROM kb_categories c
		LEFT JOIN (SELECT d.category_id AS id, count(*) AS count FROM documents d JOIN spaces s ON s.id = d.space_id
		           WHERE d.category_id IS NOT NULL AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		           GROUP BY d.category_id) n ON n.id = c.id
		ORDER BY c.name COLLATE NOCASE, c.id`, kbVisArgs(vis)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Category{}
	for rows.Next() {
		var n int
		c, err := kbScanCategory(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("scan category: %w", err)
		}
		c.DocumentCount = n
		out = append(out, *c)
	}
	return out, rows.Err()
}

func kbFindCategory(ctx context.Context, q kbQuerier, id string) (*kb.Category, error) {
	row, err := kbRow(ctx, q, `SELECT `+kbCategoryColumns+` FROM kb_categories c WHERE c.id = ?`, id)
	if err != nil {
		return nil, err
	}
	c, err := kbScanCategory(row)
	return found(c, err, "Category")
}

// FindCategoryByID returns a not_found *app.Error when absent.
func (s *Store) FindCategoryByID(ctx context.Context, id string) (*kb.Category, error) {
	return kbFindCategory(ctx, s, id)
}

// FindCategoryByID reads a category inside the transaction.
func (t *Tx) FindCategoryByID(ctx context.Context, id string) (*kb.Category, error) {
	return kbFindCategory(ctx, t, id)
}

// FindCategoryDocuments pages through the live, visible documents of some
// categories, most recently changed first. The cursor is "updated_at|id"
// of the last document of the previous page.
func (s *Store) FindCategoryDocuments(ctx context.Context, categoryIDs []string, vis authz.Visible, cursor string, limit int) ([]kb.DocRef, string, error) {
	at, id, _ := strings.Cut(cursor, "|")
	rows, err := kbRows(ctx, s, `SELECT d.id, d.title, d.space_id, s.name, d.updated_at FROM documents d
		JOIN spaces s ON s.id = d.space_id
		WHERE d.category_id IN (SELECT value FROM json_each(?4)) AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		  AND (?5 = '' OR (d.updated_at, d.id) < (?5, ?6))
		ORDER BY d.updated_at DESC, d.id DESC LIMIT ?7`, kbVisArgs(vis, kbJSONList(categoryIDs), at, id, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []kb.DocRef{}
	var last string
	for rows.Next() {
		var r kb.DocRef
		var updated string
		if err := rows.Scan(&r.ID, &r.Title, &r.SpaceID, &r.SpaceName, &updated); err != nil {
			return nil, "", fmt.Errorf("scan category document: %w", err)
		}
		if len(out) == limit {
			return out, last, rows.Err()
		}
		out = append(out, r)
		last = updated + "|" + r.ID
	}
	return out, "", rows.Err()
}

// FindTagDocuments pages through the live, visible documents with a tag,
// most recently changed first; the cursor is as in FindCategoryDocuments.
func (s *Store) FindTagDocuments(ctx context.Context, tag string, vis authz.Visible, cursor string, limit int) ([]kb.DocRef, string, error) {
	at, id, _ := strings.Cut(cursor, "|")
	rows, err := kbRows(ctx, s, `SELECT d.id, d.title, d.space_id, s.name, d.updated_at FROM kb_tags t
		JOIN documents d ON d.id = t.document_id
		JOIN spaces s ON s.id = d.space_id
		WHERE t.tag = ?4 AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		  AND (?5 = '' OR (d.updated_at, d.id) < (?5, ?6))
		ORDER BY d.updated_at DESC, d.id DESC LIMIT ?7`, kbVisArgs(vis, tag, at, id, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []kb.DocRef{}
	var last string
	for rows.Next() {
		var r kb.DocRef
		var updated string
		if err := rows.Scan(&r.ID, &r.Title, &r.SpaceID, &r.SpaceName, &updated); err != nil {
			return nil, "", fmt.Errorf("scan tag document: %w", err)
		}
		if len(out) == limit {
			return out, last, rows.Err()
		}
		out = append(out, r)
		last = updated + "|" + r.ID
	}
	return out, "", rows.Err()
}

// CreateCategory inserts a category; a sibling with the same name is a
// conflict.
func (t *Tx) CreateCategory(ctx context.Context, c *kb.Category) error {
	_, err := t.exec(ctx, `INSERT INTO kb_categories (id, parent_id, name, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?)`, c.ID, kbNull(c.ParentID), c.Name, formatTime(c.CreatedAt), formatTime(c.UpdatedAt), c.Version)
	if isUniqueViolation(err) {
		return kbErrCategoryTaken()
	}
	if err != nil {
		return fmt.Errorf("insert category: %w", err)
	}
	return nil
}

func kbErrCategoryTaken() error {
	return &app.Error{Code: app.CodeConflict, Message: "A category with that name exists there already.",
		Details: map[string]any{"field": "name"}}
}

// UpdateCategory writes a category's name, parent and version.
func (t *Tx) UpdateCategory(ctx context.Context, c *kb.Category) error {
	_, err := t.exec(ctx, `UPDATE kb_categories SET parent_id = ?, name = ?, updated_at = ?, version = ? WHERE id = ?`,
		kbNull(c.ParentID), c.Name, formatTime(c.UpdatedAt), c.Version, c.ID)
	if isUniqueViolation(err) {
		return kbErrCategoryTaken()
	}
	if err != nil {
		return fmt.Errorf("update category: %w", err)
	}
	return nil
}

// DeleteCategory deletes a category without children; its documents and
// versions keep no category.
func (t *Tx) DeleteCategory(ctx context.Context, id string) error {
	row, err := t.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kb_categories WHERE parent_id = ?)`, id)
	if err != nil {
		return err
	}
	var children bool
	if err := row.Scan(&children); err != nil {
		return fmt.Errorf("scan category children: %w", err)
	}
	if children {
		return &app.Error{Code: app.CodeConflict, Message: "Delete or move this category's sub-categories first.",
			Details: map[string]any{"reason": "has_children"}}
	}
	if _, err := t.exec(ctx, `DELETE FROM kb_categories WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete category: %w", err)
	}
	return nil
}

// --- tags ---

// FindTags lists tags starting with prefix, most used first, counting only
// live documents of visible spaces.
func (s *Store) FindTags(ctx context.Context, prefix string, vis authz.Visible, limit int) ([]kb.TagCount, error) {
	rows, err := kbRows(ctx, s, `SELECT t.tag, count(*) FROM kb_tags t JOIN documents d ON d.id = t.document_id
		JOIN spaces s ON s.id = d.space_id
		WHERE substr(t.tag, 1, length(?4)) = ?4 AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT ?5`, kbVisArgs(vis, prefix, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.TagCount{}
	for rows.Next() {
		var tc kb.TagCount
		if err := rows.Scan(&tc.Tag, &tc.Count); err != nil {
			return nil, fmt.Errorf("scan tag: %w", err)
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}

var _ kb.Tx = (*Tx)(nil)
