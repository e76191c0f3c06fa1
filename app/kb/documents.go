package kb

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// DocumentInput creates a document.
type DocumentInput struct {
	SpaceID    string
	ParentID   string
	Title      string
	Body       string
	Tags       []string
	CategoryID string
	Status     string
	// TemplateID, when set, fills an empty title and body from a template
	// ({date}, {author} and {title} replaced).
	TemplateID string
	// Message describes the first version (optional).
	Message string
}

// DocumentUpdate publishes a new version. Nil fields keep their value.
// Version must be the version the edit started from.
type DocumentUpdate struct {
	Title      *string
	Body       *string
	Tags       *[]string
	CategoryID *string
	Status     *string
	Version    int64
	Message    string
}

// DocumentView is a document as a reader sees it.
type DocumentView struct {
	Document
	Space       *Space
	HTML        string
	TOC         []render.Heading
	Category    *CategoryRef
	CreatedBy   UserRef
	UpdatedBy   UserRef
	Backlinks   []DocRef
	Breadcrumbs []DocRef
	Attachments []AttachmentInfo
	HasDraft    bool
	Access      SpaceAccess
}

// CategoryRef names a category with its path ("Engineering › Backend").
type CategoryRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// NormalizeTags trims tags, drops a leading '#', folds runs of spaces,
// lower-cases them (Hangul has no case and is kept as written), removes
// duplicates and sorts them.
func NormalizeTags(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(t), "#")), " ")
		t = strings.ToLower(t)
		if t == "" {
			continue
		}
		if !utf8.ValidString(t) || utf8.RuneCountInString(t) > MaxTagRunes {
			return nil, app.Invalid("tags", "A tag is at most 50 characters of text.")
		}
		for _, r := range t {
			if unicode.IsControl(r) || r == ',' {
				return nil, app.Invalid("tags", "Tags must not contain commas or control characters.")
			}
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, app.Invalid("tags", "A document has at most 30 tags.")
	}
	slices.Sort(out)
	return out, nil
}

// loadDocument loads a live document and checks that p may do a in its
// space. A trashed document is not_found here (the trash has its own calls).
func (s *Service) loadDocument(ctx context.Context, p *app.Principal, id string, a authz.Action) (*Document, *Space, error) {
	d, err := s.store.FindDocumentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	sp, err := s.store.FindSpaceByID(ctx, d.SpaceID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authz.Require(ctx, p, a, sp.Resource()); err != nil {
		if app.IsNotFound(err) {
			return nil, nil, errNotFound("Document")
		}
		return nil, nil, err
	}
	if d.Deleted() {
		return nil, nil, errNotFound("Document")
	}
	if a != authz.View && sp.Archived() {
		return nil, nil, errArchived
	}
	return d, sp, nil
}

// checkCategory verifies that a category exists ("" is none).
func (s *Service) checkCategory(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	if _, err := s.store.FindCategoryByID(ctx, id); app.IsNotFound(err) {
		return app.Invalid("category_id", "That category does not exist.")
	} else if err != nil {
		return err
	}
	return nil
}

// published is what a publish writes besides the row: links for backlinks
// and mentions, from rendering the new body as its author sees it.
type published struct {
	links    []Link
	mentions []string
	// The rendering itself, as the author sees it: cached for the new
	// version once it is committed, so the answer to a publish (and the
	// author's next read) does not render twice.
	res render.Result
	sig string
}

// remember caches the rendering of a committed version.
func (s *Service) remember(docID string, version int64, pub published) {
	base := docID + "@" + strconv.FormatInt(version, 10)
	s.renders.put(base, pub.res.Links, base+"#"+pub.sig, pub.res)
}

func (s *Service) analyse(ctx context.Context, p *app.Principal, spaceID, body string) (published, error) {
	links, err := s.newLinkResolver(ctx, p, spaceID)
	if err != nil {
		return published{}, err
	}
	var mentionErr error
	res, err := render.Render(body, render.Options{ResolveLink: links.option, ResolveMention: s.resolveMention(ctx, &mentionErr),
		HeadingIDPrefix: headingPrefix})
	if err != nil {
		return published{}, app.Invalid("body", "The document could not be rendered.")
	}
	if links.err != nil {
		return published{}, links.err
	}
	if mentionErr != nil {
		return published{}, mentionErr
	}
	out := published{mentions: res.Mentions, res: res, sig: links.signature(res.Links)}
	seen := map[string]bool{}
	for _, t := range res.Links {
		key := TitleKey(t)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		ref, _ := links.resolve(t)
		out.links = append(out.links, Link{TitleKey: key, TargetID: ref.ID})
	}
	return out, nil
}

// CreateDocument creates a document at the end of its parent's children
// (edit on the space). It is version 1.
func (s *Service) CreateDocument(ctx context.Context, p *app.Principal, in DocumentInput) (*Document, error) {
	sp, err := s.loadSpace(ctx, p, in.SpaceID, authz.Edit)
	if err != nil {
		return nil, err
	}
	if sp.Archived() {
		return nil, errArchived
	}
	if in.TemplateID != "" {
		if err := s.applyTemplate(ctx, p, sp, &in); err != nil {
			return nil, err
		}
	}
	d, err := s.newDocument(ctx, in)
	if err != nil {
		return nil, err
	}
	if in.ParentID != "" {
		parent, err := s.store.FindDocumentByID(ctx, in.ParentID)
		if err != nil || parent.SpaceID != sp.ID || parent.Deleted() {
			return nil, app.Invalid("parent_id", "The parent document is not in this space.")
		}
	}
	pub, err := s.analyse(ctx, p, sp.ID, d.Body)
	if err != nil {
		return nil, err
	}
	d.CreatedBy, d.UpdatedBy = p.User.ID, p.User.ID
	err = s.store.Update(ctx, func(tx Tx) error {
		return s.insertDocument(ctx, tx, p, d, pub, in.Message)
	})
	if err != nil {
		return nil, err
	}
	s.remember(d.ID, d.Version, pub)
	return d, nil
}

// newDocument validates input into a document (not yet stored).
func (s *Service) newDocument(ctx context.Context, in DocumentInput) (*Document, error) {
	title, err := cleanText("title", in.Title, true, MaxTitleRunes, false)
	if err != nil {
		return nil, err
	}
	if err := checkBody(in.Body); err != nil {
		return nil, err
	}
	tags, err := NormalizeTags(in.Tags)
	if err != nil {
		return nil, err
	}
	status, err := checkStatus(in.Status)
	if err != nil {
		return nil, err
	}
	if err := s.checkCategory(ctx, in.CategoryID); err != nil {
		return nil, err
	}
	if _, err := cleanText("message", in.Message, false, MaxMessageRunes, false); err != nil {
		return nil, err
	}
	return &Document{ID: app.NewID(), SpaceID: in.SpaceID, ParentID: in.ParentID, Title: title, Body: in.Body,
		Status: status, CategoryID: in.CategoryID, Tags: tags, Version: 1}, nil
}

// insertDocument writes a new document as the last child of its parent,
// with version 1, links, mentions and the document.created event.
func (s *Service) insertDocument(ctx context.Context, tx Tx, p *app.Principal, d *Document, pub published, message string) error {
	if d.ParentID != "" {
		parent, err := tx.FindDocumentByID(ctx, d.ParentID)
		if err != nil || parent.SpaceID != d.SpaceID || parent.Deleted() {
			return app.Invalid("parent_id", "The parent document is not in this space.")
		}
	}
	last, _, err := tx.SiblingRanks(ctx, d.SpaceID, d.ParentID, "", false, "")
	if err != nil {
		return err
	}
	now := tx.Now()
	d.Rank = RankBetween(last, "")
	d.CreatedAt, d.UpdatedAt, d.Version = now, now, 1
	if err := tx.CreateDocument(ctx, d); err != nil {
		return err
	}
	if err := tx.AddVersion(ctx, versionOf(d, strings.TrimSpace(message))); err != nil {
		return err
	}
	if err := tx.ReplaceLinks(ctx, d.ID, pub.links); err != nil {
		return err
	}
	mentioned, err := tx.ReplaceMentions(ctx, d.ID, pub.mentions, 1)
	if err != nil {
		return err
	}
	return tx.AppendEvent(ctx, documentEvent(app.EventDocumentCreated, d, map[string]any{"mentioned": mentioned}))
}

func versionOf(d *Document, message string) *Version {
	return &Version{DocumentID: d.ID, Number: d.Version, Title: d.Title, Body: d.Body, Status: d.Status,
		Tags: d.Tags, CategoryID: d.CategoryID, AuthorID: d.UpdatedBy, CreatedAt: d.UpdatedAt, Message: message}
}

func documentEvent(typ string, d *Document, extra map[string]any) app.Event {
	data := map[string]any{"space_id": d.SpaceID, "parent_id": d.ParentID, "title": d.Title, "version": d.Version}
	for k, v := range extra {
		if v != nil {
			data[k] = v
		}
	}
	return app.Event{Type: typ, ResourceType: "document", ResourceID: d.ID, At: d.UpdatedAt, Data: data}
}

// Document returns a document as p sees it: rendered, with its table of
// contents, breadcrumbs, backlinks and attachments.
func (s *Service) Document(ctx context.Context, p *app.Principal, id string) (*DocumentView, error) {
	d, sp, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return nil, err
	}
	v := &DocumentView{Document: *d, Space: sp}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	res, err := s.renderVisible(ctx, vis, d.ID, d.Version, d.SpaceID, d.Body)
	if err != nil {
		return nil, err
	}
	v.HTML, v.TOC = res.HTML, res.Headings
	if v.Access, err = s.Access(ctx, p, sp); err != nil {
		return nil, err
	}
	if sp.Archived() {
		v.Access = SpaceAccess{}
	}
	users, err := s.store.FindUserRefs(ctx, []string{d.CreatedBy, d.UpdatedBy})
	if err != nil {
		return nil, err
	}
	v.CreatedBy, v.UpdatedBy = userRef(users, d.CreatedBy), userRef(users, d.UpdatedBy)
	if d.ParentID != "" {
		if v.Breadcrumbs, err = s.store.FindAncestors(ctx, d.ID); err != nil {
			return nil, err
		}
	} else {
		v.Breadcrumbs = []DocRef{}
	}
	if v.Backlinks, err = s.store.FindBacklinks(ctx, d.ID, TitleKey(d.Title), vis); err != nil {
		return nil, err
	}
	if d.CategoryID != "" {
		if v.Category, err = s.categoryRef(ctx, d.CategoryID); err != nil {
			return nil, err
		}
	}
	if v.HasDraft, err = s.store.HasDraft(ctx, d.ID, p.User.ID); err != nil {
		return nil, err
	}
	if s.files != nil {
		if v.Attachments, err = s.files.ListDocumentAttachments(ctx, d.ID); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func userRef(users map[string]UserRef, id string) UserRef {
	if u, ok := users[id]; ok {
		return u
	}
	return UserRef{ID: id, Name: ""}
}

func errStaleDocument(d *Document) error {
	return &app.Error{Code: app.CodeConflict,
		Message: "Someone else published a newer version of this document. Compare it with your text and merge.",
		Details: map[string]any{"current_version": d.Version,
			"current": map[string]any{"title": d.Title, "body": d.Body, "tags": d.Tags, "status": d.Status,
				"category_id": d.CategoryID, "updated_by": d.UpdatedBy, "updated_at": d.UpdatedAt.UTC().Format(time.RFC3339Nano)}}}
}

// UpdateDocument publishes a new version (edit). A stale version is a
// conflict carrying the current version, title and body, so the editor can
// merge: nothing is ever overwritten silently. Publishing clears the
// publisher's draft.
func (s *Service) UpdateDocument(ctx context.Context, p *app.Principal, id string, up DocumentUpdate) (*Document, error) {
	d, sp, err := s.loadDocument(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	if up.Version <= 0 {
		return nil, app.Invalid("version", "Send the version of the document you edited.")
	}
	if up.Version != d.Version {
		return nil, errStaleDocument(d)
	}
	next, err := s.applyUpdate(ctx, d, up)
	if err != nil {
		return nil, err
	}
	message, err := cleanText("message", up.Message, false, MaxMessageRunes, false)
	if err != nil {
		return nil, err
	}
	if sameContent(d, next) {
		// Publishing what is already published adds no version; it only
		// settles the publisher's draft.
		err := s.store.Update(ctx, func(tx Tx) error {
			_, err := tx.DeleteDraft(ctx, id, p.User.ID)
			return err
		})
		return d, err
	}
	pub, err := s.analyse(ctx, p, sp.ID, next.Body)
	if err != nil {
		return nil, err
	}
	var out *Document
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Deleted() {
			return errNotFound("Document")
		}
		if cur.Version != up.Version {
			return errStaleDocument(cur)
		}
		out, err = s.publish(ctx, tx, p, cur, next, pub, message)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.remember(out.ID, out.Version, pub)
	return out, nil
}

func sameContent(a, b *Document) bool {
	return a.Title == b.Title && a.Body == b.Body && a.Status == b.Status && a.CategoryID == b.CategoryID &&
		slices.Equal(a.Tags, b.Tags)
}

// applyUpdate validates an update against d and returns the new state
// (not yet stored; version not increased).
func (s *Service) applyUpdate(ctx context.Context, d *Document, up DocumentUpdate) (*Document, error) {
	next := *d
	var err error
	if up.Title != nil {
		if next.Title, err = cleanText("title", *up.Title, true, MaxTitleRunes, false); err != nil {
			return nil, err
		}
	}
	if up.Body != nil {
		if err := checkBody(*up.Body); err != nil {
			return nil, err
		}
		next.Body = *up.Body
	}
	if up.Tags != nil {
		if next.Tags, err = NormalizeTags(*up.Tags); err != nil {
			return nil, err
		}
	}
	if up.Status != nil {
		if next.Status, err = checkStatus(*up.Status); err != nil {
			return nil, err
		}
		if *up.Status == "" {
			next.Status = d.Status
		}
	}
	if up.CategoryID != nil {
		if err := s.checkCategory(ctx, *up.CategoryID); err != nil {
			return nil, err
		}
		next.CategoryID = *up.CategoryID
	}
	return &next, nil
}

// publish writes next as the version after cur: the row, the immutable
// version, links, mentions, clears the author's draft, and appends
// document.updated.
func (s *Service) publish(ctx context.Context, tx Tx, p *app.Principal, cur, next *Document, pub published, message string) (*Document, error) {
	now := tx.Now()
	out := *next
	out.Version = cur.Version + 1
	out.UpdatedBy, out.UpdatedAt = p.User.ID, now
	if err := tx.UpdateDocument(ctx, &out); err != nil {
		return nil, err
	}
	if err := tx.AddVersion(ctx, versionOf(&out, message)); err != nil {
		return nil, err
	}
	if err := tx.ReplaceLinks(ctx, out.ID, pub.links); err != nil {
		return nil, err
	}
	mentioned, err := tx.ReplaceMentions(ctx, out.ID, pub.mentions, out.Version)
	if err != nil {
		return nil, err
	}
	if _, err := tx.DeleteDraft(ctx, out.ID, p.User.ID); err != nil {
		return nil, err
	}
	extra := map[string]any{"mentioned": mentioned}
	if cur.Title != out.Title {
		extra["previous_title"] = cur.Title
	}
	if err := tx.AppendEvent(ctx, documentEvent(app.EventDocumentUpdated, &out, extra)); err != nil {
		return nil, err
	}
	return &out, nil
}

// Backlinks lists the documents p may see that link to the document.
func (s *Service) Backlinks(ctx context.Context, p *app.Principal, id string) ([]DocRef, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return nil, err
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	return s.store.FindBacklinks(ctx, d.ID, TitleKey(d.Title), vis)
}

// SearchTitles finds documents p may see by title (the [[ autocomplete);
// those of spaceID first when given.
func (s *Service) SearchTitles(ctx context.Context, p *app.Principal, q, spaceID string, limit int) ([]DocRef, error) {
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > MaxTitleRunes {
		return nil, app.Invalid("q", "The search is too long.")
	}
	return s.store.SearchTitles(ctx, q, spaceID, vis, limit)
}

// Tags lists tags starting with prefix, with counts of documents p may see.
func (s *Service) Tags(ctx context.Context, p *app.Principal, prefix string, limit int) ([]TagCount, error) {
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	prefix = strings.ToLower(strings.TrimLeft(strings.TrimSpace(prefix), "#"))
	return s.store.FindTags(ctx, prefix, vis, limit)
}

// Mentionable lists people to offer in the @mention autocomplete. Guests
// get no one: they must not learn who works in the organisation.
func (s *Service) Mentionable(ctx context.Context, p *app.Principal, q string, limit int) ([]Mentionable, error) {
	if p == nil {
		return nil, &app.Error{Code: app.CodeUnauthorized, Message: "Sign in to continue."}
	}
	if p.User.Role == app.RoleGuest {
		return []Mentionable{}, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	q = strings.TrimLeft(strings.TrimSpace(q), "@")
	if utf8.RuneCountInString(q) > 100 {
		return nil, app.Invalid("q", "The search is too long.")
	}
	return s.store.FindMentionable(ctx, q, limit)
}

// MentionHandle is the handle to type after @ for a user: the name without
// spaces when that is a valid handle (so "김민지" is @김민지), else the
// email's local part.
func MentionHandle(name, email string) string {
	compact := strings.Join(strings.Fields(name), "")
	if compact != "" && render.MentionHandle([]byte(compact)) == compact {
		return compact
	}
	local, _, _ := strings.Cut(email, "@")
	return local
}
