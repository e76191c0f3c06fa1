package kb

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// Import limits: a zip is refused as a whole when it breaks one, before
// anything is created.
const (
	MaxImportEntries   = 2000
	MaxImportTotal     = 100 << 20 // uncompressed, all entries
	MaxImportFile      = 25 << 20  // uncompressed, one entry
	MaxImportRatio     = 100       // uncompressed / compressed, for entries over 1 MiB
	maxImportPathRunes = 1024
	maxImportDepth     = 32
)

// ImportInput is an uploaded Markdown file or zip of Markdown files.
type ImportInput struct {
	SpaceID  string
	ParentID string // where the imported documents go ("" top level)
	FileName string
	Size     int64
	Content  io.ReaderAt
}

// ImportSkip is a file of the upload that was not imported, and why.
type ImportSkip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ImportResult reports what an import created.
type ImportResult struct {
	Documents   []DocRef     `json:"documents"`
	Attachments int          `json:"attachments"`
	Skipped     []ImportSkip `json:"skipped"`
}

func errImport(reason, message string) error {
	return &app.Error{Code: app.CodeInvalid, Message: message, Details: map[string]any{"field": "file", "reason": reason}}
}

// importNode is one document to create: from a .md file, or a folder
// without one (an empty document holding its children).
type importNode struct {
	key      string // path without ".md"
	parent   string // key of the parent node ("" top)
	title    string
	body     string
	fm       FrontMatter
	assets   []importAsset
	doc      *Document
	pub      published
	hasFile  bool
	position int
}

type importAsset struct {
	path string // within the zip
	name string
	data []byte
}

// Import creates documents from a Markdown file or a zip made by
// ExportSpace (or any zip of Markdown files): folders become parents,
// front matter sets title, status, tags and category, files in
// "<name>.assets/" become attachments of <name>.md and links to them are
// pointed at the uploaded copies. Names are kept byte for byte (zips from
// Korean Windows without the UTF-8 flag are read as CP949). Edit on the
// space. Audited.
func (s *Service) Import(ctx context.Context, p *app.Principal, in ImportInput, meta app.RequestMeta) (*ImportResult, error) {
	sp, err := s.loadSpace(ctx, p, in.SpaceID, authz.Edit)
	if err != nil {
		return nil, err
	}
	if sp.Archived() {
		return nil, errArchived
	}
	if in.ParentID != "" {
		parent, err := s.store.FindDocumentByID(ctx, in.ParentID)
		if err != nil || parent.SpaceID != sp.ID || parent.Deleted() {
			return nil, app.Invalid("parent_id", "The parent document is not in this space.")
		}
	}
	res := &ImportResult{Documents: []DocRef{}, Skipped: []ImportSkip{}}
	var nodes []*importNode
	lower := strings.ToLower(in.FileName)
	switch {
	case strings.HasSuffix(lower, ".md") || strings.HasSuffix(lower, ".markdown"):
		if in.Size > MaxImportFile {
			return nil, errImport("too_large", "The file is larger than 25 MiB.")
		}
		data, err := io.ReadAll(io.NewSectionReader(in.Content, 0, in.Size))
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(path.Base(strings.ReplaceAll(in.FileName, "\\", "/")), path.Ext(in.FileName))
		n, err := markdownNode(name, "", data)
		if err != nil {
			return nil, err
		}
		nodes = []*importNode{n}
	case strings.HasSuffix(lower, ".zip"):
		if nodes, err = readImportZip(in.Content, in.Size, res); err != nil {
			return nil, err
		}
	default:
		return nil, errImport("file_type", "Import a Markdown file (.md) or a zip of Markdown files.")
	}
	if len(nodes) == 0 {
		return nil, errImport("empty", "There is no Markdown file to import.")
	}
	if err := s.prepareImport(ctx, p, sp, in.ParentID, nodes, res); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		for _, n := range nodes {
			if err := s.insertDocument(ctx, tx, p, n.doc, n.pub, "Imported"); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionKBImported, authz.Space, sp.ID,
			map[string]any{"file": in.FileName, "documents": len(nodes), "skipped": len(res.Skipped)}))
	})
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		res.Documents = append(res.Documents, DocRef{ID: n.doc.ID, Title: n.doc.Title, SpaceID: sp.ID})
	}
	s.importAssets(ctx, p, nodes, res)
	return res, nil
}

// prepareImport turns nodes into documents: titles, bodies, tags, status,
// category (matched by path or name; unknown ones are reported and left
// out), parents, and links for backlinks.
func (s *Service) prepareImport(ctx context.Context, p *app.Principal, sp *Space, parentID string, nodes []*importNode, res *ImportResult) error {
	var cats []CategoryNode
	byKey := map[string]*importNode{}
	for _, n := range nodes {
		byKey[n.key] = n
	}
	for _, n := range nodes {
		title := n.title
		if strings.TrimSpace(n.fm.Title) != "" {
			title = n.fm.Title
		}
		in := DocumentInput{SpaceID: sp.ID, Title: title, Body: n.body, Tags: []string(n.fm.Tags), Status: n.fm.Status}
		if in.Status != StatusDraft {
			in.Status = StatusPublished
		}
		if n.fm.Category != "" {
			if cats == nil {
				var err error
				if cats, err = s.Categories(ctx, p); err != nil {
					return err
				}
			}
			in.CategoryID = matchCategory(cats, n.fm.Category)
			if in.CategoryID == "" {
				res.Skipped = append(res.Skipped, ImportSkip{Path: n.key + ".md", Reason: "unknown category " + n.fm.Category})
			}
		}
		d, err := s.newDocument(ctx, in)
		if err != nil {
			var ae *app.Error
			if errors.As(err, &ae) {
				return errImport("invalid_document", fmt.Sprintf("%s: %s", n.key+".md", ae.Message))
			}
			return err
		}
		d.ParentID = parentID
		if parent, ok := byKey[n.parent]; ok && n.parent != "" {
			d.ParentID = parent.doc.ID
		}
		d.CreatedBy, d.UpdatedBy = p.User.ID, p.User.ID
		n.doc = d
		// Links between imported documents cannot resolve yet; they are
		// kept by title, which is how backlinks find them.
		if n.pub, err = s.analyse(ctx, p, sp.ID, d.Body); err != nil {
			return err
		}
		n.pub.res = render.Result{} // only the links and mentions are needed
	}
	return nil
}

func matchCategory(cats []CategoryNode, want string) string {
	want = strings.TrimSpace(want)
	for _, c := range cats {
		if strings.EqualFold(c.Path, want) {
			return c.ID
		}
	}
	for _, c := range cats {
		if strings.EqualFold(c.Name, want) {
			return c.ID
		}
	}
	return ""
}

// markdownNode reads one Markdown file.
func markdownNode(name, parent string, data []byte) (*importNode, error) {
	if !utf8.Valid(data) {
		return nil, errImport("encoding", name+".md is not UTF-8 text.")
	}
	fm, body := splitFrontMatter(string(data))
	return &importNode{key: name, parent: parent, title: path.Base(name), body: body, fm: fm, hasFile: true}, nil
}

// zipName is an entry's name as UTF-8: zips made by Korean Windows tools
// without the UTF-8 flag carry CP949 names.
func zipName(f *zip.File) string {
	if utf8.ValidString(f.Name) && !f.NonUTF8 {
		return f.Name
	}
	if utf8.ValidString(f.Name) {
		return f.Name // flagged non-UTF-8 but valid (often plain ASCII)
	}
	if dec, err := korean.EUCKR.NewDecoder().String(f.Name); err == nil {
		return dec
	}
	return f.Name
}

// cleanZipPath checks an entry name: relative, no "..", no empty or
// control-character segments, not too long or deep. Backslashes are taken
// as separators (some Windows tools write them).
func cleanZipPath(name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(name, "/") || len(name) >= 2 && name[1] == ':' {
		return "", errImport("absolute_path", fmt.Sprintf("The zip contains an absolute path (%q).", name))
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxImportPathRunes {
		return "", errImport("bad_path", "The zip contains a file name that is too long or not text.")
	}
	dir := strings.HasSuffix(name, "/")
	segs := strings.Split(strings.TrimSuffix(name, "/"), "/")
	if len(segs) > maxImportDepth {
		return "", errImport("bad_path", "The zip's folders are nested too deeply.")
	}
	for _, seg := range segs {
		if seg == ".." {
			return "", errImport("path_traversal", fmt.Sprintf("The zip contains a path that leaves its folder (%q).", name))
		}
		if seg == "" || seg == "." {
			return "", errImport("bad_path", fmt.Sprintf("The zip contains an invalid path (%q).", name))
		}
		for _, r := range seg {
			if unicode.IsControl(r) {
				return "", errImport("bad_path", "The zip contains a file name with control characters.")
			}
		}
	}
	out := strings.Join(segs, "/")
	if dir {
		out += "/"
	}
	return out, nil
}

// readImportZip checks the whole zip against the limits, then reads its
// Markdown files and assets into nodes in tree order.
func readImportZip(r io.ReaderAt, size int64, res *ImportResult) ([]*importNode, error) {
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		return nil, errImport("path_traversal", "The zip contains a path that leaves its folder.")
	}
	if err != nil {
		return nil, errImport("bad_zip", "The file is not a valid zip archive.")
	}
	if len(zr.File) > MaxImportEntries {
		return nil, errImport("too_many_entries", fmt.Sprintf("The zip has %d entries; at most %d can be imported at once.", len(zr.File), MaxImportEntries))
	}
	// First pass: names, types and declared sizes, before reading any data.
	type entry struct {
		f    *zip.File
		name string
		dir  bool
	}
	var entries []entry
	var declared uint64
	for _, f := range zr.File {
		name, err := cleanZipPath(zipName(f))
		if err != nil {
			return nil, err
		}
		mode := f.Mode()
		if mode&fs.ModeSymlink != 0 {
			return nil, errImport("symlink", fmt.Sprintf("The zip contains a symbolic link (%q).", name))
		}
		if mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice|fs.ModeIrregular) != 0 {
			return nil, errImport("special_file", fmt.Sprintf("The zip contains a special file (%q).", name))
		}
		isDir := strings.HasSuffix(name, "/") || mode.IsDir()
		if !isDir {
			if f.UncompressedSize64 > MaxImportFile {
				return nil, errImport("too_large", fmt.Sprintf("%s is larger than 25 MiB.", name))
			}
			if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > MaxImportRatio*max(f.CompressedSize64, 1) {
				return nil, errImport("compression_ratio", fmt.Sprintf("%s is compressed suspiciously well; the zip looks like a zip bomb.", name))
			}
			declared += f.UncompressedSize64
			if declared > MaxImportTotal {
				return nil, errImport("too_large", "The zip unpacks to more than 100 MiB.")
			}
		}
		entries = append(entries, entry{f: f, name: strings.TrimSuffix(name, "/"), dir: isDir})
	}
	// Second pass: read, never trusting the declared sizes.
	nodes := map[string]*importNode{}
	var order []*importNode
	var total int64
	var ensure func(key string) *importNode
	ensure = func(key string) *importNode {
		if n, ok := nodes[key]; ok {
			return n
		}
		parent := path.Dir(key)
		if parent == "." {
			parent = ""
		}
		if parent != "" {
			ensure(parent)
		}
		n := &importNode{key: key, parent: parent, title: path.Base(key), position: len(order)}
		nodes[key] = n
		order = append(order, n)
		return n
	}
	type pendingAsset struct {
		owner string
		asset importAsset
	}
	var assets []pendingAsset
	for _, e := range entries {
		base := path.Base(e.name)
		if skipImportName(e.name) {
			if !e.dir {
				res.Skipped = append(res.Skipped, ImportSkip{Path: e.name, Reason: "system file"})
			}
			continue
		}
		if e.dir {
			if !strings.HasSuffix(base, ".assets") {
				ensure(e.name)
			}
			continue
		}
		data, err := readLimited(e.f, &total)
		if err != nil {
			return nil, err
		}
		dir := path.Dir(e.name)
		if dir == "." {
			dir = ""
		}
		if ext := strings.ToLower(path.Ext(base)); ext == ".md" || ext == ".markdown" {
			if strings.HasSuffix(dir, ".assets") {
				assets = append(assets, pendingAsset{strings.TrimSuffix(dir, ".assets"), importAsset{path: e.name, name: base, data: data}})
				continue
			}
			key := strings.TrimSuffix(e.name, path.Ext(base))
			n := ensure(key)
			if n.hasFile {
				res.Skipped = append(res.Skipped, ImportSkip{Path: e.name, Reason: "duplicate document"})
				continue
			}
			md, err := markdownNode(key, n.parent, data)
			if err != nil {
				return nil, err
			}
			n.body, n.fm, n.hasFile = md.body, md.fm, true
			continue
		}
		// Any other file is an attachment: of <name>.md when in
		// <name>.assets/, else of the folder's document.
		owner := dir
		if strings.HasSuffix(dir, ".assets") {
			owner = strings.TrimSuffix(dir, ".assets")
		}
		if owner == "" {
			res.Skipped = append(res.Skipped, ImportSkip{Path: e.name, Reason: "no document to attach it to"})
			continue
		}
		assets = append(assets, pendingAsset{owner, importAsset{path: e.name, name: base, data: data}})
	}
	for _, a := range assets {
		n, ok := nodes[a.owner]
		if !ok {
			res.Skipped = append(res.Skipped, ImportSkip{Path: a.asset.path, Reason: "no document to attach it to"})
			continue
		}
		n.assets = append(n.assets, a.asset)
	}
	// Parents before children, siblings in zip order (an export writes
	// them in tree order).
	sort.SliceStable(order, func(i, j int) bool { return depthOf(order[i].key) < depthOf(order[j].key) })
	return order, nil
}

func depthOf(key string) int { return strings.Count(key, "/") }

func skipImportName(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if seg == "__MACOSX" || seg == ".DS_Store" || seg == "Thumbs.db" || strings.HasPrefix(seg, "._") {
			return true
		}
	}
	return false
}

// readLimited reads one entry, counting what it really unpacks to against
// the per-file and total limits (headers can lie).
func readLimited(f *zip.File, total *int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, errImport("bad_zip", fmt.Sprintf("%s cannot be read from the zip.", f.Name))
	}
	defer rc.Close()
	limit := min(int64(MaxImportFile), MaxImportTotal-*total)
	var b bytes.Buffer
	n, err := io.Copy(&b, io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, errImport("bad_zip", fmt.Sprintf("%s is damaged in the zip.", f.Name))
	}
	if n > limit {
		if limit < MaxImportFile {
			return nil, errImport("too_large", "The zip unpacks to more than 100 MiB.")
		}
		return nil, errImport("too_large", fmt.Sprintf("%s is larger than 25 MiB.", f.Name))
	}
	if uint64(n) != f.UncompressedSize64 {
		return nil, errImport("bad_zip", fmt.Sprintf("%s does not have the size the zip says.", f.Name))
	}
	if f.CompressedSize64 > 0 && n > 1<<20 && uint64(n) > MaxImportRatio*f.CompressedSize64 {
		return nil, errImport("compression_ratio", fmt.Sprintf("%s is compressed suspiciously well; the zip looks like a zip bomb.", f.Name))
	}
	*total += n
	return b.Bytes(), nil
}

// importAssets uploads the imported documents' attachments and points the
// links to them at the uploaded copies, publishing version 2 of each
// document whose body changed. Failures are reported per file: the
// documents exist already.
func (s *Service) importAssets(ctx context.Context, p *app.Principal, nodes []*importNode, res *ImportResult) {
	for _, n := range nodes {
		if len(n.assets) == 0 {
			continue
		}
		if s.files == nil {
			for _, a := range n.assets {
				res.Skipped = append(res.Skipped, ImportSkip{Path: a.path, Reason: "attachments are not available"})
			}
			continue
		}
		body := n.doc.Body
		base := path.Base(n.key)
		for _, a := range n.assets {
			info, err := s.files.UploadDocumentAttachment(ctx, p, n.doc.ID, a.name, bytes.NewReader(a.data))
			if err != nil {
				reason := "upload failed"
				var ae *app.Error
				if errors.As(err, &ae) && ae.Code != app.CodeInternal {
					reason = ae.Message
				} else {
					s.log.Error("import attachment", "path", a.path, "error", err)
				}
				res.Skipped = append(res.Skipped, ImportSkip{Path: a.path, Reason: reason})
				continue
			}
			res.Attachments++
			target := "/api/v1/attachments/" + info.ID + "/content"
			for _, rel := range []string{
				base + ".assets/" + a.name,
				url.PathEscape(base+".assets") + "/" + url.PathEscape(a.name),
				"./" + base + ".assets/" + a.name,
				"./" + url.PathEscape(base+".assets") + "/" + url.PathEscape(a.name),
			} {
				body = strings.ReplaceAll(body, "("+rel+")", "("+target+")")
				body = strings.ReplaceAll(body, "(<"+rel+">)", "("+target+")")
			}
		}
		if body == n.doc.Body {
			continue
		}
		d := n.doc
		_, err := s.UpdateDocument(ctx, p, d.ID, DocumentUpdate{Body: &body, Version: d.Version, Message: "Linked imported attachments"})
		if err != nil {
			s.log.Error("link imported attachments", "document_id", d.ID, "error", err)
		}
	}
}
