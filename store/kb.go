package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/kb"
)

// Knowledge base: spaces, documents, versions, drafts, links, mentions.
// Shares, templates, categories, tags and the trash are in kb_more.go.

// kbQuerier prepares a statement on the read pool (Store) or inside a
// write transaction (Tx), so that finders serve both.
type kbQuerier interface {
	kbStmt(ctx context.Context, query string) (*sql.Stmt, error)
}

func (s *Store) kbStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return s.readStmt(ctx, query)
}
func (t *Tx) kbStmt(ctx context.Context, query string) (*sql.Stmt, error) { return t.stmt(ctx, query) }

func kbRow(ctx context.Context, q kbQuerier, query string, args ...any) (*sql.Row, error) {
	st, err := q.kbStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func kbRows(ctx context.Context, q kbQuerier, query string, args ...any) (*sql.Rows, error) {
	st, err := q.kbStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", firstLine(query), err)
	}
	return rows, nil
}

// kbVisibleSpace is the list filter of authz.Visible on a spaces row "s".
// Every query using it takes the visibility as its first three parameters
// (visArgs).
const kbVisibleSpace = `(?1 OR (?2 AND s.visibility = 'org') OR s.id IN (SELECT value FROM json_each(?3)))`

func kbVisArgs(v authz.Visible, more ...any) []any {
	ids := v.IDs
	if ids == nil {
		ids = []string{}
	}
	raw, _ := json.Marshal(ids)
	return append([]any{v.All, v.OrgWide, string(raw)}, more...)
}

func kbNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func kbJSONList(list []string) string {
	if list == nil {
		list = []string{}
	}
	raw, _ := json.Marshal(list)
	return string(raw)
}

func kbParseList(raw string) ([]string, error) {
	out := []string{}
	if raw == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("decode string list: %w", err)
	}
	return out, nil
}

// --- spaces ---

const kbSpaceColumns = `s.id, s.name, s.description, s.icon, s.visibility, s.archived_at, s.created_by, s.created_at,
	s.updated_at, s.version`

func kbScanSpace(row rowScanner, extra ...any) (*kb.Space, error) {
	var sp kb.Space
	var vis, created, updated string
	var archived sql.NullString
	dest := append([]any{&sp.ID, &sp.Name, &sp.Description, &sp.Icon, &vis, &archived, &sp.CreatedBy, &created,
		&updated, &sp.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	sp.Visibility = authz.Visibility(vis)
	var err error
	if sp.ArchivedAt, err = parseNullTime(archived); err != nil {
		return nil, err
	}
	if sp.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if sp.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &sp, nil
}

func kbSpaceResult(sp *kb.Space, err error) (*kb.Space, error) { return found(sp, err, "Space") }

// FindSpaces lists the visible spaces by name with their live document
// counts; archived ones only when archived is true.
func (s *Store) FindSpaces(ctx context.Context, vis authz.Visible, archived bool) ([]kb.Space, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbSpaceColumns+`,
		(SELECT count(*) FROM documents d WHERE d.space_id = s.id AND d.deleted_at IS NULL)
		FROM spaces s WHERE `+kbVisibleSpace+` AND (s.archived_at IS NOT NULL) = ?4
		ORDER BY s.name COLLATE NOCASE, s.id`, kbVisArgs(vis, archived)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Space{}
	for rows.Next() {
		var n int
		sp, err := kbScanSpace(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("scan space: %w", err)
		}
		sp.DocumentCount = n
		out = append(out, *sp)
	}
	return out, rows.Err()
}

func kbFindSpaceByID(ctx context.Context, q kbQuerier, id string) (*kb.Space, error) {
	row, err := kbRow(ctx, q, `SELECT `+kbSpaceColumns+` FROM spaces s WHERE s.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return kbSpaceResult(kbScanSpace(row))
}

// FindSpaceByID returns a not_found *app.Error when absent.
func (s *Store) FindSpaceByID(ctx context.Context, id string) (*kb.Space, error) {
	return kbFindSpaceByID(ctx, s, id)
}

// FindSpaceByID reads a space inside the transaction.
func (t *Tx) FindSpaceByID(ctx context.Context, id string) (*kb.Space, error) {
	return kbFindSpaceByID(ctx, t, id)
}

// CreateSpace inserts a space.
func (t *Tx) CreateSpace(ctx context.Context, sp *kb.Space) error {
	_, err := t.exec(ctx, `INSERT INTO spaces (id, name, description, icon, visibility, archived_at, created_by,
		created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sp.ID, sp.Name, sp.Description, sp.Icon, string(sp.Visibility), nullTime(sp.ArchivedAt), sp.CreatedBy,
		formatTime(sp.CreatedAt), formatTime(sp.UpdatedAt), sp.Version)
	if err != nil {
		return fmt.Errorf("insert space: %w", err)
	}
	return nil
}

// UpdateSpace writes a space's editable fields.
func (t *Tx) UpdateSpace(ctx context.Context, sp *kb.Space) error {
	_, err := t.exec(ctx, `UPDATE spaces SET name = ?, description = ?, icon = ?, visibility = ?, archived_at = ?,
		updated_at = ?, version = ? WHERE id = ?`,
		sp.Name, sp.Description, sp.Icon, string(sp.Visibility), nullTime(sp.ArchivedAt), formatTime(sp.UpdatedAt),
		sp.Version, sp.ID)
	if err != nil {
		return fmt.Errorf("update space: %w", err)
	}
	return nil
}

// --- documents ---

// The tags travel with the row as a JSON array, so a document is one query.
const kbDocumentColumns = `d.id, d.space_id, coalesce(d.parent_id, ''), d.rank, d.title, d.status,
	coalesce(d.category_id, ''), d.created_by, d.updated_by, d.created_at, d.updated_at, d.version, d.deleted_at,
	coalesce(d.deleted_by, ''), d.body,
	(SELECT json_group_array(tag) FROM (SELECT tag FROM kb_tags WHERE document_id = d.id ORDER BY tag))`

func kbScanDocument(row rowScanner, extra ...any) (*kb.Document, error) {
	var d kb.Document
	var created, updated, tags string
	var deleted sql.NullString
	dest := append([]any{&d.ID, &d.SpaceID, &d.ParentID, &d.Rank, &d.Title, &d.Status, &d.CategoryID, &d.CreatedBy,
		&d.UpdatedBy, &created, &updated, &d.Version, &deleted, &d.DeletedBy, &d.Body, &tags}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if d.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if d.DeletedAt, err = parseNullTime(deleted); err != nil {
		return nil, err
	}
	if d.Tags, err = kbParseList(tags); err != nil {
		return nil, err
	}
	return &d, nil
}

func kbDocumentResult(d *kb.Document, err error) (*kb.Document, error) {
	return found(d, err, "Document")
}

func kbFindDocumentByID(ctx context.Context, q kbQuerier, id string) (*kb.Document, error) {
	row, err := kbRow(ctx, q, `SELECT `+kbDocumentColumns+` FROM documents d WHERE d.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return kbDocumentResult(kbScanDocument(row))
}

// FindDocumentByID returns trashed documents too; not_found when absent.
func (s *Store) FindDocumentByID(ctx context.Context, id string) (*kb.Document, error) {
	return kbFindDocumentByID(ctx, s, id)
}

// FindDocumentByID reads a document inside the transaction.
func (t *Tx) FindDocumentByID(ctx context.Context, id string) (*kb.Document, error) {
	return kbFindDocumentByID(ctx, t, id)
}

func kbScanTreeRows(rows *sql.Rows) ([]kb.TreeNode, error) {
	defer rows.Close()
	out := []kb.TreeNode{}
	for rows.Next() {
		var n kb.TreeNode
		if err := rows.Scan(&n.ID, &n.ParentID, &n.Title, &n.Rank, &n.Status); err != nil {
			return nil, fmt.Errorf("scan tree node: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// FindTree lists a space's live documents in one range scan of the
// documents_tree index, by parent, rank and id.
func (s *Store) FindTree(ctx context.Context, spaceID string) ([]kb.TreeNode, error) {
	rows, err := kbRows(ctx, s, `SELECT d.id, coalesce(d.parent_id, ''), d.title, d.rank, d.status
		FROM documents d WHERE d.space_id = ? AND d.deleted_at IS NULL
		ORDER BY d.parent_id, d.rank, d.id`, spaceID)
	if err != nil {
		return nil, err
	}
	return kbScanTreeRows(rows)
}

// FindSubtree lists the live descendants of a document.
func (s *Store) FindSubtree(ctx context.Context, rootID string) ([]kb.TreeNode, error) {
	rows, err := kbRows(ctx, s, `WITH RECURSIVE sub(id, depth) AS (
			SELECT id, 1 FROM documents WHERE parent_id = ?1 AND deleted_at IS NULL
			UNION ALL
			SELECT d.id, sub.depth + 1 FROM documents d JOIN sub ON d.parent_id = sub.id
			 WHERE d.deleted_at IS NULL AND sub.depth < 256)
		SELECT d.id, coalesce(d.parent_id, ''), d.title, d.rank, d.status
		FROM sub JOIN documents d ON d.id = sub.id
		ORDER BY d.parent_id, d.rank, d.id`, rootID)
	if err != nil {
		return nil, err
	}
	return kbScanTreeRows(rows)
}

// FindSpaceDocuments returns a space's live documents with bodies and tags.
func (s *Store) FindSpaceDocuments(ctx context.Context, spaceID string) ([]kb.Document, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbDocumentColumns+` FROM documents d
		WHERE d.space_id = ? AND d.deleted_at IS NULL ORDER BY d.parent_id, d.rank, d.id`, spaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Document{}
	for rows.Next() {
		d, err := kbScanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("scan document: %w", err)
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

func kbScanDocRefs(rows *sql.Rows) ([]kb.DocRef, error) {
	defer rows.Close()
	out := []kb.DocRef{}
	for rows.Next() {
		var r kb.DocRef
		if err := rows.Scan(&r.ID, &r.Title, &r.SpaceID, &r.SpaceName); err != nil {
			return nil, fmt.Errorf("scan document reference: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindAncestors lists a document's ancestors from the top down.
func (s *Store) FindAncestors(ctx context.Context, id string) ([]kb.DocRef, error) {
	rows, err := kbRows(ctx, s, `WITH RECURSIVE up(id, depth) AS (
			SELECT parent_id, 1 FROM documents WHERE id = ?1 AND parent_id IS NOT NULL
			UNION ALL
			SELECT d.parent_id, up.depth + 1 FROM documents d JOIN up ON d.id = up.id
			 WHERE d.parent_id IS NOT NULL AND up.depth < 256)
		SELECT d.id, d.title, d.space_id, '' FROM up JOIN documents d ON d.id = up.id
		ORDER BY up.depth DESC`, id)
	if err != nil {
		return nil, err
	}
	return kbScanDocRefs(rows)
}

// FindBacklinks lists live, visible documents linking to a document.
func (s *Store) FindBacklinks(ctx context.Context, id, titleKey string, vis authz.Visible) ([]kb.DocRef, error) {
	rows, err := kbRows(ctx, s, `SELECT d.id, d.title, d.space_id, s.name FROM documents d JOIN spaces s ON s.id = d.space_id
		WHERE d.id IN (SELECT source_id FROM kb_links WHERE target_id = ?4
		               UNION SELECT source_id FROM kb_links WHERE target_id IS NULL AND title_key = ?5)
		  AND d.id <> ?4 AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		ORDER BY d.title COLLATE NOCASE, d.id LIMIT 500`, kbVisArgs(vis, id, titleKey)...)
	if err != nil {
		return nil, err
	}
	return kbScanDocRefs(rows)
}

// FindDocumentByTitle finds a live, visible document by title.
func (s *Store) FindDocumentByTitle(ctx context.Context, title, spaceID string, vis authz.Visible) (kb.DocRef, bool, error) {
	row, err := kbRow(ctx, s, `SELECT d.id, d.title, d.space_id, s.name FROM documents d JOIN spaces s ON s.id = d.space_id
		WHERE d.title = ?4 COLLATE NOCASE AND d.deleted_at IS NULL AND `+kbVisibleSpace+`
		ORDER BY d.space_id = ?5 DESC, d.created_at, d.id LIMIT 1`, kbVisArgs(vis, title, spaceID)...)
	if err != nil {
		return kb.DocRef{}, false, err
	}
	var r kb.DocRef
	if err := row.Scan(&r.ID, &r.Title, &r.SpaceID, &r.SpaceName); errors.Is(err, sql.ErrNoRows) {
		return kb.DocRef{}, false, nil
	} else if err != nil {
		return kb.DocRef{}, false, fmt.Errorf("scan document by title: %w", err)
	}
	return r, true, nil
}

// SearchTitles finds live, visible documents whose title contains q
// (ASCII case ignored): those of spaceID first, then titles starting with
// q, then the most recently changed.
func (s *Store) SearchTitles(ctx context.Context, q, spaceID string, vis authz.Visible, limit int) ([]kb.DocRef, error) {
	rows, err := kbRows(ctx, s, `SELECT d.id, d.title, d.space_id, s.name FROM documents d JOIN spaces s ON s.id = d.space_id
		WHERE d.deleted_at IS NULL AND `+kbVisibleSpace+` AND (?4 = '' OR instr(lower(d.title), lower(?4)) > 0)
		ORDER BY d.space_id = ?5 DESC, instr(lower(d.title), lower(?4)) = 1 DESC, d.updated_at DESC, d.id
		LIMIT ?6`, kbVisArgs(vis, q, spaceID, limit)...)
	if err != nil {
		return nil, err
	}
	return kbScanDocRefs(rows)
}

// CreateDocument inserts a document and its tags.
func (t *Tx) CreateDocument(ctx context.Context, d *kb.Document) error {
	_, err := t.exec(ctx, `INSERT INTO documents (id, space_id, parent_id, rank, title, status, category_id, created_by,
		updated_by, created_at, updated_at, version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.SpaceID, kbNull(d.ParentID), d.Rank, d.Title, d.Status, kbNull(d.CategoryID), d.CreatedBy,
		d.UpdatedBy, formatTime(d.CreatedAt), formatTime(d.UpdatedAt), d.Version, d.Body)
	if err != nil {
		return fmt.Errorf("insert document: %w", err)
	}
	return t.kbPutTags(ctx, d.ID, d.Tags, false)
}

// UpdateDocument writes a document's content fields and replaces its tags.
func (t *Tx) UpdateDocument(ctx context.Context, d *kb.Document) error {
	_, err := t.exec(ctx, `UPDATE documents SET title = ?, body = ?, status = ?, category_id = ?, updated_by = ?,
		updated_at = ?, version = ? WHERE id = ?`,
		d.Title, d.Body, d.Status, kbNull(d.CategoryID), d.UpdatedBy, formatTime(d.UpdatedAt), d.Version, d.ID)
	if err != nil {
		return fmt.Errorf("update document: %w", err)
	}
	return t.kbPutTags(ctx, d.ID, d.Tags, true)
}

func (t *Tx) kbPutTags(ctx context.Context, docID string, tags []string, replace bool) error {
	if replace {
		if _, err := t.exec(ctx, `DELETE FROM kb_tags WHERE document_id = ?`, docID); err != nil {
			return fmt.Errorf("delete tags: %w", err)
		}
	}
	if len(tags) == 0 {
		return nil
	}
	if _, err := t.exec(ctx, `INSERT OR IGNORE INTO kb_tags (document_id, tag) SELECT ?1, value FROM json_each(?2)`,
		docID, kbJSONList(tags)); err != nil {
		return fmt.Errorf("insert tags: %w", err)
	}
	return nil
}

// kbSubtreeQuery selects a document and all its descendants, in any state.
const kbSubtreeQuery = `WITH RECURSIVE sub(id, depth) AS (
		SELECT ?1, 0
		UNION ALL
		SELECT d.id, sub.depth + 1 FROM documents d JOIN sub ON d.parent_id = sub.id WHERE sub.depth < 256)
	SELECT id FROM sub`

func (t *Tx) kbSubtree(ctx context.Context, id string) ([]string, error) {
	st, err := t.stmt(ctx, kbSubtreeQuery)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st, id)
}

// MoveDocument sets a document's space, parent and rank; when the space
// changes, its descendants (trashed ones too, so they restore into the
// right space) go with it.
func (t *Tx) MoveDocument(ctx context.Context, id, spaceID, parentID, rank string) ([]string, error) {
	var from string
	row, err := t.queryRow(ctx, `SELECT space_id FROM documents WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if err := row.Scan(&from); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Document")
	} else if err != nil {
		return nil, fmt.Errorf("scan document space: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE documents SET space_id = ?, parent_id = ?, rank = ? WHERE id = ?`,
		spaceID, kbNull(parentID), rank, id); err != nil {
		return nil, fmt.Errorf("move document: %w", err)
	}
	if from == spaceID {
		return []string{id}, nil
	}
	ids, err := t.kbSubtree(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := t.exec(ctx, `UPDATE documents SET space_id = ?1 WHERE id IN (SELECT value FROM json_each(?2))`,
		spaceID, kbJSONList(ids)); err != nil {
		return nil, fmt.Errorf("move subtree: %w", err)
	}
	return ids, nil
}

// SiblingRanks returns the ranks on both sides of a position among the
// live children of parentID (see kb.Tx).
func (t *Tx) SiblingRanks(ctx context.Context, spaceID, parentID, anchorID string, before bool, excludeID string) (string, string, error) {
	const siblings = `FROM documents WHERE space_id = ?1 AND parent_id IS ?2 AND deleted_at IS NULL AND id <> ?3`
	parent := kbNull(parentID)
	scanRank := func(query string, args ...any) (string, error) {
		row, err := t.queryRow(ctx, query, args...)
		if err != nil {
			return "", err
		}
		var r sql.NullString
		if err := row.Scan(&r); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("scan rank: %w", err)
		}
		return r.String, nil
	}
	if anchorID == "" {
		last, err := scanRank(`SELECT max(rank) `+siblings, spaceID, parent, excludeID)
		return last, "", err
	}
	row, err := t.queryRow(ctx, `SELECT rank `+siblings+` AND id = ?4`, spaceID, parent, excludeID, anchorID)
	if err != nil {
		return "", "", err
	}
	var anchor string
	if err := row.Scan(&anchor); errors.Is(err, sql.ErrNoRows) {
		return "", "", notFound("Sibling")
	} else if err != nil {
		return "", "", fmt.Errorf("scan anchor rank: %w", err)
	}
	if before {
		lo, err := scanRank(`SELECT max(rank) `+siblings+` AND rank < ?4`, spaceID, parent, excludeID, anchor)
		return lo, anchor, err
	}
	hi, err := scanRank(`SELECT min(rank) `+siblings+` AND rank > ?4`, spaceID, parent, excludeID, anchor)
	return anchor, hi, err
}

// IsAncestor reports whether ancestorID is id or one of its ancestors.
func (t *Tx) IsAncestor(ctx context.Context, ancestorID, id string) (bool, error) {
	row, err := t.queryRow(ctx, `WITH RECURSIVE up(id, depth) AS (
			SELECT ?2, 0
			UNION ALL
			SELECT d.parent_id, up.depth + 1 FROM documents d JOIN up ON d.id = up.id
			 WHERE d.parent_id IS NOT NULL AND up.depth < 256)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ?1)`, ancestorID, id)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := row.Scan(&ok); err != nil {
		return false, fmt.Errorf("scan ancestry: %w", err)
	}
	return ok, nil
}

// --- versions ---

// AddVersion inserts an immutable version.
func (t *Tx) AddVersion(ctx context.Context, v *kb.Version) error {
	_, err := t.exec(ctx, `INSERT INTO document_versions (document_id, version, title, status, tags, category_id,
		author_id, created_at, message, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.DocumentID, v.Number, v.Title, v.Status, kbJSONList(v.Tags), kbNull(v.CategoryID), v.AuthorID,
		formatTime(v.CreatedAt), v.Message, v.Body)
	if err != nil {
		if isUniqueViolation(err) {
			return &app.Error{Code: app.CodeConflict, Message: "That version exists already.", Err: err}
		}
		return fmt.Errorf("insert version: %w", err)
	}
	return nil
}

func kbScanVersion(row rowScanner, withBody bool) (*kb.Version, error) {
	var v kb.Version
	var tags, created string
	dest := []any{&v.DocumentID, &v.Number, &v.Title, &v.Status, &tags, &v.CategoryID, &v.AuthorID, &v.AuthorName,
		&created, &v.Message}
	if withBody {
		dest = append(dest, &v.Body)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	var err error
	if v.Tags, err = kbParseList(tags); err != nil {
		return nil, err
	}
	if v.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &v, nil
}

const kbVersionColumns = `v.document_id, v.version, v.title, v.status, v.tags, coalesce(v.category_id, ''), v.author_id,
	coalesce((SELECT u.name FROM users u WHERE u.id = v.author_id), ''), v.created_at, v.message`

// FindVersions lists versions newest first, without bodies.
func (s *Store) FindVersions(ctx context.Context, documentID string, before int64, limit int) ([]kb.Version, error) {
	rows, err := kbRows(ctx, s, `SELECT `+kbVersionColumns+` FROM document_versions v
		WHERE v.document_id = ?1 AND (?2 = 0 OR v.version < ?2) ORDER BY v.version DESC LIMIT ?3`,
		documentID, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Version{}
	for rows.Next() {
		v, err := kbScanVersion(rows, false)
		if err != nil {
			return nil, fmt.Errorf("scan version: %w", err)
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// FindVersion returns one version with its body.
func (s *Store) FindVersion(ctx context.Context, documentID string, n int64) (*kb.Version, error) {
	row, err := kbRow(ctx, s, `SELECT `+kbVersionColumns+`, v.body FROM document_versions v
		WHERE v.document_id = ? AND v.version = ?`, documentID, n)
	if err != nil {
		return nil, err
	}
	v, err := kbScanVersion(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Version")
	}
	if err != nil {
		return nil, fmt.Errorf("scan version: %w", err)
	}
	return v, nil
}

// --- links and mentions ---

// ReplaceLinks stores the [[links]] of a document's latest version.
func (t *Tx) ReplaceLinks(ctx context.Context, sourceID string, links []kb.Link) error {
	if _, err := t.exec(ctx, `DELETE FROM kb_links WHERE source_id = ?`, sourceID); err != nil {
		return fmt.Errorf("delete links: %w", err)
	}
	for _, l := range links {
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO kb_links (source_id, title_key, target_id) VALUES (?, ?, ?)`,
			sourceID, l.TitleKey, kbNull(l.TargetID)); err != nil {
			return fmt.Errorf("insert link: %w", err)
		}
	}
	return nil
}

// ReplaceMentions stores who the latest version mentions and returns the
// users no earlier version mentioned.
func (t *Tx) ReplaceMentions(ctx context.Context, documentID string, userIDs []string, version int64) ([]string, error) {
	st, err := t.stmt(ctx, `SELECT user_id FROM kb_mentions WHERE document_id = ?`)
	if err != nil {
		return nil, err
	}
	before, err := accessQueryStrings(ctx, st, documentID)
	if err != nil {
		return nil, err
	}
	had := map[string]bool{}
	for _, id := range before {
		had[id] = true
	}
	if _, err := t.exec(ctx, `DELETE FROM kb_mentions WHERE document_id = ?1
		AND user_id NOT IN (SELECT value FROM json_each(?2))`, documentID, kbJSONList(userIDs)); err != nil {
		return nil, fmt.Errorf("delete mentions: %w", err)
	}
	added := []string{}
	for _, id := range userIDs {
		if had[id] {
			continue
		}
		had[id] = true
		if _, err := t.exec(ctx, `INSERT OR IGNORE INTO kb_mentions (document_id, user_id, version) VALUES (?, ?, ?)`,
			documentID, id, version); err != nil {
			return nil, fmt.Errorf("insert mention: %w", err)
		}
		added = append(added, id)
	}
	return added, nil
}

// --- drafts ---

// FindDraft returns a user's draft of a document.
func (s *Store) FindDraft(ctx context.Context, documentID, userID string) (*kb.Draft, error) {
	row, err := kbRow(ctx, s, `SELECT document_id, user_id, title, body, base_version, updated_at FROM kb_drafts
		WHERE document_id = ? AND user_id = ?`, documentID, userID)
	if err != nil {
		return nil, err
	}
	var d kb.Draft
	var updated string
	if err := row.Scan(&d.DocumentID, &d.UserID, &d.Title, &d.Body, &d.BaseVersion, &updated); errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Draft")
	} else if err != nil {
		return nil, fmt.Errorf("scan draft: %w", err)
	}
	if d.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	return &d, nil
}

// HasDraft reports whether the user has a draft of the document.
func (s *Store) HasDraft(ctx context.Context, documentID, userID string) (bool, error) {
	row, err := kbRow(ctx, s, `SELECT EXISTS (SELECT 1 FROM kb_drafts WHERE document_id = ? AND user_id = ?)`, documentID, userID)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := row.Scan(&ok); err != nil {
		return false, fmt.Errorf("scan draft: %w", err)
	}
	return ok, nil
}

// PutDraft saves a draft, replacing the user's previous one.
func (t *Tx) PutDraft(ctx context.Context, d *kb.Draft) error {
	_, err := t.exec(ctx, `INSERT INTO kb_drafts (document_id, user_id, title, base_version, updated_at, body)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (document_id, user_id) DO UPDATE SET title = excluded.title, base_version = excluded.base_version,
			updated_at = excluded.updated_at, body = excluded.body`,
		d.DocumentID, d.UserID, d.Title, d.BaseVersion, formatTime(d.UpdatedAt), d.Body)
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// DeleteDraft reports false when there was no draft.
func (t *Tx) DeleteDraft(ctx context.Context, documentID, userID string) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM kb_drafts WHERE document_id = ? AND user_id = ?`, documentID, userID)
	if err != nil {
		return false, fmt.Errorf("delete draft: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// --- users, for names and @mentions ---

// FindUserRefs returns the names of the users among ids.
func (s *Store) FindUserRefs(ctx context.Context, ids []string) (map[string]kb.UserRef, error) {
	rows, err := kbRows(ctx, s, `SELECT id, name FROM users WHERE id IN (SELECT value FROM json_each(?))`, kbJSONList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]kb.UserRef, len(ids))
	for rows.Next() {
		var u kb.UserRef
		if err := rows.Scan(&u.ID, &u.Name); err != nil {
			return nil, fmt.Errorf("scan user name: %w", err)
		}
		out[u.ID] = u
	}
	return out, rows.Err()
}

// kbCompactName is a user's name without spaces (ASCII and ideographic), in
// lower case: what an @handle is compared with.
const kbCompactName = `lower(replace(replace(name, ' ', ''), char(12288), ''))`

// FindUserByHandle resolves an @handle to an active user.
func (s *Store) FindUserByHandle(ctx context.Context, handle string) (kb.UserRef, bool, error) {
	row, err := kbRow(ctx, s, `SELECT id, name FROM users
		WHERE deleted_at IS NULL AND status = 'active'
		  AND (`+kbCompactName+` = lower(?1) OR substr(email, 1, instr(email, '@') - 1) = lower(?1))
		ORDER BY `+kbCompactName+` = lower(?1) DESC, created_at, id LIMIT 1`, handle)
	if err != nil {
		return kb.UserRef{}, false, err
	}
	var u kb.UserRef
	if err := row.Scan(&u.ID, &u.Name); errors.Is(err, sql.ErrNoRows) {
		return kb.UserRef{}, false, nil
	} else if err != nil {
		return kb.UserRef{}, false, fmt.Errorf("scan user by handle: %w", err)
	}
	return u, true, nil
}

// FindMentionable lists active users whose name (or name without spaces)
// or email contains q, those starting with it first.
func (s *Store) FindMentionable(ctx context.Context, q string, limit int) ([]kb.Mentionable, error) {
	rows, err := kbRows(ctx, s, `SELECT id, name, email FROM users
		WHERE deleted_at IS NULL AND status = 'active'
		  AND (?1 = '' OR instr(lower(name), lower(?1)) > 0 OR instr(`+kbCompactName+`, lower(?1)) > 0
		       OR instr(email, lower(?1)) > 0)
		ORDER BY instr(lower(name), lower(?1)) = 1 OR instr(email, lower(?1)) = 1 DESC, name COLLATE NOCASE, id
		LIMIT ?2`, strings.TrimSpace(q), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []kb.Mentionable{}
	for rows.Next() {
		var m kb.Mentionable
		var email string
		if err := rows.Scan(&m.ID, &m.Name, &email); err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		m.Handle = kb.MentionHandle(m.Name, email)
		out = append(out, m)
	}
	return out, rows.Err()
}
