package files

import (
	"mime"
	"path"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// Accepted content types, by what the content is (sniffed with
// gabriel-vasile/mimetype), never by the client's Content-Type or the file
// name. SVG, HTML, XML, scripts, executables and archives other than zip
// are refused: some run code when opened in a browser, and none are
// needed to share documents.
var accepted = map[string]kind{
	"image/png":  kindImage,
	"image/apng": kindImage,
	"image/jpeg": kindImage,
	"image/gif":  kindImage,
	"image/webp": kindImage,

	"application/pdf": kindPDF,

	"text/plain": kindText,
	"text/csv":   kindText,
	// Plain text to a person, whatever a sniffer calls it; stored and
	// served as text/plain.
	"text/tab-separated-values": kindText,
	"application/json":          kindText,
	"application/x-ndjson":      kindText,
	"text/x-python":             kindText,
	"text/x-shellscript":        kindText,
	"text/x-perl":               kindText,
	"text/x-ruby":               kindText,
	"text/x-lua":                kindText,
	"text/x-tcl":                kindText,
	"text/javascript":           kindText,

	"application/zip": kindArchive,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   kindOffice,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         kindOffice,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": kindOffice,
	"application/vnd.oasis.opendocument.text":                                   kindOffice,
	"application/vnd.oasis.opendocument.spreadsheet":                            kindOffice,
	"application/vnd.oasis.opendocument.presentation":                           kindOffice,
}

type kind int

const (
	kindNone kind = iota
	kindImage
	kindPDF
	kindText
	kindArchive
	kindOffice
)

// claimed is what a file name's extension says the content is. A name that
// claims a binary format the content does not have (a text file called
// photo.png, an HTML page called report.pdf) is refused: it is either
// damaged or meant to fool someone. Names claiming text, or unknown
// extensions, are not held against the content.
var claimed = map[string]kind{
	".png": kindImage, ".apng": kindImage, ".jpg": kindImage, ".jpeg": kindImage, ".jfif": kindImage, ".gif": kindImage, ".webp": kindImage,
	".pdf":  kindPDF,
	".zip":  kindArchive,
	".docx": kindOffice, ".xlsx": kindOffice, ".pptx": kindOffice, ".odt": kindOffice, ".ods": kindOffice, ".odp": kindOffice,
}

// sniffLimit is how much of an upload is read to decide its type:
// mimetype's default (zip-based office formats are recognised by their
// first entries).
const sniffLimit = 3072

// classify decides the stored content type of an upload from its first
// bytes and (for refinements only) its sanitized name. ok is false when
// the type is not accepted; detected names what was found, for the error.
func classify(head []byte, name string) (contentType string, k kind, detected string, ok bool) {
	m := mimetype.Detect(head)
	detected = m.String()
	base, params, err := mime.ParseMediaType(detected)
	if err != nil {
		return "", kindNone, detected, false
	}
	k = accepted[base]
	if k == kindNone {
		return "", kindNone, detected, false
	}
	ext := strings.ToLower(path.Ext(name))
	if want, ok := claimed[ext]; ok && want != k {
		return "", kindNone, detected, false
	}
	switch {
	case base == "image/apng":
		base = "image/png"
	case k == kindText:
		switch {
		case base == "text/csv" || ext == ".csv":
			base = "text/csv"
		case ext == ".md" || ext == ".markdown":
			base = "text/markdown"
		default:
			base = "text/plain"
		}
		cs := strings.ToLower(params["charset"])
		if cs == "" {
			cs = "utf-8"
		}
		return base + "; charset=" + cs, k, detected, true
	}
	return base, k, detected, true
}

// extensionFor is the usual extension of a stored content type.
func extensionFor(contentType string) string {
	base, _, _ := mime.ParseMediaType(contentType)
	switch base {
	case "text/plain":
		return ".txt"
	case "text/markdown":
		return ".md"
	case "image/jpeg":
		return ".jpg"
	}
	if m := mimetype.Lookup(base); m != nil {
		return m.Extension()
	}
	return ""
}

// extensionFits reports whether a name's extension is a usual one for the
// content type, so "photo.exe" holding a PNG becomes "photo.exe.png".
func extensionFits(ext, contentType string) bool {
	ext = strings.ToLower(ext)
	base, _, _ := mime.ParseMediaType(contentType)
	switch base {
	case "image/jpeg":
		return ext == ".jpg" || ext == ".jpeg" || ext == ".jfif"
	case "image/png":
		return ext == ".png" || ext == ".apng"
	case "text/plain", "text/markdown", "text/csv":
		// Any name suits text (notes.log, main.go, README): served
		// as text/plain, it cannot run.
		return ext != "" && claimed[ext] == kindNone
	}
	return ext == extensionFor(contentType)
}

// Inline reports whether a content type may be shown in the browser
// rather than downloaded: images the browser decodes itself, PDF, and
// plain text (served as text/plain; charset=utf-8). Never SVG or HTML
// (they are not even accepted).
func Inline(contentType string) bool {
	base, _, _ := mime.ParseMediaType(contentType)
	switch base {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/markdown", "text/csv":
		return true
	}
	return false
}

// ServedType is the Content-Type a download is sent with: text is always
// text/plain in UTF-8 (a browser must not render markdown or CSV as
// anything richer), everything else as stored.
func ServedType(contentType string) string {
	base, params, _ := mime.ParseMediaType(contentType)
	if strings.HasPrefix(base, "text/") {
		cs := params["charset"]
		if cs == "" {
			cs = "utf-8"
		}
		return "text/plain; charset=" + cs
	}
	return contentType
}
