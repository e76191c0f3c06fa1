package kb

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// FrontMatter is the YAML header of an exported Markdown file; import reads
// it back.
type FrontMatter struct {
	Title    string  `yaml:"title"`
	Status   string  `yaml:"status,omitempty"`
	Tags     TagList `yaml:"tags,omitempty"`
	Category string  `yaml:"category,omitempty"`
}

// TagList reads tags written as a YAML list or as one comma-separated
// string (as some other tools export them).
type TagList []string

// UnmarshalYAML accepts a list or a scalar.
func (t *TagList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*t = nil
		for _, tag := range strings.Split(n.Value, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				*t = append(*t, tag)
			}
		}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*t = list
	return nil
}

// markdownFile is a document as a Markdown file with front matter. The body
// follows the front matter after one blank line, byte for byte.
func markdownFile(fm FrontMatter, body string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("---\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fm); err != nil {
		return nil, fmt.Errorf("encode front matter: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode front matter: %w", err)
	}
	b.WriteString("---\n\n")
	b.WriteString(body)
	return b.Bytes(), nil
}

// splitFrontMatter separates a YAML front matter block ("---" lines around
// it) from the body. A file without one, or whose block is not YAML
// (a thematic break, say), is all body.
func splitFrontMatter(content string) (FrontMatter, string) {
	var fm FrontMatter
	content = strings.TrimPrefix(content, "\uFEFF") // a byte-order mark from Windows editors
	first, rest, ok := strings.Cut(content, "\n")
	if !ok || strings.TrimRight(first, "\r") != "---" {
		return fm, content
	}
	for pos := 0; pos <= len(rest); {
		line, after, found := strings.Cut(rest[pos:], "\n")
		if t := strings.TrimRight(line, "\r"); t == "---" || t == "..." {
			if err := yaml.Unmarshal([]byte(rest[:pos]), &fm); err != nil {
				return FrontMatter{}, content
			}
			body := ""
			if found {
				body = after
			}
			// Export puts one blank line between front matter and body.
			if strings.HasPrefix(body, "\r\n") {
				body = body[2:]
			} else if strings.HasPrefix(body, "\n") {
				body = body[1:]
			}
			return fm, body
		}
		if !found {
			break
		}
		pos += len(line) + 1
	}
	return fm, content
}

// frontMatterOf describes a document.
func (s *Service) frontMatterOf(ctx context.Context, d *Document) (FrontMatter, error) {
	fm := FrontMatter{Title: d.Title, Status: d.Status, Tags: TagList(d.Tags)}
	if d.CategoryID != "" {
		ref, err := s.categoryRef(ctx, d.CategoryID)
		if err != nil {
			return fm, err
		}
		if ref != nil {
			fm.Category = ref.Path
		}
	}
	return fm, nil
}

// ExportMarkdown returns a document as a Markdown file with front matter
// (title, status, tags, category) and its file name.
func (s *Service) ExportMarkdown(ctx context.Context, p *app.Principal, id string) (string, []byte, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return "", nil, err
	}
	fm, err := s.frontMatterOf(ctx, d)
	if err != nil {
		return "", nil, err
	}
	out, err := markdownFile(fm, d.Body)
	return SafeFileName(d.Title) + ".md", out, err
}

// exportStyle is the stylesheet embedded in standalone HTML exports.
const exportStyle = `body{max-width:46rem;margin:2rem auto;padding:0 1rem;font:16px/1.65 -apple-system,"Segoe UI","Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;color:#1f2328;word-break:keep-all;overflow-wrap:anywhere}
h1,h2,h3,h4{line-height:1.3}h1.title{font-size:2rem;margin-bottom:.25rem}.meta{color:#656d76;font-size:.875rem;margin-bottom:2rem}
a{color:#0969da}pre{background:#f6f8fa;padding:1rem;overflow:auto;border-radius:6px}code{font:.875em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
:not(pre)>code{background:#eff1f3;padding:.1em .3em;border-radius:4px}blockquote{margin:0;padding:0 1em;color:#656d76;border-left:.25em solid #d0d7de}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.35rem .75rem}img{max-width:100%}.wikilink.missing{color:#cf222e}
ul.contains-task-list{list-style:none;padding-left:1.25rem}`

var exportHTML = template.Must(template.New("export").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Nexus">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
</head>
<body>
<article>
<h1 class="title">{{.Title}}</h1>
<p class="meta">{{.Updated}}</p>
{{.Body}}
</article>
</body>
</html>
`))

// ExportHTML returns a document as a standalone HTML page (rendered, with a
// small embedded stylesheet) and its file name.
func (s *Service) ExportHTML(ctx context.Context, p *app.Principal, id string) (string, []byte, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return "", nil, err
	}
	res, err := s.renderFor(ctx, p, d.ID, d.Version, d.SpaceID, d.Body)
	if err != nil {
		return "", nil, err
	}
	body, err := s.embedImages(ctx, d, res.HTML)
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	err = exportHTML.Execute(&b, map[string]any{
		"Lang":    langOf(d.Title + d.Body),
		"Title":   d.Title,
		"Updated": d.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"),
		// Both are ours: the stylesheet is constant and the body was
		// sanitized by the renderer (embedImages only swaps the sources of
		// the document's own raster images for their bytes).
		"Style": template.CSS(exportStyle + "\n" + render.HighlightCSS()),
		"Body":  template.HTML(body),
	})
	return SafeFileName(d.Title) + ".html", b.Bytes(), err
}

// maxEmbedded bounds the image bytes one standalone export carries inline;
// images past it stay links to the server.
const maxEmbedded = 32 << 20

// embeddable are the attachment types a standalone page shows inline (the
// types the server itself serves inline as images; never SVG).
var embeddable = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// embedImages makes a standalone export standalone: the document's own
// image attachments shown on the page become data: URLs, so the file
// shows them offline and without a session.
func (s *Service) embedImages(ctx context.Context, d *Document, html string) (string, error) {
	if !strings.Contains(html, `src="/api/v1/attachments/`) {
		return html, nil
	}
	atts, err := s.files.ListDocumentAttachments(ctx, d.ID)
	if err != nil {
		return "", err
	}
	budget := int64(maxEmbedded)
	for _, a := range atts {
		if !embeddable[a.ContentType] || a.Size > budget {
			continue
		}
		srcs := []string{`src="/api/v1/attachments/` + a.ID + `/content"`, `src="/api/v1/attachments/` + a.ID + `/thumbnail"`}
		if !strings.Contains(html, srcs[0]) && !strings.Contains(html, srcs[1]) {
			continue
		}
		_, rc, err := s.files.OpenDocumentAttachment(ctx, a.ID)
		if app.IsNotFound(err) {
			continue
		} else if err != nil {
			return "", err
		}
		data, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err != nil {
			return "", fmt.Errorf("read attachment %s: %w", a.ID, err)
		}
		if int64(len(data)) > budget {
			continue
		}
		budget -= int64(len(data))
		uri := `src="data:` + a.ContentType + `;base64,` + base64.StdEncoding.EncodeToString(data) + `"`
		for _, src := range srcs {
			html = strings.ReplaceAll(html, src, uri)
		}
	}
	return html, nil
}

// langOf guesses the page language for fonts and hyphenation.
func langOf(s string) string {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return "ko"
		}
	}
	return "en"
}

// SafeFileName turns a title into a file name that every common file
// system accepts, keeping Korean and other letters as they are: path
// separators, characters Windows refuses and control characters become
// "_", and leading or trailing dots and spaces are dropped.
func SafeFileName(title string) string {
	var b strings.Builder
	for _, r := range title {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		case unicode.IsControl(r) || r == utf8.RuneError:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name := strings.Trim(b.String(), ". ")
	if utf8.RuneCountInString(name) > 120 {
		name = strings.TrimRight(string([]rune(name)[:120]), ". ")
	}
	switch strings.ToUpper(name) {
	case "", "CON", "PRN", "AUX", "NUL", "COM1", "LPT1":
		return "untitled"
	}
	return name
}

// uniqueName returns name, or name (2), name (3)… when taken (ASCII case
// ignored, as on macOS and Windows).
func uniqueName(taken map[string]bool, name string) string {
	candidate := name
	for n := 2; taken[strings.ToLower(candidate)]; n++ {
		candidate = fmt.Sprintf("%s (%d)", name, n)
	}
	taken[strings.ToLower(candidate)] = true
	return candidate
}

// ExportSpace writes a space as a zip: one Markdown file per document with
// front matter, in folders that follow the tree ("Parent.md" beside
// "Parent/Child.md"), each document's attachments in "<name>.assets/", and
// links to them rewritten to those relative paths. It is audited.
func (s *Service) ExportSpace(ctx context.Context, p *app.Principal, spaceID string, w io.Writer, meta app.RequestMeta) error {
	sp, err := s.loadSpace(ctx, p, spaceID, authz.View)
	if err != nil {
		return err
	}
	docs, err := s.store.FindSpaceDocuments(ctx, sp.ID)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionKBSpaceExported, authz.Space, sp.ID,
			map[string]any{"name": sp.Name, "documents": len(docs)}))
	})
	if err != nil {
		return err
	}
	nodes := make([]TreeNode, len(docs))
	byID := make(map[string]*Document, len(docs))
	for i := range docs {
		d := &docs[i]
		nodes[i] = TreeNode{ID: d.ID, ParentID: d.ParentID, Title: d.Title, Rank: d.Rank}
		byID[d.ID] = d
	}
	ordered := arrangeTree(nodes, "")
	zw := zip.NewWriter(w)
	dirOf := map[string]string{"": ""}      // document → folder of its children
	takenIn := map[string]map[string]bool{} // folder → names used
	for _, n := range ordered {
		d := byID[n.ID]
		parent := d.ParentID
		if _, ok := dirOf[parent]; !ok {
			parent = ""
		}
		dir := dirOf[parent]
		if takenIn[dir] == nil {
			takenIn[dir] = map[string]bool{}
		}
		// The .md file, its children's folder and its assets folder share
		// one base name.
		base := uniqueName(takenIn[dir], SafeFileName(d.Title))
		takenIn[dir][strings.ToLower(base+".md")] = true
		takenIn[dir][strings.ToLower(base+".assets")] = true
		dirOf[d.ID] = dir + base + "/"
		body := d.Body
		if s.files != nil {
			if body, err = s.exportAttachments(ctx, zw, d, dir, base, body); err != nil {
				return err
			}
		}
		fm, err := s.frontMatterOf(ctx, d)
		if err != nil {
			return err
		}
		content, err := markdownFile(fm, body)
		if err != nil {
			return err
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: dir + base + ".md", Method: zip.Deflate, Modified: d.UpdatedAt})
		if err != nil {
			return err
		}
		if _, err := f.Write(content); err != nil {
			return err
		}
	}
	return zw.Close()
}

// exportAttachments writes a document's attachments into base.assets/ and
// returns the body with links to them made relative.
func (s *Service) exportAttachments(ctx context.Context, zw *zip.Writer, d *Document, dir, base, body string) (string, error) {
	atts, err := s.files.ListDocumentAttachments(ctx, d.ID)
	if err != nil || len(atts) == 0 {
		return body, err
	}
	taken := map[string]bool{}
	for _, a := range atts {
		name := uniqueName(taken, SafeFileName(a.Name))
		info, rc, err := s.files.OpenDocumentAttachment(ctx, a.ID)
		if app.IsNotFound(err) {
			continue
		} else if err != nil {
			return "", err
		}
		modified := info.CreatedAt
		if modified.IsZero() {
			modified = time.Now()
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: dir + base + ".assets/" + name, Method: zip.Deflate, Modified: modified})
		if err == nil {
			_, err = io.Copy(f, rc)
		}
		rc.Close()
		if err != nil {
			return "", err
		}
		rel := url.PathEscape(base+".assets") + "/" + url.PathEscape(name)
		for _, kind := range []string{"content", "thumbnail"} {
			body = strings.ReplaceAll(body, "/api/v1/attachments/"+a.ID+"/"+kind, rel)
		}
	}
	return body, nil
}
