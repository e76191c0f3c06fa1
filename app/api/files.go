package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
	"nexus/app/files"
	"nexus/app/render"
)

// fileRoutes: files.go: attachments
func (s *Server) fileRoutes(r fiber.Router) {
	r.Get("/render/highlight.css", s.getHighlightCSS)
	if s.deps.Files == nil {
		return
	}
	r.Post("/attachments", s.requireAuth, s.uploadAttachment)
	r.Get("/attachments", s.requireAuth, s.listAttachments)
	r.Get("/attachments/:id", s.requireAuth, s.getAttachment)
	r.Get("/attachments/:id/content", s.requireAuth, s.getAttachmentContent)
	r.Get("/attachments/:id/thumbnail", s.requireAuth, s.getAttachmentThumbnail)
	r.Delete("/attachments/:id", s.requireAuth, s.deleteAttachment)
}

// getHighlightCSS serves the code-highlighting theme (light and dark) that
// rendered markdown's class names refer to.
func (s *Server) getHighlightCSS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString(render.HighlightCSS())
}

type attachmentJSON struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	OwnerType    string    `json:"owner_type"`
	OwnerID      string    `json:"owner_id"`
	UploadedBy   string    `json:"uploaded_by"`
	CreatedAt    time.Time `json:"created_at"`
	Inline       bool      `json:"inline"`
	URL          string    `json:"url"`
	ThumbnailURL string    `json:"thumbnail_url,omitempty"`
}

func toAttachmentJSON(a *files.Attachment) attachmentJSON {
	j := attachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, OwnerType: a.Owner.Type,
		OwnerID: a.Owner.ID, UploadedBy: a.UploadedBy, CreatedAt: a.CreatedAt.UTC(), Inline: a.Inline(),
		URL: "/api/v1/attachments/" + a.ID + "/content"}
	if a.HasThumbnail() {
		j.ThumbnailURL = "/api/v1/attachments/" + a.ID + "/thumbnail"
	}
	return j
}

// multipartOverhead is room for the form fields and part headers around an
// upload of the maximum size.
const multipartOverhead = 64 << 10

// uploadAttachment takes multipart/form-data with the fields owner_type,
// owner_id (or the same as query parameters) and file. The file part is
// streamed into the blob store as it is parsed, never copied whole; send
// the owner fields before the file (a form that sends them after costs a
// second pass over the body).
func (s *Server) uploadAttachment(c *fiber.Ctx) error {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return &app.Error{Code: codeUnsupportedMedia,
			Message: "Upload the file as multipart/form-data with the fields owner_type, owner_id and file."}
	}
	limit := s.deps.Files.MaxSize()
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > limit+multipartOverhead {
		return s.attachmentTooLarge(limit)
	}
	body := s.requestBody(c)
	owner := files.Owner{Type: c.Query("owner_type"), ID: c.Query("owner_id")}
	a, found, err := s.uploadParts(c, body(), params["boundary"], &owner, true)
	if err == nil && !found {
		err = app.Invalid("file", "Send the file in a multipart field named file.")
	}
	if err == errOwnerAfterFile {
		// The form sent the file first: the owner is known now.
		a, _, err = s.uploadParts(c, body(), params["boundary"], &owner, false)
	}
	if err != nil {
		return s.uploadError(err, limit)
	}
	return c.Status(fiber.StatusCreated).JSON(toAttachmentJSON(a))
}

// requestBody returns a function giving a fresh reader of the request body
// each time: the stream when Fiber streams request bodies (then only
// once), else the buffered bytes.
func (s *Server) requestBody(c *fiber.Ctx) func() io.Reader {
	if st := c.Context().RequestBodyStream(); st != nil {
		used := false
		return func() io.Reader {
			if used {
				return bytes.NewReader(nil)
			}
			used = true
			return st
		}
	}
	// The request's own buffer: c.Body() would copy it (Immutable).
	b := c.Request().Body()
	return func() io.Reader { return bytes.NewReader(b) }
}

var errOwnerAfterFile = errors.New("owner fields after the file")

// uploadParts walks the multipart body. With first set, it uploads the
// file if the owner is known when the file part arrives and otherwise
// reports errOwnerAfterFile after collecting the fields; without, it only
// uploads.
func (s *Server) uploadParts(c *fiber.Ctx, body io.Reader, boundary string, owner *files.Owner, first bool) (*files.Attachment, bool, error) {
	mr := multipart.NewReader(body, boundary)
	var a *files.Attachment
	sawFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, sawFile, app.Invalid("file", "The multipart body could not be read.")
		}
		switch part.FormName() {
		case "owner_type", "owner_id":
			v, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return nil, sawFile, app.Invalid(part.FormName(), "The multipart body could not be read.")
			}
			if first {
				if part.FormName() == "owner_type" {
					owner.Type = strings.TrimSpace(string(v))
				} else {
					owner.ID = strings.TrimSpace(string(v))
				}
			}
		case "file":
			if sawFile {
				return nil, true, app.Invalid("file", "Send one file per request.")
			}
			sawFile = true
			if owner.Type == "" || owner.ID == "" {
				if first {
					continue // collect the fields, then upload in a second pass
				}
				return nil, true, app.Invalid("owner_id", "Say what the file is attached to: owner_type and owner_id.")
			}
			if a, err = s.deps.Files.Upload(c.UserContext(), principal(c), *owner, part.FileName(), part); err != nil {
				return nil, true, err
			}
		}
		part.Close()
	}
	if first && sawFile && a == nil {
		if owner.Type == "" || owner.ID == "" {
			return nil, true, app.Invalid("owner_id", "Say what the file is attached to: owner_type and owner_id.")
		}
		return nil, true, errOwnerAfterFile
	}
	return a, sawFile, nil
}

func (s *Server) uploadError(err error, limit int64) error {
	if files.IsTooLarge(err) {
		return s.attachmentTooLarge(limit)
	}
	var ae *app.Error
	if errors.As(err, &ae) && ae.Details["reason"] == "unsupported_type" {
		return &app.Error{Code: codeUnsupportedMedia, Message: ae.Message, Details: ae.Details}
	}
	return err
}

func (s *Server) attachmentTooLarge(limit int64) error {
	return &app.Error{Code: codeTooLarge, Message: fmt.Sprintf("The file is larger than the %s limit for attachments.", byteSize(limit)),
		Details: map[string]any{"field": "file", "limit_bytes": limit}}
}

// byteSize writes a limit the way the configuration does (25MiB).
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func (s *Server) listAttachments(c *fiber.Ctx) error {
	owner := files.Owner{Type: c.Query("owner_type"), ID: c.Query("owner_id")}
	if owner.Type == "" || owner.ID == "" {
		return app.Invalid("owner_id", "Say whose attachments to list: owner_type and owner_id.")
	}
	items, err := s.deps.Files.List(c.UserContext(), principal(c), owner)
	if err != nil {
		return err
	}
	out := make([]attachmentJSON, 0, len(items))
	for i := range items {
		out = append(out, toAttachmentJSON(&items[i]))
	}
	return c.JSON(fiber.Map{"items": out, "next_cursor": ""})
}

func (s *Server) getAttachment(c *fiber.Ctx) error {
	a, err := s.deps.Files.Get(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAttachmentJSON(a))
}

func (s *Server) deleteAttachment(c *fiber.Ctx) error {
	if err := s.deps.Files.Delete(c.UserContext(), principal(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) getAttachmentContent(c *fiber.Ctx) error {
	a, rc, err := s.deps.Files.Open(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return serveFile(c, servedFile{Name: a.Name, ContentType: a.ContentType, Size: a.Size, ETag: a.BlobHash,
		Inline: a.Inline() && c.Query("download") == ""}, rc)
}

func (s *Server) getAttachmentThumbnail(c *fiber.Ctx) error {
	a, contentType, rc, err := s.deps.Files.Thumbnail(c.UserContext(), principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	size, err := rc.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = rc.Seek(0, io.SeekStart)
	}
	if err != nil {
		rc.Close()
		return err
	}
	return serveFile(c, servedFile{Name: thumbnailName(a.Name, contentType), ContentType: contentType, Size: size,
		ETag: a.ThumbHash, Inline: true}, rc)
}

func thumbnailName(name, contentType string) string {
	ext := ".png"
	if contentType == "image/jpeg" {
		ext = ".jpg"
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	return name + " (thumbnail)" + ext
}

// servedFile describes a download.
type servedFile struct {
	Name        string // shown in Content-Disposition
	ContentType string // as stored; text is served as text/plain
	Size        int64
	ETag        string // the content hash: the same bytes, the same tag
	Inline      bool   // display in the browser (safe types only) rather than save
}

// attachmentCSP applies to a file opened directly in the browser: it is
// not a page of ours, may run nothing and load nothing.
const attachmentCSP = "sandbox; default-src 'none'"

// serveFile sends rc (which it closes) with the headers every file
// download gets: the stored type (text as text/plain; never sniffed), an
// RFC 6266 Content-Disposition with the name in UTF-8, a sandboxing CSP,
// a private cache validated by ETag, and single-range support (206, or 416
// for a range outside the file). It is meant for any route serving
// attachments (the share page's too).
func serveFile(c *fiber.Ctx, f servedFile, rc io.ReadSeekCloser) error {
	etag := `"` + f.ETag + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentSecurityPolicy, attachmentCSP)
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(f.Name, f.Inline))
	if f.Inline {
		c.Set(fiber.HeaderContentType, files.ServedType(f.ContentType))
	} else {
		c.Set(fiber.HeaderContentType, f.ContentType)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatches(inm, etag) {
		rc.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	start, length, status := int64(0), f.Size, fiber.StatusOK
	if rng := c.Get(fiber.HeaderRange); rng != "" && ifRangeHolds(c.Get(fiber.HeaderIfRange), etag) {
		s, n, ok, satisfiable := parseRange(rng, f.Size)
		switch {
		case !satisfiable:
			rc.Close()
			c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(f.Size, 10))
			c.Response().Header.Del(fiber.HeaderContentDisposition)
			return c.Status(fiber.StatusRequestedRangeNotSatisfiable).SendString("")
		case ok:
			start, length, status = s, n, fiber.StatusPartialContent
			c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", s, s+n-1, f.Size))
		}
	}
	c.Status(status)
	if status == fiber.StatusOK {
		// fasthttp copies rc (using its WriteTo), then closes it.
		c.Context().SetBodyStream(rc, int(length))
		return nil
	}
	if _, err := rc.Seek(start, io.SeekStart); err != nil {
		rc.Close()
		return err
	}
	c.Context().SetBodyStream(readCloser{io.LimitReader(rc, length), rc}, int(length))
	return nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// ifRangeHolds: a Range applies unless If-Range names another version.
// (Only entity tags are used; an If-Range date never matches.)
func ifRangeHolds(ifRange, etag string) bool {
	return ifRange == "" || ifRange == etag
}

// parseRange reads a single "bytes=" range of a file of size bytes. ok is
// false when the header is to be ignored (another unit, several ranges)
// and satisfiable false when it is malformed or outside the file (416).
func parseRange(h string, size int64) (start, length int64, ok, satisfiable bool) {
	unit, spec, found := strings.Cut(h, "=")
	if !found || strings.TrimSpace(unit) != "bytes" {
		return 0, 0, false, true
	}
	spec = strings.TrimSpace(spec)
	if strings.Contains(spec, ",") {
		return 0, 0, false, true // several ranges: send the whole file
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" { // suffix: the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 || size == 0 {
			return 0, 0, false, false
		}
		n = min(n, size)
		return size - n, n, true, true
	}
	s, err := strconv.ParseInt(first, 10, 64)
	if err != nil || s < 0 || s >= size {
		return 0, 0, false, false
	}
	e := size - 1
	if last != "" {
		if e, err = strconv.ParseInt(last, 10, 64); err != nil || e < s {
			return 0, 0, false, false
		}
		e = min(e, size-1)
	}
	return s, e - s + 1, true, true
}

// contentDisposition writes RFC 6266: an ASCII fallback filename for old
// clients and the real name as filename* in UTF-8 (RFC 8187).
func contentDisposition(name string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + fallback + `"; filename*=UTF-8''` + rfc8187(name)
}

// rfc8187 percent-encodes everything but attr-char.
func rfc8187(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
