package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/kb"
	"nexus/app/render"
	"nexus/app/settings"
)

// kbRoutes: kb.go: spaces, documents, versions, tags, categories, templates, trash, shares, import/export.
// The public share page lives on the root router: it is HTML for people
// without an account (kb_share.go).
func (s *Server) kbRoutes(root, r fiber.Router) {
	if s.deps.KB == nil {
		return
	}
	root.Get("/s/share.css", s.shareCSS)
	root.Get("/s/:token", s.sharedPage)
	root.Get("/s/:token/attachments/:id", s.sharedAttachment)

	r.Get("/spaces", s.requireAuth, s.listSpaces)
	r.Post("/spaces", s.requireAuth, s.createSpace)
	r.Get("/spaces/:id", s.requireAuth, s.getSpace)
	r.Patch("/spaces/:id", s.requireAuth, s.updateSpace)
	r.Post("/spaces/:id/archive", s.requireAuth, s.archiveSpace)
	r.Post("/spaces/:id/restore", s.requireAuth, s.restoreSpace)
	r.Get("/spaces/:id/members", s.requireAuth, s.listSpaceMembers)
	r.Post("/spaces/:id/members", s.requireAuth, s.addSpaceMember)
	r.Delete("/spaces/:id/members/:member_id", s.requireAuth, s.removeSpaceMember)
	r.Get("/spaces/:id/tree", s.requireAuth, s.spaceTree)
	r.Get("/spaces/:id/export.zip", s.requireAuth, s.exportSpace)
	r.Post("/spaces/:id/import", s.requireAuth, s.importSpace)

	r.Get("/documents", s.requireAuth, s.listDocumentsByTag)
	r.Post("/documents", s.requireAuth, s.createDocument)
	r.Post("/documents/preview", s.requireAuth, s.previewDocument)
	r.Get("/documents/search-titles", s.requireAuth, s.searchTitles)
	r.Get("/documents/:id", s.requireAuth, s.getDocument)
	r.Put("/documents/:id", s.requireAuth, s.updateDocument)
	r.Delete("/documents/:id", s.requireAuth, s.deleteDocument)
	r.Post("/documents/:id/move", s.requireAuth, s.moveDocument)
	r.Get("/documents/:id/draft", s.requireAuth, s.getDraft)
	r.Put("/documents/:id/draft", s.requireAuth, s.saveDraft)
	r.Delete("/documents/:id/draft", s.requireAuth, s.discardDraft)
	r.Get("/documents/:id/versions", s.requireAuth, s.listVersions)
	r.Get("/documents/:id/versions/:n", s.requireAuth, s.getVersion)
	r.Get("/documents/:id/diff", s.requireAuth, s.diffVersions)
	r.Post("/documents/:id/restore", s.requireAuth, s.restoreVersion)
	r.Get("/documents/:id/backlinks", s.requireAuth, s.backlinks)
	r.Get("/documents/:id/export.md", s.requireAuth, s.exportMarkdown)
	r.Get("/documents/:id/export.html", s.requireAuth, s.exportHTML)
	r.Get("/documents/:id/shares", s.requireAuth, s.listShares)
	r.Post("/documents/:id/shares", s.requireAuth, s.createShare)
	r.Delete("/shares/:id", s.requireAuth, s.revokeShare)

	r.Get("/categories", s.requireAuth, s.listCategories)
	r.Post("/categories", s.requireAuth, s.createCategory)
	r.Get("/categories/:id", s.requireAuth, s.categoryPage)
	r.Patch("/categories/:id", s.requireAuth, s.updateCategory)
	r.Delete("/categories/:id", s.requireAuth, s.deleteCategory)
	r.Get("/tags", s.requireAuth, s.listTags)
	r.Get("/templates", s.requireAuth, s.listTemplates)
	r.Post("/templates", s.requireAuth, s.createTemplate)
	r.Get("/templates/:id", s.requireAuth, s.getTemplate)
	r.Patch("/templates/:id", s.requireAuth, s.updateTemplate)
	r.Delete("/templates/:id", s.requireAuth, s.deleteTemplate)
	r.Get("/trash", s.requireAuth, s.listTrash)
	r.Post("/trash/:id/restore", s.requireAuth, s.restoreTrash)
	r.Delete("/trash/:id", s.requireAuth, s.purgeTrash)
	// GET /users/:id (accounts) would shadow /users/mentionable.
	r.Get("/mentions/users", s.requireAuth, s.mentionableUsers)
	r.Get("/settings/kb", s.requireAuth, s.getKBSettings)
	r.Patch("/settings/kb", s.requireAuth, s.updateKBSettings)
}

// kbJSON writes v as JSON without escaping <, > and & (encoding/json's
// default, meant for JSON inside HTML pages): documents carry a lot of
// HTML, and escaping it costs time and bytes. The response is
// application/json with nosniff, never HTML.
func kbJSON(c *fiber.Ctx, v any) error {
	buf := kbBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer kbBufs.Put(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	// SetBody copies: the buffer goes back to the pool.
	c.Response().SetBody(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return nil
}

var kbBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// kbList is the list shape of the API.
type kbList[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func kbTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func kbQueryInt(c *fiber.Ctx, name string) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, app.Invalid(name, name+" must be a whole number.")
	}
	return n, nil
}

// --- spaces ---

type spaceJSON struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Description   string        `json:"description"`
	Icon          string        `json:"icon"`
	Visibility    string        `json:"visibility"`
	Archived      bool          `json:"archived"`
	ArchivedAt    *time.Time    `json:"archived_at"`
	CreatedBy     string        `json:"created_by"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	Version       int64         `json:"version"`
	DocumentCount *int          `json:"document_count,omitempty"`
	Access        *kbAccessJSON `json:"access,omitempty"`
}

type kbAccessJSON struct {
	Edit   bool `json:"edit"`
	Manage bool `json:"manage"`
}

func toSpaceJSON(sp *kb.Space) spaceJSON {
	return spaceJSON{ID: sp.ID, Name: sp.Name, Description: sp.Description, Icon: sp.Icon,
		Visibility: string(sp.Visibility), Archived: sp.Archived(), ArchivedAt: kbTime(sp.ArchivedAt),
		CreatedBy: sp.CreatedBy, CreatedAt: sp.CreatedAt.UTC(), UpdatedAt: sp.UpdatedAt.UTC(), Version: sp.Version}
}

func (s *Server) spaceWithAccess(c *fiber.Ctx, sp *kb.Space) (spaceJSON, error) {
	j := toSpaceJSON(sp)
	acc, err := s.deps.KB.Access(c.UserContext(), principal(c), sp)
	if err != nil {
		return j, err
	}
	j.Access = &kbAccessJSON{Edit: acc.Edit && !sp.Archived(), Manage: acc.Manage}
	return j, nil
}

func (s *Server) listSpaces(c *fiber.Ctx) error {
	spaces, err := s.deps.KB.Spaces(c.UserContext(), principal(c), c.QueryBool("archived"))
	if err != nil {
		return err
	}
	out := kbList[spaceJSON]{Items: make([]spaceJSON, 0, len(spaces))}
	for i := range spaces {
		j := toSpaceJSON(&spaces[i])
		n := spaces[i].DocumentCount
		j.DocumentCount = &n
		out.Items = append(out.Items, j)
	}
	return kbJSON(c, out)
}

type spaceRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Icon        string `json:"icon"`
	Visibility  string `json:"visibility"`
}

func (s *Server) createSpace(c *fiber.Ctx) error {
	var req spaceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sp, err := s.deps.KB.CreateSpace(c.UserContext(), principal(c), kb.SpaceInput(req), s.meta(c))
	if err != nil {
		return err
	}
	j, err := s.spaceWithAccess(c, sp)
	if err != nil {
		return err
	}
	return kbJSON(c.Status(fiber.StatusCreated), j)
}

func (s *Server) getSpace(c *fiber.Ctx) error {
	sp, err := s.deps.KB.Space(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	j, err := s.spaceWithAccess(c, sp)
	if err != nil {
		return err
	}
	return kbJSON(c, j)
}

type spacePatchRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Icon        *string `json:"icon"`
	Visibility  *string `json:"visibility"`
	Version     int64   `json:"version"`
}

func (s *Server) updateSpace(c *fiber.Ctx) error {
	var req spacePatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sp, err := s.deps.KB.UpdateSpace(c.UserContext(), principal(c), c.Params("id"), kb.SpaceUpdate(req), s.meta(c))
	if err != nil {
		return err
	}
	j, err := s.spaceWithAccess(c, sp)
	if err != nil {
		return err
	}
	return kbJSON(c, j)
}

func (s *Server) archiveSpace(c *fiber.Ctx) error {
	sp, err := s.deps.KB.ArchiveSpace(c.UserContext(), principal(c), c.Params("id"), s.meta(c))
	if err != nil {
		return err
	}
	return kbJSON(c, toSpaceJSON(sp))
}

func (s *Server) restoreSpace(c *fiber.Ctx) error {
	sp, err := s.deps.KB.RestoreSpace(c.UserContext(), principal(c), c.Params("id"), s.meta(c))
	if err != nil {
		return err
	}
	return kbJSON(c, toSpaceJSON(sp))
}

type spaceMemberJSON struct {
	Type      string    `json:"type"` // user or team
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	GrantedAt time.Time `json:"granted_at"`
}

func (s *Server) listSpaceMembers(c *fiber.Ctx) error {
	grants, err := s.deps.KB.Members(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	out := kbList[spaceMemberJSON]{Items: make([]spaceMemberJSON, 0, len(grants))}
	for _, g := range grants {
		out.Items = append(out.Items, spaceMemberJSON{Type: g.Grantee.Type, ID: g.Grantee.ID, Name: g.Name,
			Role: string(g.Role), GrantedAt: g.GrantedAt.UTC()})
	}
	return kbJSON(c, out)
}

type spaceMemberRequest struct {
	UserID string `json:"user_id"`
	TeamID string `json:"team_id"`
	Role   string `json:"role"`
}

func (s *Server) addSpaceMember(c *fiber.Ctx) error {
	var req spaceMemberRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var to authz.Grantee
	switch {
	case req.UserID != "" && req.TeamID != "":
		return app.Invalid("user_id", "Give user_id or team_id, not both.")
	case req.UserID != "":
		to = authz.Grantee{Type: authz.GranteeUser, ID: req.UserID}
	case req.TeamID != "":
		to = authz.Grantee{Type: authz.GranteeTeam, ID: req.TeamID}
	default:
		return app.Invalid("user_id", "user_id or team_id is required.")
	}
	if err := s.deps.KB.SetMember(c.UserContext(), principal(c), c.Params("id"), to, req.Role, s.meta(c)); err != nil {
		return err
	}
	return s.listSpaceMembers(c)
}

func (s *Server) removeSpaceMember(c *fiber.Ctx) error {
	if err := s.deps.KB.RemoveMember(c.UserContext(), principal(c), c.Params("id"), c.Params("member_id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) spaceTree(c *fiber.Ctx) error {
	nodes, err := s.deps.KB.Tree(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(appendTreeJSON(make([]byte, 0, 128*len(nodes)+64), nodes))
}

// appendTreeJSON writes {"items":[…],"next_cursor":""} for a tree by hand:
// a space can hold tens of thousands of documents, and this is several
// times faster than encoding/json's reflection.
func appendTreeJSON(b []byte, nodes []kb.TreeNode) []byte {
	b = append(b, `{"items":[`...)
	for i, n := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, n.ID)
		b = append(b, `,"parent_id":`...)
		b = appendJSONString(b, n.ParentID)
		b = append(b, `,"title":`...)
		b = appendJSONString(b, n.Title)
		b = append(b, `,"rank":`...)
		b = appendJSONString(b, n.Rank)
		b = append(b, `,"status":`...)
		b = appendJSONString(b, n.Status)
		b = append(b, `,"has_children":`...)
		b = strconv.AppendBool(b, n.HasChildren)
		b = append(b, `,"depth":`...)
		b = strconv.AppendInt(b, int64(n.Depth), 10)
		b = append(b, '}')
	}
	return append(b, `],"next_cursor":""}`...)
}

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does; U+2028 and U+2029 are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// kbAttachmentName is a Content-Disposition for a download: an ASCII
// fallback name and the real (e.g. Korean) one per RFC 6266 / RFC 8187.
func kbAttachmentName(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + url.PathEscape(name)
}

func (s *Server) exportSpace(c *fiber.Ctx) error {
	ctx, p, id, meta := c.UserContext(), principal(c), c.Params("id"), s.meta(c)
	sp, err := s.deps.KB.Space(ctx, p, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, kbAttachmentName(kb.SafeFileName(sp.Name)+".zip"))
	rid, log, svc := requestID(c), s.log, s.deps.KB
	// Streamed: a space with its attachments can be large. Permission was
	// checked above; errors from here on can only end the file early.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := svc.ExportSpace(ctx, p, id, w, meta); err != nil {
			log.ErrorContext(ctx, "space export failed", "request_id", rid, "space_id", id, "error", err)
		}
	})
	return nil
}

func (s *Server) importSpace(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return app.Invalid("file", "Send the file to import as multipart/form-data in the field \"file\".")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := s.deps.KB.Import(c.UserContext(), principal(c), kb.ImportInput{SpaceID: c.Params("id"),
		ParentID: c.FormValue("parent_id"), FileName: fh.Filename, Size: fh.Size, Content: f}, s.meta(c))
	if err != nil {
		return err
	}
	return kbJSON(c.Status(fiber.StatusCreated), res)
}

// --- documents ---

type kbUserJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type tocJSON struct {
	Level int    `json:"level"`
	Text  string `json:"text"`
	ID    string `json:"id"`
}

type documentJSON struct {
	ID          string             `json:"id"`
	SpaceID     string             `json:"space_id"`
	ParentID    *string            `json:"parent_id"`
	Rank        string             `json:"rank"`
	Title       string             `json:"title"`
	Body        string             `json:"body"`
	HTML        string             `json:"html"`
	TOC         []tocJSON          `json:"toc"`
	Status      string             `json:"status"`
	Tags        []string           `json:"tags"`
	Category    *kb.CategoryRef    `json:"category"`
	Version     int64              `json:"version"`
	CreatedBy   kbUserJSON         `json:"created_by"`
	UpdatedBy   kbUserJSON         `json:"updated_by"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Backlinks   []kb.DocRef        `json:"backlinks"`
	Breadcrumbs []kb.DocRef        `json:"breadcrumbs"`
	Attachments []kbAttachmentJSON `json:"attachments"`
	Space       kbSpaceRef         `json:"space"`
	HasDraft    bool               `json:"has_draft"`
	Access      kbAccessJSON       `json:"access"`
}

// kbAttachmentJSON is an attachment of a document, with the URLs of the
// attachment routes (app/api/files.go).
type kbAttachmentJSON struct {
	kb.AttachmentInfo
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
}

type kbSpaceRef struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Icon     string `json:"icon"`
	Archived bool   `json:"archived"`
}

func kbParent(id string) *string {
	if id == "" {
		return nil
	}
	return &id
}

func toDocumentJSON(v *kb.DocumentView) documentJSON {
	j := documentJSON{ID: v.ID, SpaceID: v.SpaceID, ParentID: kbParent(v.ParentID), Rank: v.Rank, Title: v.Title,
		Body: v.Body, HTML: v.HTML, TOC: make([]tocJSON, 0, len(v.TOC)), Status: v.Status, Tags: v.Tags,
		Category: v.Category, Version: v.Version,
		CreatedBy: kbUserJSON(v.CreatedBy), UpdatedBy: kbUserJSON(v.UpdatedBy),
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(), Backlinks: v.Backlinks, Breadcrumbs: v.Breadcrumbs,
		Attachments: make([]kbAttachmentJSON, 0, len(v.Attachments)), HasDraft: v.HasDraft, Access: kbAccessJSON(v.Access)}
	for _, a := range v.Attachments {
		aj := kbAttachmentJSON{AttachmentInfo: a, URL: "/api/v1/attachments/" + a.ID + "/content"}
		if a.HasThumbnail {
			aj.ThumbnailURL = "/api/v1/attachments/" + a.ID + "/thumbnail"
		}
		j.Attachments = append(j.Attachments, aj)
	}
	for _, h := range v.TOC {
		j.TOC = append(j.TOC, tocJSON{Level: h.Level, Text: h.Text, ID: h.ID})
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if v.Space != nil {
		j.Space = kbSpaceRef{ID: v.Space.ID, Name: v.Space.Name, Icon: v.Space.Icon, Archived: v.Space.Archived()}
	}
	return j
}

func (s *Server) documentResponse(c *fiber.Ctx, status int, id string) error {
	v, err := s.deps.KB.Document(c.UserContext(), principal(c), id)
	if err != nil {
		return err
	}
	return kbJSON(c.Status(status), toDocumentJSON(v))
}

type createDocumentRequest struct {
	SpaceID    string   `json:"space_id"`
	ParentID   *string  `json:"parent_id"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Tags       []string `json:"tags"`
	CategoryID *string  `json:"category_id"`
	Status     string   `json:"status"`
	TemplateID string   `json:"template_id"`
	Message    string   `json:"message"`
}

func kbDeref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) createDocument(c *fiber.Ctx) error {
	var req createDocumentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.SpaceID == "" {
		return app.Invalid("space_id", "space_id is required.")
	}
	d, err := s.deps.KB.CreateDocument(c.UserContext(), principal(c), kb.DocumentInput{SpaceID: req.SpaceID,
		ParentID: kbDeref(req.ParentID), Title: req.Title, Body: req.Body, Tags: req.Tags,
		CategoryID: kbDeref(req.CategoryID), Status: req.Status, TemplateID: req.TemplateID, Message: req.Message})
	if err != nil {
		return err
	}
	return s.documentResponse(c, fiber.StatusCreated, d.ID)
}

func (s *Server) getDocument(c *fiber.Ctx) error {
	return s.documentResponse(c, fiber.StatusOK, c.Params("id"))
}

type updateDocumentRequest struct {
	Title      *string   `json:"title"`
	Body       *string   `json:"body"`
	Tags       *[]string `json:"tags"`
	CategoryID *string   `json:"category_id"` // "" clears it
	Status     *string   `json:"status"`
	Version    int64     `json:"version"`
	Message    string    `json:"message"`
}

func (s *Server) updateDocument(c *fiber.Ctx) error {
	var req updateDocumentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.deps.KB.UpdateDocument(c.UserContext(), principal(c), c.Params("id"), kb.DocumentUpdate(req))
	if err != nil {
		return err
	}
	return s.documentResponse(c, fiber.StatusOK, d.ID)
}

func (s *Server) deleteDocument(c *fiber.Ctx) error {
	if err := s.deps.KB.DeleteDocument(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type moveRequest struct {
	SpaceID  string  `json:"space_id"`
	ParentID *string `json:"parent_id"`
	BeforeID string  `json:"before_id"`
	AfterID  string  `json:"after_id"`
	Version  int64   `json:"version"`
}

type movedJSON struct {
	ID       string  `json:"id"`
	SpaceID  string  `json:"space_id"`
	ParentID *string `json:"parent_id"`
	Rank     string  `json:"rank"`
	Version  int64   `json:"version"`
}

func (s *Server) moveDocument(c *fiber.Ctx) error {
	var req moveRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.deps.KB.MoveDocument(c.UserContext(), principal(c), c.Params("id"), kb.MoveInput{SpaceID: req.SpaceID,
		ParentID: kbDeref(req.ParentID), BeforeID: req.BeforeID, AfterID: req.AfterID, Version: req.Version})
	if err != nil {
		return err
	}
	return kbJSON(c, movedJSON{ID: d.ID, SpaceID: d.SpaceID, ParentID: kbParent(d.ParentID), Rank: d.Rank, Version: d.Version})
}

type draftJSON struct {
	DocumentID     string    `json:"document_id"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	BaseVersion    int64     `json:"base_version"`
	CurrentVersion int64     `json:"current_version"`
	Stale          bool      `json:"stale"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toDraftJSON(d *kb.DraftView) draftJSON {
	return draftJSON{DocumentID: d.DocumentID, Title: d.Title, Body: d.Body, BaseVersion: d.BaseVersion,
		CurrentVersion: d.CurrentVersion, Stale: d.Stale(), UpdatedAt: d.UpdatedAt.UTC()}
}

func (s *Server) getDraft(c *fiber.Ctx) error {
	d, err := s.deps.KB.Draft(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return kbJSON(c, toDraftJSON(d))
}

type draftRequest struct {
	Title       string `json:"title"`
	Body        string `json:"body"`
	BaseVersion int64  `json:"base_version"`
}

func (s *Server) saveDraft(c *fiber.Ctx) error {
	var req draftRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.deps.KB.SaveDraft(c.UserContext(), principal(c), c.Params("id"), kb.DraftInput(req))
	if err != nil {
		return err
	}
	return kbJSON(c, toDraftJSON(d))
}

func (s *Server) discardDraft(c *fiber.Ctx) error {
	if err := s.deps.KB.DiscardDraft(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type versionJSON struct {
	Version    int64      `json:"version"`
	Title      string     `json:"title"`
	Status     string     `json:"status"`
	Tags       []string   `json:"tags"`
	CategoryID *string    `json:"category_id"`
	Author     kbUserJSON `json:"author"`
	CreatedAt  time.Time  `json:"created_at"`
	Message    string     `json:"message"`
	Body       *string    `json:"body,omitempty"`
	HTML       *string    `json:"html,omitempty"`
}

func toVersionJSON(v *kb.Version) versionJSON {
	return versionJSON{Version: v.Number, Title: v.Title, Status: v.Status, Tags: v.Tags, CategoryID: kbParent(v.CategoryID),
		Author: kbUserJSON{ID: v.AuthorID, Name: v.AuthorName}, CreatedAt: v.CreatedAt.UTC(), Message: v.Message}
}

func (s *Server) listVersions(c *fiber.Ctx) error {
	before, err := kbQueryInt(c, "cursor")
	if err != nil {
		return err
	}
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	if limit == 0 {
		limit = 50
	}
	versions, err := s.deps.KB.Versions(c.UserContext(), principal(c), c.Params("id"), before, limit)
	if err != nil {
		return err
	}
	out := kbList[versionJSON]{Items: make([]versionJSON, 0, len(versions))}
	for i := range versions {
		out.Items = append(out.Items, toVersionJSON(&versions[i]))
	}
	if len(versions) == limit && limit > 0 && versions[len(versions)-1].Number > 1 {
		out.NextCursor = strconv.FormatInt(versions[len(versions)-1].Number, 10)
	}
	return kbJSON(c, out)
}

func (s *Server) getVersion(c *fiber.Ctx) error {
	n, err := strconv.ParseInt(c.Params("n"), 10, 64)
	if err != nil || n < 1 {
		return &app.Error{Code: app.CodeNotFound, Message: "Version not found."}
	}
	v, err := s.deps.KB.Version(c.UserContext(), principal(c), c.Params("id"), n)
	if err != nil {
		return err
	}
	j := toVersionJSON(&v.Version)
	j.Body, j.HTML = &v.Body, &v.HTML
	return kbJSON(c, j)
}

type diffJSON struct {
	From   int64         `json:"from"`
	To     int64         `json:"to"`
	Title  diffPairJSON  `json:"title"`
	Status diffPairJSON  `json:"status"`
	Tags   diffTagsJSON  `json:"tags"`
	Lines  []kb.DiffLine `json:"lines"`
	Stats  kb.DiffStats  `json:"stats"`
}

type diffPairJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type diffTagsJSON struct {
	From []string `json:"from"`
	To   []string `json:"to"`
}

func (s *Server) diffVersions(c *fiber.Ctx) error {
	from, err := kbQueryInt(c, "from")
	if err != nil {
		return err
	}
	to, err := kbQueryInt(c, "to")
	if err != nil {
		return err
	}
	d, err := s.deps.KB.Diff(c.UserContext(), principal(c), c.Params("id"), from, to)
	if err != nil {
		return err
	}
	lines := d.Lines
	if lines == nil {
		lines = []kb.DiffLine{}
	}
	return kbJSON(c, diffJSON{From: d.From, To: d.To, Title: diffPairJSON{d.TitleFrom, d.TitleTo},
		Status: diffPairJSON{d.StatusFrom, d.StatusTo}, Tags: diffTagsJSON{d.TagsFrom, d.TagsTo}, Lines: lines, Stats: d.Stats})
}

type restoreRequest struct {
	Version         int64 `json:"version"`
	ExpectedVersion int64 `json:"expected_version"`
}

func (s *Server) restoreVersion(c *fiber.Ctx) error {
	var req restoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Version <= 0 {
		return app.Invalid("version", "Say which version to restore.")
	}
	d, err := s.deps.KB.RestoreVersion(c.UserContext(), principal(c), c.Params("id"), req.Version, req.ExpectedVersion)
	if err != nil {
		return err
	}
	return s.documentResponse(c, fiber.StatusOK, d.ID)
}

func (s *Server) backlinks(c *fiber.Ctx) error {
	refs, err := s.deps.KB.Backlinks(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return kbJSON(c, kbList[kb.DocRef]{Items: refs})
}

func (s *Server) searchTitles(c *fiber.Ctx) error {
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	refs, err := s.deps.KB.SearchTitles(c.UserContext(), principal(c), c.Query("q"), c.Query("space_id"), limit)
	if err != nil {
		return err
	}
	return kbJSON(c, kbList[kb.DocRef]{Items: refs})
}

// listDocumentsByTag answers GET /documents?tag=…: the tag page.
func (s *Server) listDocumentsByTag(c *fiber.Ctx) error {
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	refs, next, err := s.deps.KB.DocumentsWithTag(c.UserContext(), principal(c), c.Query("tag"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	return kbJSON(c, fiber.Map{"items": refs, "next_cursor": next})
}

type previewRequest struct {
	Body       string `json:"body"`
	DocumentID string `json:"document_id"`
}

type previewHeading struct {
	Level int    `json:"level"`
	Text  string `json:"text"`
	ID    string `json:"id"`
}

// previewDocument renders an unpublished body for the editor's preview.
func (s *Server) previewDocument(c *fiber.Ctx) error {
	var req previewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	res, err := s.deps.KB.PreviewBody(c.UserContext(), principal(c), req.DocumentID, req.Body)
	if err != nil {
		return err
	}
	toc := make([]previewHeading, 0, len(res.Headings))
	for _, h := range res.Headings {
		toc = append(toc, previewHeading{Level: h.Level, Text: h.Text, ID: h.ID})
	}
	return kbJSON(c, fiber.Map{"html": res.HTML, "toc": toc})
}

func (s *Server) exportMarkdown(c *fiber.Ctx) error {
	name, content, err := s.deps.KB.ExportMarkdown(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, kbAttachmentName(name))
	return c.Send(content)
}

func (s *Server) exportHTML(c *fiber.Ctx) error {
	name, content, err := s.deps.KB.ExportHTML(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	// A download, never rendered on our origin.
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, kbAttachmentName(name))
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
	return c.Send(content)
}

// --- share links ---

type shareJSON struct {
	ID              string     `json:"id"`
	DocumentID      string     `json:"document_id"`
	IncludeChildren bool       `json:"include_children"`
	ExpiresAt       *time.Time `json:"expires_at"`
	CreatedBy       kbUserJSON `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	RevokedAt       *time.Time `json:"revoked_at"`
	ViewCount       int64      `json:"view_count"`
	LastViewedAt    *time.Time `json:"last_viewed_at"`
	Active          bool       `json:"active"`
	// Token and URL are in the response that creates the link, and only
	// there: the server keeps a hash.
	Token string `json:"token,omitempty"`
	URL   string `json:"url,omitempty"`
}

func toShareJSON(sh *kb.Share, now time.Time) shareJSON {
	return shareJSON{ID: sh.ID, DocumentID: sh.DocumentID, IncludeChildren: sh.IncludeChildren,
		ExpiresAt: kbTime(sh.ExpiresAt), CreatedBy: kbUserJSON{ID: sh.CreatedBy, Name: sh.CreatedByName},
		CreatedAt: sh.CreatedAt.UTC(), RevokedAt: kbTime(sh.RevokedAt), ViewCount: sh.ViewCount,
		LastViewedAt: kbTime(sh.LastViewedAt), Active: sh.Active(now)}
}

func (s *Server) listShares(c *fiber.Ctx) error {
	shares, err := s.deps.KB.Shares(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	now := time.Now()
	out := kbList[shareJSON]{Items: make([]shareJSON, 0, len(shares))}
	for i := range shares {
		out.Items = append(out.Items, toShareJSON(&shares[i], now))
	}
	return kbJSON(c, out)
}

type shareRequest struct {
	IncludeChildren bool       `json:"include_children"`
	ExpiresAt       *time.Time `json:"expires_at"`
}

func (s *Server) createShare(c *fiber.Ctx) error {
	var req shareRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := kb.ShareInput{IncludeChildren: req.IncludeChildren}
	if req.ExpiresAt != nil {
		in.ExpiresAt = *req.ExpiresAt
	}
	sh, token, err := s.deps.KB.CreateShare(c.UserContext(), principal(c), c.Params("id"), in, s.meta(c))
	if err != nil {
		return err
	}
	j := toShareJSON(sh, time.Now())
	j.Token, j.URL = token, s.origin(c)+kb.SharedURL(token, "", "")
	return kbJSON(c.Status(fiber.StatusCreated), j)
}

func (s *Server) revokeShare(c *fiber.Ctx) error {
	if err := s.deps.KB.RevokeShare(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// --- categories, tags, templates ---

type categoryJSON struct {
	ID            string    `json:"id"`
	ParentID      *string   `json:"parent_id"`
	Name          string    `json:"name"`
	Path          string    `json:"path"`
	Depth         int       `json:"depth"`
	DocumentCount int       `json:"document_count"` // in this category
	TotalCount    int       `json:"total_count"`    // in it and its sub-categories
	Version       int64     `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toCategoryJSON(n kb.CategoryNode) categoryJSON {
	return categoryJSON{ID: n.ID, ParentID: kbParent(n.ParentID), Name: n.Name, Path: n.Path, Depth: n.Depth,
		DocumentCount: n.DocumentCount, TotalCount: n.TotalCount, Version: n.Version, CreatedAt: n.CreatedAt.UTC(),
		UpdatedAt: n.UpdatedAt.UTC()}
}

func (s *Server) listCategories(c *fiber.Ctx) error {
	nodes, err := s.deps.KB.Categories(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	out := kbList[categoryJSON]{Items: make([]categoryJSON, 0, len(nodes))}
	for _, n := range nodes {
		out.Items = append(out.Items, toCategoryJSON(n))
	}
	return kbJSON(c, out)
}

type categoryPageJSON struct {
	categoryJSON
	Children   []categoryJSON `json:"children"`
	Documents  []kb.DocRef    `json:"documents"`
	NextCursor string         `json:"next_cursor"`
}

func (s *Server) categoryPage(c *fiber.Ctx) error {
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	page, err := s.deps.KB.CategoryPage(c.UserContext(), principal(c), c.Params("id"), c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	out := categoryPageJSON{categoryJSON: toCategoryJSON(page.Category), Children: []categoryJSON{},
		Documents: page.Documents, NextCursor: page.NextCursor}
	for _, ch := range page.Children {
		out.Children = append(out.Children, toCategoryJSON(ch))
	}
	return kbJSON(c, out)
}

type categoryRequest struct {
	ParentID *string `json:"parent_id"`
	Name     string  `json:"name"`
}

func (s *Server) categoryResponse(c *fiber.Ctx, status int, id string) error {
	nodes, err := s.deps.KB.Categories(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if n.ID == id {
			return kbJSON(c.Status(status), toCategoryJSON(n))
		}
	}
	return &app.Error{Code: app.CodeNotFound, Message: "Category not found."}
}

func (s *Server) createCategory(c *fiber.Ctx) error {
	var req categoryRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat, err := s.deps.KB.CreateCategory(c.UserContext(), principal(c), kb.CategoryInput{ParentID: kbDeref(req.ParentID), Name: req.Name})
	if err != nil {
		return err
	}
	return s.categoryResponse(c, fiber.StatusCreated, cat.ID)
}

type categoryPatchRequest struct {
	ParentID *string `json:"parent_id"` // "" moves it to the top
	Name     *string `json:"name"`
	Version  int64   `json:"version"`
}

func (s *Server) updateCategory(c *fiber.Ctx) error {
	var req categoryPatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat, err := s.deps.KB.UpdateCategory(c.UserContext(), principal(c), c.Params("id"), kb.CategoryUpdate(req))
	if err != nil {
		return err
	}
	return s.categoryResponse(c, fiber.StatusOK, cat.ID)
}

func (s *Server) deleteCategory(c *fiber.Ctx) error {
	if err := s.deps.KB.DeleteCategory(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listTags(c *fiber.Ctx) error {
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	tags, err := s.deps.KB.Tags(c.UserContext(), principal(c), c.Query("prefix"), limit)
	if err != nil {
		return err
	}
	return kbJSON(c, kbList[kb.TagCount]{Items: tags})
}

type templateJSON struct {
	ID          string    `json:"id"`
	SpaceID     *string   `json:"space_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int64     `json:"version"`
}

func toTemplateJSON(t *kb.Template) templateJSON {
	return templateJSON{ID: t.ID, SpaceID: kbParent(t.SpaceID), Name: t.Name, Description: t.Description, Title: t.Title,
		Body: t.Body, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(), Version: t.Version}
}

func (s *Server) listTemplates(c *fiber.Ctx) error {
	list, err := s.deps.KB.Templates(c.UserContext(), principal(c), c.Query("space_id"))
	if err != nil {
		return err
	}
	out := kbList[templateJSON]{Items: make([]templateJSON, 0, len(list))}
	for i := range list {
		out.Items = append(out.Items, toTemplateJSON(&list[i]))
	}
	return kbJSON(c, out)
}

type templateRequest struct {
	SpaceID     *string `json:"space_id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Title       string  `json:"title"`
	Body        string  `json:"body"`
}

func (s *Server) createTemplate(c *fiber.Ctx) error {
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.KB.CreateTemplate(c.UserContext(), principal(c), kb.TemplateInput{SpaceID: kbDeref(req.SpaceID),
		Name: req.Name, Description: req.Description, Title: req.Title, Body: req.Body})
	if err != nil {
		return err
	}
	return kbJSON(c.Status(fiber.StatusCreated), toTemplateJSON(t))
}

func (s *Server) getTemplate(c *fiber.Ctx) error {
	t, err := s.deps.KB.Template(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return kbJSON(c, toTemplateJSON(t))
}

type templatePatchRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Title       *string `json:"title"`
	Body        *string `json:"body"`
	Version     int64   `json:"version"`
}

func (s *Server) updateTemplate(c *fiber.Ctx) error {
	var req templatePatchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.deps.KB.UpdateTemplate(c.UserContext(), principal(c), c.Params("id"), kb.TemplateUpdate(req))
	if err != nil {
		return err
	}
	return kbJSON(c, toTemplateJSON(t))
}

func (s *Server) deleteTemplate(c *fiber.Ctx) error {
	if err := s.deps.KB.DeleteTemplate(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// --- trash ---

type trashJSON struct {
	ID              string     `json:"id"`
	Title           string     `json:"title"`
	SpaceID         string     `json:"space_id"`
	SpaceName       string     `json:"space_name"`
	ParentID        *string    `json:"parent_id"`
	DeletedAt       time.Time  `json:"deleted_at"`
	DeletedBy       kbUserJSON `json:"deleted_by"`
	PurgeAt         time.Time  `json:"purge_at"`
	DescendantCount int        `json:"descendant_count"`
}

func (s *Server) listTrash(c *fiber.Ctx) error {
	items, err := s.deps.KB.Trash(c.UserContext(), principal(c), c.Query("space_id"))
	if err != nil {
		return err
	}
	out := kbList[trashJSON]{Items: make([]trashJSON, 0, len(items))}
	for _, it := range items {
		out.Items = append(out.Items, trashJSON{ID: it.ID, Title: it.Title, SpaceID: it.SpaceID, SpaceName: it.SpaceName,
			ParentID: kbParent(it.ParentID), DeletedAt: it.DeletedAt.UTC(),
			DeletedBy: kbUserJSON{ID: it.DeletedBy, Name: it.DeletedByName}, PurgeAt: it.PurgeAt.UTC(),
			DescendantCount: it.DescendantCount})
	}
	return kbJSON(c, out)
}

func (s *Server) restoreTrash(c *fiber.Ctx) error {
	d, err := s.deps.KB.RestoreFromTrash(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return s.documentResponse(c, fiber.StatusOK, d.ID)
}

func (s *Server) purgeTrash(c *fiber.Ctx) error {
	if err := s.deps.KB.PurgeDocument(c.UserContext(), principal(c), c.Params("id"), s.meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// --- people and settings ---

func (s *Server) mentionableUsers(c *fiber.Ctx) error {
	limit, err := accessLimit(c)
	if err != nil {
		return err
	}
	users, err := s.deps.KB.Mentionable(c.UserContext(), principal(c), c.Query("q"), limit)
	if err != nil {
		return err
	}
	return kbJSON(c, kbList[kb.Mentionable]{Items: users})
}

func (s *Server) getKBSettings(c *fiber.Ctx) error {
	if err := authz.RequireGlobal(principal(c), authz.ManageSettings); err != nil {
		return err
	}
	st, err := s.deps.KB.Settings().KB(c.UserContext())
	if err != nil {
		return err
	}
	return kbJSON(c, st)
}

type kbSettingsPatch struct {
	PublicSharing *bool `json:"public_sharing"`
	Version       int64 `json:"version"`
}

func (s *Server) updateKBSettings(c *fiber.Ctx) error {
	var req kbSettingsPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	st, err := s.deps.KB.Settings().Update(c.UserContext(), principal(c), settings.KBPatch{PublicSharing: req.PublicSharing},
		req.Version, s.meta(c))
	if err != nil {
		return err
	}
	return kbJSON(c, st)
}

// --- the public share page ---

// The public share page: a document (and, when the link includes them, its
// children) for people without an account. Server-rendered HTML without the
// app's chrome or scripts, styled by one small stylesheet of its own
// (/s/share.css, so the page needs nothing inline), never indexed, never
// cached, and never sending the token onwards in a Referer.

func kbSharePageHeaders(c *fiber.Ctx) {
	c.Set("X-Robots-Tag", "noindex, nofollow, noarchive")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
}

type kbShareLabels struct {
	Lang, Contents, Attachments, Updated, Shared, Gone, GoneDetail string
}

var kbShareLabelsByLang = map[string]kbShareLabels{
	"en": {Lang: "en", Contents: "Contents", Attachments: "Attachments", Updated: "Last updated",
		Shared: "Shared with Nexus", Gone: "This link does not work", GoneDetail: "It may have been revoked or expired, or sharing was turned off. Ask the person who sent it for a new one."},
	"ko": {Lang: "ko", Contents: "목차", Attachments: "첨부 파일", Updated: "마지막 수정",
		Shared: "Nexus로 공유됨", Gone: "이 링크는 사용할 수 없습니다", GoneDetail: "링크가 취소되었거나 만료되었거나 공유가 꺼졌을 수 있습니다. 보낸 사람에게 새 링크를 요청하세요."},
}

func kbShareLang(text string) string {
	for _, r := range text {
		if unicode.Is(unicode.Hangul, r) {
			return "ko"
		}
	}
	return "en"
}

type kbShareNavItem struct {
	Title   string
	URL     string
	Depth   int
	Current bool
}

type kbShareAttachment struct {
	Name, URL, Size string
}

var kbSharePage = template.Must(template.New("share").Parse(`<!doctype html>
<html lang="{{.L.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/s/share.css">
</head>
<body>
<div class="page{{if .Nav}} with-nav{{end}}">
{{if .Nav}}<nav class="tree" aria-label="{{.L.Contents}}"><ul>
{{range .Nav}}<li class="d{{.Depth}}"><a href="{{.URL}}"{{if .Current}} aria-current="page"{{end}}>{{.Title}}</a></li>
{{end}}</ul></nav>{{end}}
<main>
<article>
<h1>{{.Title}}</h1>
<p class="meta">{{.L.Updated}}: <time datetime="{{.UpdatedISO}}">{{.Updated}}</time>{{if .UpdatedBy}} · {{.UpdatedBy}}{{end}}</p>
{{if .TOC}}<nav class="toc" aria-label="{{.L.Contents}}"><ul>
{{range .TOC}}<li class="h{{.Level}}"><a href="#{{.ID}}">{{.Text}}</a></li>
{{end}}</ul></nav>{{end}}
<div class="content">{{.HTML}}</div>
{{if .Attachments}}<section class="attachments"><h2>{{.L.Attachments}}</h2><ul>
{{range .Attachments}}<li><a href="{{.URL}}" rel="nofollow">{{.Name}}</a> <span>{{.Size}}</span></li>
{{end}}</ul></section>{{end}}
</article>
</main>
</div>
<footer>{{.L.Shared}}</footer>
</body>
</html>
`))

var kbShareGonePage = template.Must(template.New("gone").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.Gone}}</title>
<link rel="stylesheet" href="/s/share.css">
</head>
<body>
<main class="gone"><h1>{{.Gone}}</h1><p>{{.GoneDetail}}</p></main>
</body>
</html>
`))

// shareGone answers 404 with a small page in the reader's language: the
// same page for a link that never existed, was revoked, expired or was
// switched off.
func (s *Server) shareGone(c *fiber.Ctx) error {
	kbSharePageHeaders(c)
	lang := "en"
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderAcceptLanguage)), "ko") {
		lang = "ko"
	}
	var b bytes.Buffer
	if err := kbShareGonePage.Execute(&b, kbShareLabelsByLang[lang]); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(fiber.StatusNotFound).Send(b.Bytes())
}

func (s *Server) sharedPage(c *fiber.Ctx) error {
	c.Locals(localRoute, "/s/:token")
	token := c.Params("token")
	if !kb.ShareTokenLooksValid(token) {
		return s.shareGone(c)
	}
	page, err := s.deps.KB.SharedPage(c.UserContext(), token, c.Query("doc"))
	if app.IsNotFound(err) {
		return s.shareGone(c)
	} else if err != nil {
		return err
	}
	d := page.Document
	data := map[string]any{
		"L":          kbShareLabelsByLang[kbShareLang(d.Title+d.Body)],
		"Title":      d.Title,
		"HTML":       template.HTML(page.HTML), // sanitized by the renderer
		"TOC":        page.TOC,
		"Updated":    d.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"),
		"UpdatedISO": d.UpdatedAt.UTC().Format(time.RFC3339),
		"UpdatedBy":  page.UpdatedBy,
	}
	if page.Share.IncludeChildren && len(page.Tree) > 0 {
		nav := []kbShareNavItem{{Title: page.Root.Title, URL: kb.SharedURL(token, "", page.Root.ID), Current: d.ID == page.Root.ID}}
		for _, n := range page.Tree {
			nav = append(nav, kbShareNavItem{Title: n.Title, URL: kb.SharedURL(token, n.ID, page.Root.ID),
				Depth: min(n.Depth+1, 8), Current: n.ID == d.ID})
		}
		data["Nav"] = nav
	}
	var atts []kbShareAttachment
	for _, a := range page.Attachments {
		atts = append(atts, kbShareAttachment{Name: a.Name, URL: "/s/" + token + "/attachments/" + a.ID, Size: kbHumanSize(a.Size)})
	}
	data["Attachments"] = atts
	var b bytes.Buffer
	if err := kbSharePage.Execute(&b, data); err != nil {
		return err
	}
	kbSharePageHeaders(c)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(b.Bytes())
}

func kbHumanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// kbShareInline lists the types a shared attachment may be shown as in the
// browser; everything else (SVG and HTML above all) is a download.
var kbShareInline = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true}

// sharedAttachment serves an attachment of a shared document to anyone
// with the link, with the same safety headers as the signed-in download:
// sniffing off, a sandboxing CSP, inline only for safe types, and byte
// ranges.
func (s *Server) sharedAttachment(c *fiber.Ctx) error {
	c.Locals(localRoute, "/s/:token/attachments/:id")
	token := c.Params("token")
	if !kb.ShareTokenLooksValid(token) {
		return s.shareGone(c)
	}
	info, rc, err := s.deps.KB.SharedAttachment(c.UserContext(), token, c.Params("id"))
	if app.IsNotFound(err) {
		return s.shareGone(c)
	} else if err != nil {
		return err
	}
	defer rc.Close()
	kbSharePageHeaders(c)
	ct, _, _ := mime.ParseMediaType(info.ContentType)
	disposition := "attachment"
	if kbShareInline[ct] {
		disposition = "inline"
	} else {
		ct = "application/octet-stream"
	}
	if ct == "text/plain" {
		ct = "text/plain; charset=utf-8"
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, strings.Replace(kbAttachmentName(info.Name), "attachment", disposition, 1))
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	return kbServeRange(c, rc, info.Size)
}

// kbServeRange sends r (size bytes), honouring one "Range: bytes=a-b" (206,
// or 416 when it cannot be satisfied). Several ranges get the whole file.
func kbServeRange(c *fiber.Ctx, r io.ReadSeeker, size int64) error {
	start, end := int64(0), size-1
	if h := c.Get(fiber.HeaderRange); h != "" && strings.HasPrefix(h, "bytes=") && !strings.Contains(h, ",") {
		a, b, _ := strings.Cut(strings.TrimPrefix(h, "bytes="), "-")
		var err error
		switch {
		case a == "" && b != "": // the last b bytes
			var n int64
			if n, err = strconv.ParseInt(b, 10, 64); err == nil && n > 0 {
				start = max(size-n, 0)
			} else {
				err = errors.New("bad suffix")
			}
		case a != "":
			if start, err = strconv.ParseInt(a, 10, 64); err == nil && b != "" {
				if end, err = strconv.ParseInt(b, 10, 64); err == nil {
					end = min(end, size-1)
				}
			}
		default:
			err = errors.New("empty range")
		}
		if err != nil || start < 0 || start >= size || end < start {
			c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(size, 10))
			return c.SendStatus(http.StatusRequestedRangeNotSatisfiable)
		}
		c.Status(http.StatusPartialContent)
		c.Set(fiber.HeaderContentRange, "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(size, 10))
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		return err
	}
	n := end - start + 1
	if size == 0 {
		n = 0
	}
	body, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return err
	}
	return c.Send(body)
}

// shareCSS is the share page's stylesheet: light and dark, Korean-friendly
// fonts and line breaking, and the code highlighting classes.
func (s *Server) shareCSS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set("X-Robots-Tag", "noindex")
	return c.SendString(kbShareStyle + render.HighlightCSS())
}

const kbShareStyle = `:root{color-scheme:light dark;--fg:#1f2328;--muted:#656d76;--bg:#fff;--line:#d0d7de;--code:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--line:#30363d;--code:#161b22;--link:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.7 -apple-system,BlinkMacSystemFont,"Segoe UI","Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;word-break:keep-all;overflow-wrap:anywhere}
a{color:var(--link)}
.page{max-width:48rem;margin:0 auto;padding:2rem 1.25rem}
.page.with-nav{max-width:72rem;display:grid;grid-template-columns:16rem minmax(0,1fr);gap:2.5rem}
@media (max-width:52rem){.page.with-nav{display:block}.tree{margin-bottom:2rem;border-bottom:1px solid var(--line);padding-bottom:1rem}}
.tree ul,.toc ul{list-style:none;margin:0;padding:0}
.tree li{margin:.15rem 0}.tree a{display:block;padding:.15rem .5rem;border-radius:6px;text-decoration:none;color:var(--fg)}
.tree a[aria-current]{background:var(--code);font-weight:600}
.d1{padding-left:1rem}.d2{padding-left:2rem}.d3{padding-left:3rem}.d4{padding-left:4rem}.d5,.d6,.d7,.d8{padding-left:5rem}
h1{font-size:2rem;line-height:1.3;margin:0 0 .25rem}
.meta{color:var(--muted);font-size:.875rem;margin:0 0 1.5rem}
.toc{border-left:3px solid var(--line);padding-left:1rem;margin-bottom:2rem;font-size:.9rem}
.toc .h3{padding-left:1rem}.toc .h4,.toc .h5,.toc .h6{padding-left:2rem}
.content img{max-width:100%;height:auto}
.content pre{background:var(--code);padding:1rem;border-radius:6px;overflow:auto}
.content code{font:.875em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.content :not(pre)>code{background:var(--code);padding:.1em .3em;border-radius:4px}
.content blockquote{margin:0;padding:0 1em;color:var(--muted);border-left:.25em solid var(--line)}
.content table{border-collapse:collapse;display:block;overflow:auto}
.content th,.content td{border:1px solid var(--line);padding:.35rem .75rem}
.content .wikilink.missing{color:var(--muted);text-decoration:line-through dotted}
.content ul.contains-task-list{list-style:none;padding-left:1.25rem}
.attachments{margin-top:3rem;border-top:1px solid var(--line)}
.attachments span{color:var(--muted);font-size:.85rem}
footer{text-align:center;color:var(--muted);font-size:.8rem;padding:2rem 1rem}
.gone{max-width:32rem;margin:15vh auto;padding:0 1.25rem;text-align:center}
`
