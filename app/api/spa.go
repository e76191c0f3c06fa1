package api

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// spa serves the built web client from memory. Files under assets/ have
// content hashes in their names and are cached for a year; index.html is
// served for every other path so client-side routes work on reload, and is
// revalidated on each visit so a new release is picked up.
type spa struct {
	files map[string]*spaFile
	index *spaFile
}

type spaFile struct {
	body        []byte
	contentType string
	etag        string
	immutable   bool

	gzipOnce sync.Once
	gzipped  []byte
}

func newSPA(dist fs.FS) (*spa, error) {
	s := &spa{files: map[string]*spaFile{}}
	err := fs.WalkDir(dist, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(dist, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(body)
		s.files["/"+p] = &spaFile{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
			immutable: strings.HasPrefix(p, "assets/")}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load web client: %w", err)
	}
	if s.index = s.files["/index.html"]; s.index == nil {
		return nil, fmt.Errorf("load web client: index.html is missing from ui/dist (run make ui)")
	}
	return s, nil
}

func (s *spa) serve(c *fiber.Ctx) error {
	c.Locals(localRoute, "/*")
	p := c.Path()
	f := s.files[p]
	if f == nil || p == "/index.html" {
		if strings.HasPrefix(p, "/assets/") {
			// A missing hashed asset is an old or broken link; answering with
			// HTML would only produce a confusing script error.
			return fiber.ErrNotFound
		}
		f = s.index
	}
	switch {
	case f.immutable:
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	case f == s.index:
		c.Set(fiber.HeaderCacheControl, "no-cache")
	default:
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	}
	c.Set(fiber.HeaderETag, f.etag)
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	if c.Get(fiber.HeaderIfNoneMatch) == f.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	if compressible(f.contentType) && strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		if gz := f.gzip(); gz != nil {
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Send(gz)
		}
	}
	return c.Send(f.body)
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") ||
		strings.Contains(ct, "svg")
}

// gzip compresses on first use rather than at start-up, which keeps start
// fast; nil means compression would not help.
func (f *spaFile) gzip() []byte {
	f.gzipOnce.Do(func() {
		if len(f.body) < 1024 {
			return
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := w.Write(f.body); err != nil {
			return
		}
		if err := w.Close(); err != nil {
			return
		}
		if buf.Len() < len(f.body) {
			f.gzipped = buf.Bytes()
		}
	})
	return f.gzipped
}
