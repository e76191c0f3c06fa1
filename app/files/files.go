// Package files is attachments: uploads checked by content, stored once per
// content in the encrypted blob store, and served with safe headers.
//
// Attachments belong to an owner (a document, a chat message, a chat draft).
// The files module does not know what those are: the module that owns each
// owner type registers an OwnerAuthorizer, and every read and write asks
// it. An owner type nobody registered is refused.
package files

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"nexus/app"
)

// Owner types used by Nexus's modules.
const (
	OwnerDocument = "document" // knowledge base documents (app/kb)
	OwnerMessage  = "message"  // chat messages (app/chat)
	OwnerDraft    = "draft"    // files uploaded to a channel before the message is sent (app/chat)
)

// Owner is what an attachment belongs to.
type Owner struct {
	Type string
	ID   string
}

// Attachment is a stored file.
type Attachment struct {
	ID          string
	BlobHash    string
	Name        string // sanitized display name
	ContentType string // sniffed from the content
	Size        int64
	Owner       Owner
	UploadedBy  string
	CreatedAt   time.Time
	DeletedAt   time.Time // zero while live
	ThumbHash   string    // "" when there is no thumbnail
}

// Deleted reports whether the attachment was deleted.
func (a *Attachment) Deleted() bool { return !a.DeletedAt.IsZero() }

// HasThumbnail reports whether a preview image exists.
func (a *Attachment) HasThumbnail() bool { return a.ThumbHash != "" }

// Inline reports whether the attachment may be displayed in the browser.
func (a *Attachment) Inline() bool { return Inline(a.ContentType) }

// OwnerAuthorizer decides whether p may read (write false) or add and
// delete (write true) the attachments of one owner. It returns nil to
// allow, a not_found *app.Error when p may not even know the owner exists,
// and forbidden when p may see it but not change it.
type OwnerAuthorizer func(ctx context.Context, p *app.Principal, ownerID string, write bool) error

// Blobs stores file contents (store/blobs).
type Blobs interface {
	Stage(r io.Reader) (Staged, error)
	Open(hash string) (io.ReadSeekCloser, int64, error)
	Delete(hash string) error
}

// Staged is content written to the blob store but not yet under its name.
type Staged interface {
	Hash() string
	Size() int64
	Open() (io.ReadSeekCloser, error)
	// Commit puts the content under its hash. It is called inside the
	// transaction that records the blob.
	Commit() error
	Discard()
}

// Store is what the files module reads and writes.
type Store interface {
	// FindAttachmentByID returns deleted attachments too; not_found when
	// absent.
	FindAttachmentByID(ctx context.Context, id string) (*Attachment, error)
	// FindAttachments lists an owner's live attachments, oldest first.
	FindAttachments(ctx context.Context, owner Owner) ([]Attachment, error)
	// FindUnusedBlobs lists up to limit blobs no attachment refers to.
	FindUnusedBlobs(ctx context.Context, limit int) ([]string, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction.
type Tx interface {
	Now() time.Time
	// PutBlob records a blob (nothing happens when it is recorded).
	PutBlob(ctx context.Context, hash string, size int64) error
	CreateAttachment(ctx context.Context, a *Attachment) error
	// DeleteAttachment marks a live attachment deleted; false when it was
	// not live.
	DeleteAttachment(ctx context.Context, id string, at time.Time) (bool, error)
	// PurgeAttachments removes rows deleted before deletedBefore and
	// drafts created before draftsBefore; it reports how many.
	PurgeAttachments(ctx context.Context, deletedBefore, draftsBefore time.Time) (int, error)
	// DeleteBlobIfUnused removes a blob row no attachment refers to;
	// false when one does (or the row is gone).
	DeleteBlobIfUnused(ctx context.Context, hash string) (bool, error)
	AppendEvent(ctx context.Context, e app.Event) error
}

// Config tunes the service.
type Config struct {
	// MaxSize bounds an upload (kb.attachment_max_size).
	MaxSize int64
	// Retention is how long deleted attachments are kept before their
	// rows and blobs are purged (kb.trash_retention).
	Retention time.Duration
	// DraftTTL is how long a chat draft upload that was never sent is kept.
	DraftTTL time.Duration
	// GCInterval is how often the purge runs.
	GCInterval time.Duration
}

// Service runs the attachment use-cases.
type Service struct {
	st    Store
	blobs Blobs
	cfg   Config
	log   *slog.Logger

	mu     sync.RWMutex
	owners map[string]OwnerAuthorizer
}

// NewService builds the service. Zero Config fields take defaults (25 MiB,
// 30 days, 7 days, 1 hour).
func NewService(st Store, blobs Blobs, cfg Config, log *slog.Logger) *Service {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 25 << 20
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.DraftTTL <= 0 {
		cfg.DraftTTL = 7 * 24 * time.Hour
	}
	if cfg.GCInterval <= 0 {
		cfg.GCInterval = time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, blobs: blobs, cfg: cfg, log: log, owners: map[string]OwnerAuthorizer{}}
}

// MaxSize is the upload limit in bytes.
func (s *Service) MaxSize() int64 { return s.cfg.MaxSize }

// RegisterOwner sets the authorizer of an owner type. Registering a type
// twice is a wiring mistake and panics.
func (s *Service) RegisterOwner(ownerType string, fn OwnerAuthorizer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.owners[ownerType]; dup {
		panic(fmt.Sprintf("files: owner type %q registered twice", ownerType))
	}
	s.owners[ownerType] = fn
}

// authorize asks the owner's module. Unknown owner types look like a
// missing owner.
func (s *Service) authorize(ctx context.Context, p *app.Principal, owner Owner, write bool) error {
	if p == nil {
		return &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	s.mu.RLock()
	fn := s.owners[owner.Type]
	s.mu.RUnlock()
	if fn == nil || owner.ID == "" {
		return errOwnerNotFound
	}
	if write && !p.HasScope(app.ScopeWrite) && !p.HasScope(app.ScopeAdmin) {
		return &app.Error{Code: app.CodeForbidden, Message: "This access token may only read.",
			Details: map[string]any{"required_scope": string(app.ScopeWrite)}}
	}
	return fn(ctx, p, owner.ID, write)
}

var errOwnerNotFound = &app.Error{Code: app.CodeNotFound, Message: "What the file should be attached to was not found.",
	Details: map[string]any{"field": "owner_id"}}

func errAttachmentNotFound() error {
	return &app.Error{Code: app.CodeNotFound, Message: "Attachment not found."}
}

// ErrTooLarge is returned (with details limit_bytes) for an upload over
// the limit; the HTTP layer answers 413.
var ErrTooLarge = &app.Error{Code: app.CodeInvalid, Message: "The file is too large.",
	Details: map[string]any{"field": "file", "reason": "too_large"}}

// IsTooLarge reports whether err is ErrTooLarge.
func IsTooLarge(err error) bool {
	var e *app.Error
	return errors.As(err, &e) && e.Details["reason"] == "too_large"
}

// Upload stores a file for owner on behalf of p, after the owner's module
// allowed p to write to it.
func (s *Service) Upload(ctx context.Context, p *app.Principal, owner Owner, filename string, r io.Reader) (*Attachment, error) {
	if err := s.authorize(ctx, p, owner, true); err != nil {
		return nil, err
	}
	return s.Store(ctx, p, owner, filename, r)
}

// Store stores a file for owner without asking the owner's module: for a
// module that decided itself (imports). p is recorded as the uploader.
//
// The content is sniffed from its first bytes before anything is written;
// then it streams into the blob store (hashed and encrypted on the way),
// images are decoded to check them and make a thumbnail, and one
// transaction records the blob, the thumbnail and the attachment, links
// the files into place and appends attachment.created.
func (s *Service) Store(ctx context.Context, p *app.Principal, owner Owner, filename string, r io.Reader) (*Attachment, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	br := bufio.NewReaderSize(r, sniffLimit)
	head, err := br.Peek(sniffLimit)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if len(head) == 0 {
		return nil, app.Invalid("file", "The file is empty.").WithDetail("reason", "empty")
	}
	name := SanitizeName(filename)
	contentType, k, detected, ok := classify(head, name)
	if !ok {
		return nil, errUnsupported(detected)
	}
	limited := &limitReader{r: br, left: s.cfg.MaxSize}
	staged, err := s.blobs.Stage(limited)
	if limited.over {
		if staged != nil {
			staged.Discard()
		}
		return nil, s.tooLarge()
	}
	if err != nil {
		return nil, err
	}
	defer staged.Discard()

	var thumb Staged
	if k == kindImage {
		if thumb, err = s.makeThumbnail(staged, contentType); err != nil {
			return nil, err
		}
		if thumb != nil {
			defer thumb.Discard()
		}
	}

	a := &Attachment{ID: app.NewID(), BlobHash: staged.Hash(), Name: storedName(name, contentType),
		ContentType: contentType, Size: staged.Size(), Owner: owner, UploadedBy: p.User.ID}
	if thumb != nil {
		a.ThumbHash = thumb.Hash()
	}
	err = s.st.Update(ctx, func(tx Tx) error {
		a.CreatedAt = tx.Now()
		if err := tx.PutBlob(ctx, a.BlobHash, a.Size); err != nil {
			return err
		}
		if thumb != nil {
			if err := tx.PutBlob(ctx, thumb.Hash(), thumb.Size()); err != nil {
				return err
			}
		}
		if err := tx.CreateAttachment(ctx, a); err != nil {
			return err
		}
		if err := tx.AppendEvent(ctx, attachmentEvent(app.EventAttachmentCreated, a)); err != nil {
			return err
		}
		// Last, so that a failure above leaves no file behind; garbage
		// collection deletes files in its transactions, so none can
		// vanish between here and the commit.
		if err := staged.Commit(); err != nil {
			return err
		}
		if thumb != nil {
			return thumb.Commit()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *Service) tooLarge() error {
	return ErrTooLarge.WithDetail("limit_bytes", s.cfg.MaxSize)
}

func errUnsupported(detected string) error {
	return &app.Error{Code: app.CodeInvalid,
		Message: "This kind of file cannot be attached. Attach images (PNG, JPEG, GIF, WebP), PDF, text, Markdown, CSV, zip or office documents; the file's name must match its content.",
		Details: map[string]any{"field": "file", "reason": "unsupported_type", "detected_type": detected}}
}

// limitReader fails once more than left bytes were read.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.over = true
		return n, errors.New("upload exceeds the size limit")
	}
	return n, err
}

func attachmentEvent(typ string, a *Attachment) app.Event {
	return app.Event{Type: typ, ResourceType: a.Owner.Type, ResourceID: a.Owner.ID, Data: map[string]any{
		"attachment_id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size}}
}

// find loads an attachment p may read (or write): deleted ones and ones
// whose owner p may not see are not found. A draft is readable by its
// uploader only.
func (s *Service) find(ctx context.Context, p *app.Principal, id string, write bool) (*Attachment, error) {
	a, err := s.st.FindAttachmentByID(ctx, id)
	if app.IsNotFound(err) {
		return nil, errAttachmentNotFound()
	}
	if err != nil {
		return nil, err
	}
	if a.Deleted() {
		return nil, errAttachmentNotFound()
	}
	if err := s.authorize(ctx, p, a.Owner, write); err != nil {
		if app.IsNotFound(err) || (!write && app.CodeOf(err) == app.CodeForbidden) {
			return nil, errAttachmentNotFound()
		}
		return nil, err
	}
	if a.Owner.Type == OwnerDraft && (p == nil || a.UploadedBy != p.User.ID) {
		return nil, errAttachmentNotFound()
	}
	return a, nil
}

// Get returns an attachment's metadata.
func (s *Service) Get(ctx context.Context, p *app.Principal, id string) (*Attachment, error) {
	return s.find(ctx, p, id, false)
}

// List returns an owner's live attachments, oldest first.
func (s *Service) List(ctx context.Context, p *app.Principal, owner Owner) ([]Attachment, error) {
	if err := s.authorize(ctx, p, owner, false); err != nil {
		if app.CodeOf(err) == app.CodeForbidden {
			return nil, errOwnerNotFound
		}
		return nil, err
	}
	items, err := s.st.FindAttachments(ctx, owner)
	if err != nil {
		return nil, err
	}
	if owner.Type == OwnerDraft {
		mine := items[:0]
		for _, a := range items {
			if a.UploadedBy == p.User.ID {
				mine = append(mine, a)
			}
		}
		items = mine
	}
	return items, nil
}

// Open returns an attachment and a reader of its content.
func (s *Service) Open(ctx context.Context, p *app.Principal, id string) (*Attachment, io.ReadSeekCloser, error) {
	a, err := s.find(ctx, p, id, false)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.openBlob(a.BlobHash)
	if err != nil {
		return nil, nil, err
	}
	return a, rc, nil
}

// Thumbnail returns an image attachment's preview, its content type and a
// reader; not_found when the attachment has none.
func (s *Service) Thumbnail(ctx context.Context, p *app.Principal, id string) (*Attachment, string, io.ReadSeekCloser, error) {
	a, err := s.find(ctx, p, id, false)
	if err != nil {
		return nil, "", nil, err
	}
	if !a.HasThumbnail() {
		return nil, "", nil, &app.Error{Code: app.CodeNotFound, Message: "This attachment has no thumbnail."}
	}
	rc, err := s.openBlob(a.ThumbHash)
	if err != nil {
		return nil, "", nil, err
	}
	return a, thumbnailType(a.ContentType), rc, nil
}

func (s *Service) openBlob(hash string) (io.ReadSeekCloser, error) {
	rc, _, err := s.blobs.Open(hash)
	if err != nil {
		// The row exists, so the file must: this is damage, not a 404.
		return nil, fmt.Errorf("open blob %s: %w", hash, err)
	}
	return rc, nil
}

// Delete marks an attachment deleted (write access to its owner, or the
// uploader of a draft). Its content is purged after the retention.
func (s *Service) Delete(ctx context.Context, p *app.Principal, id string) error {
	a, err := s.find(ctx, p, id, false)
	if err != nil {
		return err
	}
	if err := s.authorize(ctx, p, a.Owner, true); err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx Tx) error {
		ok, err := tx.DeleteAttachment(ctx, a.ID, tx.Now())
		if err != nil {
			return err
		}
		if !ok {
			return errAttachmentNotFound()
		}
		return tx.AppendEvent(ctx, attachmentEvent(app.EventAttachmentDeleted, a))
	})
}

// ListOwned lists an owner's live attachments without a permission check,
// for a module that checked itself (a document page, a share link).
func (s *Service) ListOwned(ctx context.Context, owner Owner) ([]Attachment, error) {
	return s.st.FindAttachments(ctx, owner)
}

// OpenOwned opens a live attachment of the given owner type without a
// permission check; not_found for anything else. The caller checks access
// to the returned attachment's owner.
func (s *Service) OpenOwned(ctx context.Context, id, ownerType string) (*Attachment, io.ReadSeekCloser, error) {
	a, err := s.st.FindAttachmentByID(ctx, id)
	if app.IsNotFound(err) || (err == nil && (a.Deleted() || a.Owner.Type != ownerType)) {
		return nil, nil, errAttachmentNotFound()
	}
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.openBlob(a.BlobHash)
	if err != nil {
		return nil, nil, err
	}
	return a, rc, nil
}
