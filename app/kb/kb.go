// Package kb is the knowledge base: spaces, nested documents, versions,
// tags, categories, templates, drafts, share links, import/export and trash.
//
// Permissions: a space is an authz resource (type "space"); a document has
// no permissions of its own and inherits its space's. Viewing a document
// needs view on its space, changing it edit, changing the space's settings
// or members manage, deleting a document for good delete. Every check goes
// through authz; list queries take authz.Visible so that they select only
// what the user may see, in SQL.
package kb

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/settings"
)

// Document statuses. Status is a label that readers see; it does not hide
// a document from anyone who may view its space.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Limits on what people write. Counted in characters (runes) where a
// person types it, so Korean gets the same room as English.
const (
	MaxSpaceNameRunes   = 100
	MaxDescriptionRunes = 1000
	MaxIconRunes        = 16
	MaxTitleRunes       = 255
	MaxBodyBytes        = 2 << 20
	MaxTags             = 30
	MaxTagRunes         = 50
	MaxMessageRunes     = 500
	MaxCategoryRunes    = 100
	MaxTemplateRunes    = 100
)

// Space is a knowledge-base space: a tree of documents with its own members.
type Space struct {
	ID          string
	Name        string
	Description string
	Icon        string
	Visibility  authz.Visibility
	ArchivedAt  time.Time
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
	// DocumentCount (live documents) is filled by listings.
	DocumentCount int
}

// Resource is the space as authz sees it.
func (s *Space) Resource() authz.Resource {
	return authz.Resource{Type: authz.Space, ID: s.ID, Visibility: s.Visibility}
}

// Archived reports whether the space is archived (read-only).
func (s *Space) Archived() bool { return !s.ArchivedAt.IsZero() }

// Document is one page of a space.
type Document struct {
	ID         string
	SpaceID    string
	ParentID   string // "" at the top of the space
	Rank       string // orders siblings (see RankBetween)
	Title      string
	Body       string // markdown
	Status     string
	CategoryID string
	Tags       []string
	CreatedBy  string
	UpdatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Version is the number of the latest published version.
	Version   int64
	DeletedAt time.Time // set while in the trash
	DeletedBy string
}

// Deleted reports whether the document is in the trash.
func (d *Document) Deleted() bool { return !d.DeletedAt.IsZero() }

// TreeNode is one document in a space's tree listing.
type TreeNode struct {
	ID          string `json:"id"`
	ParentID    string `json:"parent_id"`
	Title       string `json:"title"`
	Rank        string `json:"rank"`
	Status      string `json:"status"`
	HasChildren bool   `json:"has_children"`
	Depth       int    `json:"depth"`
}

// Version is one published state of a document. Versions never change.
type Version struct {
	DocumentID string
	Number     int64
	Title      string
	Body       string // empty in listings
	Status     string
	Tags       []string
	CategoryID string
	AuthorID   string
	AuthorName string
	CreatedAt  time.Time
	Message    string
}

// Draft is one user's autosaved, unpublished edit of a document.
type Draft struct {
	DocumentID  string
	UserID      string
	Title       string
	Body        string
	BaseVersion int64 // the version the edit started from
	UpdatedAt   time.Time
}

// Share is a public link to a document (and optionally its children).
type Share struct {
	ID              string
	DocumentID      string
	TokenHash       []byte
	IncludeChildren bool
	ExpiresAt       time.Time // zero: never
	CreatedBy       string
	CreatedByName   string
	CreatedAt       time.Time
	RevokedAt       time.Time
	RevokedBy       string
	ViewCount       int64
	LastViewedAt    time.Time
}

// Active reports whether the link works at now (the organisation-wide
// switch aside).
func (s *Share) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && (s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt))
}

// Template is a starting point for new documents, in one space or (SpaceID
// empty) for the whole organisation.
type Template struct {
	ID          string
	SpaceID     string
	Name        string
	Description string
	Title       string
	Body        string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// Category is a node of the organisation-wide taxonomy.
type Category struct {
	ID        string
	ParentID  string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	// DocumentCount counts the live documents in the category that the
	// reader may see (filled by listings).
	DocumentCount int
}

// DocRef names a document: breadcrumbs, backlinks, title search.
type DocRef struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	SpaceID   string `json:"space_id,omitempty"`
	SpaceName string `json:"space_name,omitempty"`
}

// UserRef names a person.
type UserRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TagCount is a tag with the number of visible documents carrying it.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// TrashItem is a document moved to the trash, with what was trashed with it.
type TrashItem struct {
	Document
	SpaceName       string
	DeletedByName   string
	DescendantCount int
}

// Link is a [[title]] link of a document, as stored for backlinks.
type Link struct {
	TitleKey string
	TargetID string // "" when the title matched no document
}

// AttachmentInfo describes an attachment of a document. The attachment
// service (app/files) keeps them; kb lists and exports them.
type AttachmentInfo struct {
	ID          string    `json:"id"`
	DocumentID  string    `json:"document_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	// HasThumbnail says whether /api/v1/attachments/{id}/thumbnail exists.
	HasThumbnail bool `json:"has_thumbnail"`
}

// Attachments is what the knowledge base needs from the attachment service.
// The methods do no permission checks of their own: kb decides (the
// principal may be nil, for share links) before calling them.
type Attachments interface {
	// ListDocumentAttachments lists the live attachments of a document.
	ListDocumentAttachments(ctx context.Context, documentID string) ([]AttachmentInfo, error)
	// OpenDocumentAttachment opens a live attachment owned by a document
	// (info.DocumentID says which); not_found for any other attachment.
	OpenDocumentAttachment(ctx context.Context, attachmentID string) (AttachmentInfo, io.ReadSeekCloser, error)
	// UploadDocumentAttachment stores a file as an attachment of the
	// document, on behalf of p (imports).
	UploadDocumentAttachment(ctx context.Context, p *app.Principal, documentID, filename string, r io.Reader) (AttachmentInfo, error)
}

// Store is what the knowledge base reads. Reads see the last committed
// write. List methods take authz.Visible and select only visible spaces'
// rows.
type Store interface {
	FindSpaces(ctx context.Context, vis authz.Visible, archived bool) ([]Space, error)
	// FindSpaceByID returns a not_found *app.Error when absent.
	FindSpaceByID(ctx context.Context, id string) (*Space, error)
	// FindDocumentByID returns trashed documents too; not_found when absent.
	FindDocumentByID(ctx context.Context, id string) (*Document, error)
	// FindTree lists a space's live documents ordered by parent, rank and id.
	FindTree(ctx context.Context, spaceID string) ([]TreeNode, error)
	// FindSubtree lists the live descendants of a document (not itself),
	// ordered like FindTree.
	FindSubtree(ctx context.Context, rootID string) ([]TreeNode, error)
	// FindSpaceDocuments returns a space's live documents with bodies and
	// tags, ordered like FindTree (exports).
	FindSpaceDocuments(ctx context.Context, spaceID string) ([]Document, error)
	// FindAncestors lists a document's ancestors from the top down.
	FindAncestors(ctx context.Context, id string) ([]DocRef, error)
	// FindBacklinks lists the live, visible documents linking to the
	// document: by its id, or by its title key when the link was dangling.
	FindBacklinks(ctx context.Context, id, titleKey string, vis authz.Visible) ([]DocRef, error)
	// FindDocumentByTitle finds a live, visible document by title (ASCII
	// case ignored), preferring spaceID, then the oldest.
	FindDocumentByTitle(ctx context.Context, title, spaceID string, vis authz.Visible) (DocRef, bool, error)
	// SearchTitles finds live, visible documents whose title contains q.
	SearchTitles(ctx context.Context, q, spaceID string, vis authz.Visible, limit int) ([]DocRef, error)
	FindVersions(ctx context.Context, documentID string, before int64, limit int) ([]Version, error)
	// FindVersion returns a not_found *app.Error when absent.
	FindVersion(ctx context.Context, documentID string, n int64) (*Version, error)
	// FindDraft returns a not_found *app.Error when there is none.
	FindDraft(ctx context.Context, documentID, userID string) (*Draft, error)
	FindShares(ctx context.Context, documentID string) ([]Share, error)
	FindShareByID(ctx context.Context, id string) (*Share, error)
	FindShareByTokenHash(ctx context.Context, hash []byte) (*Share, error)
	// FindTemplates lists org-wide templates and those of visible spaces
	// (only of spaceID when given).
	FindTemplates(ctx context.Context, spaceID string, vis authz.Visible) ([]Template, error)
	FindTemplateByID(ctx context.Context, id string) (*Template, error)
	// FindCategories lists every category with counts of visible documents.
	FindCategories(ctx context.Context, vis authz.Visible) ([]Category, error)
	FindCategoryByID(ctx context.Context, id string) (*Category, error)
	// FindCategoryDocuments lists live, visible documents in the
	// categories, newest change first, after the cursor (updated_at|id).
	FindCategoryDocuments(ctx context.Context, categoryIDs []string, vis authz.Visible, cursor string, limit int) ([]DocRef, string, error)
	// FindTagDocuments lists live, visible documents with a (normalized)
	// tag, most recently changed first.
	FindTagDocuments(ctx context.Context, tag string, vis authz.Visible, cursor string, limit int) ([]DocRef, string, error)
	FindTags(ctx context.Context, prefix string, vis authz.Visible, limit int) ([]TagCount, error)
	FindTrash(ctx context.Context, spaceID string, vis authz.Visible) ([]TrashItem, error)
	FindUserRefs(ctx context.Context, ids []string) (map[string]UserRef, error)
	// FindUserByHandle resolves an @handle: a user whose name without
	// spaces, or whose email's local part, equals it (ASCII case ignored).
	FindUserByHandle(ctx context.Context, handle string) (UserRef, bool, error)
	// FindMentionable lists active users whose name or email starts with q.
	FindMentionable(ctx context.Context, q string, limit int) ([]Mentionable, error)
	HasDraft(ctx context.Context, documentID, userID string) (bool, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Mentionable is a user offered by the @mention autocomplete.
type Mentionable struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Handle string `json:"handle"`
}

// Tx is a write transaction. Every row written in it shares Now().
type Tx interface {
	Now() time.Time
	FindSpaceByID(ctx context.Context, id string) (*Space, error)
	CreateSpace(ctx context.Context, s *Space) error
	// UpdateSpace writes name, description, icon, visibility, archived_at,
	// updated_at and version.
	UpdateSpace(ctx context.Context, s *Space) error

	FindDocumentByID(ctx context.Context, id string) (*Document, error)
	// CreateDocument inserts the document and its tags.
	CreateDocument(ctx context.Context, d *Document) error
	// UpdateDocument writes title, body, status, category, tags,
	// updated_by, updated_at and version.
	UpdateDocument(ctx context.Context, d *Document) error
	// MoveDocument sets a document's parent and rank, and moves its live
	// descendants with it when spaceID changes. It returns the IDs moved.
	MoveDocument(ctx context.Context, id, spaceID, parentID, rank string) ([]string, error)
	// SiblingRanks returns the ranks around a position among the live
	// children of parentID in spaceID, leaving out excludeID: with anchorID
	// empty, the last rank (and ""); otherwise the anchor's rank and its
	// neighbour's before it (before=true) or after it. not_found when the
	// anchor is not such a child.
	SiblingRanks(ctx context.Context, spaceID, parentID, anchorID string, before bool, excludeID string) (lo, hi string, err error)
	// IsAncestor reports whether ancestorID is id or one of its ancestors.
	IsAncestor(ctx context.Context, ancestorID, id string) (bool, error)
	AddVersion(ctx context.Context, v *Version) error
	ReplaceLinks(ctx context.Context, sourceID string, links []Link) error
	// ReplaceMentions records the users mentioned by version and returns
	// those not mentioned by an earlier version.
	ReplaceMentions(ctx context.Context, documentID string, userIDs []string, version int64) ([]string, error)

	PutDraft(ctx context.Context, d *Draft) error
	DeleteDraft(ctx context.Context, documentID, userID string) (bool, error)

	// TrashDocument moves a live document and its live descendants to the
	// trash at now and returns their IDs.
	TrashDocument(ctx context.Context, id, by string) ([]string, error)
	// RestoreDocument brings back a trashed document and the descendants
	// trashed with it (same deleted_at), and returns their IDs.
	RestoreDocument(ctx context.Context, id string) ([]string, error)
	// PurgeDocument deletes a document and all its descendants for good
	// and returns their IDs.
	PurgeDocument(ctx context.Context, id string) ([]string, error)
	// FindPurgeable lists trashed documents deleted before cutoff whose
	// parent is not in the trash (the roots of what was deleted).
	FindPurgeable(ctx context.Context, cutoff time.Time, limit int) ([]Document, error)

	CreateShare(ctx context.Context, sh *Share) error
	FindShareByID(ctx context.Context, id string) (*Share, error)
	RevokeShare(ctx context.Context, id, by string) error
	CountShareView(ctx context.Context, id string) error

	CreateTemplate(ctx context.Context, t *Template) error
	FindTemplateByID(ctx context.Context, id string) (*Template, error)
	UpdateTemplate(ctx context.Context, t *Template) error
	DeleteTemplate(ctx context.Context, id string) error

	CreateCategory(ctx context.Context, c *Category) error
	FindCategoryByID(ctx context.Context, id string) (*Category, error)
	UpdateCategory(ctx context.Context, c *Category) error
	// DeleteCategory deletes a category without children; its documents
	// keep no category. conflict when it has children.
	DeleteCategory(ctx context.Context, id string) error

	PutGrant(ctx context.Context, g authz.Grant) error
	AppendAudit(ctx context.Context, e app.AuditEntry) error
	AppendEvent(ctx context.Context, e app.Event) error
}

// Config tunes the knowledge base.
type Config struct {
	// TrashRetention is how long trashed documents can be restored before
	// the daily purge deletes them (kb.trash_retention).
	TrashRetention time.Duration
}

// Service runs the knowledge-base use-cases.
type Service struct {
	store   Store
	authz   *authz.Service
	sharing *settings.KBSettings
	files   Attachments
	cfg     Config
	now     func() time.Time
	log     *slog.Logger
	renders *renderCache
}

// NewService returns the knowledge-base service.
func NewService(store Store, az *authz.Service, sharing *settings.KBSettings, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	if cfg.TrashRetention <= 0 {
		cfg.TrashRetention = 30 * 24 * time.Hour
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, authz: az, sharing: sharing, cfg: cfg, now: now, log: log, renders: newRenderCache(2048, 64<<20)}
}

// Settings are the knowledge-base settings (public sharing).
func (s *Service) Settings() *settings.KBSettings { return s.sharing }

// SetAttachments connects the attachment service (wired after both exist).
func (s *Service) SetAttachments(a Attachments) { s.files = a }

// TrashRetention is the configured retention.
func (s *Service) TrashRetention() time.Duration { return s.cfg.TrashRetention }

func errNotFound(what string) error {
	return &app.Error{Code: app.CodeNotFound, Message: what + " not found.", Err: app.ErrNotFound}
}

var errArchived = &app.Error{Code: app.CodeConflict, Message: "This space is archived; restore it to change its documents.",
	Details: map[string]any{"reason": "archived"}}

// cleanText trims s and checks it is valid UTF-8 text of at most max
// characters without control characters (newlines too, unless multiline).
func cleanText(field, s string, required bool, max int, multiline bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && required {
		return "", app.Invalid(field, fieldName(field)+" is required.")
	}
	if !utf8.ValidString(s) {
		return "", app.Invalid(field, fieldName(field)+" must be valid UTF-8 text.")
	}
	if utf8.RuneCountInString(s) > max {
		return "", app.Invalid(field, fieldName(field)+" is too long (at most "+strconv.Itoa(max)+" characters).")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return "", app.Invalid(field, fieldName(field)+" must not contain control characters.")
		}
	}
	return s, nil
}

func fieldName(field string) string {
	f := strings.ReplaceAll(field, "_", " ")
	return strings.ToUpper(f[:1]) + f[1:]
}

// checkBody validates a markdown body. It is kept byte for byte: no
// trimming, no normalisation.
func checkBody(body string) error {
	if len(body) > MaxBodyBytes {
		return app.Invalid("body", "The document is too long (at most 2 MiB of text).")
	}
	if !utf8.ValidString(body) {
		return app.Invalid("body", "The document must be valid UTF-8 text.")
	}
	if strings.IndexByte(body, 0) >= 0 {
		return app.Invalid("body", "The document must not contain NUL characters.")
	}
	return nil
}

func checkStatus(status string) (string, error) {
	switch status {
	case "":
		return StatusPublished, nil
	case StatusDraft, StatusPublished:
		return status, nil
	}
	return "", app.Invalid("status", "Status must be draft or published.")
}

// TitleKey is how [[links]] match titles: trimmed, lower case.
func TitleKey(title string) string { return strings.ToLower(strings.TrimSpace(title)) }

// actorEntry is an audit row for a change made by p.
func actorEntry(p *app.Principal, meta app.RequestMeta, at time.Time, action, targetType, targetID string, details map[string]any) app.AuditEntry {
	return app.AuditEntry{At: at, ActorID: p.User.ID, ActorLabel: p.User.Email, Action: action,
		TargetType: targetType, TargetID: targetID, IP: meta.IP, UserAgent: meta.UserAgent,
		Result: app.AuditSuccess, Details: details}
}
