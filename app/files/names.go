package files

import (
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameRunes bounds a stored file name.
const MaxNameRunes = 200

// SanitizeName turns the name a client sent into a display name that is
// safe everywhere it is shown or saved: only the last path element (both
// / and \ separate), NFC-normalized (macOS sends Hangul decomposed), no
// control or bidirectional-override characters (which make "exe.png"
// display as "png.exe"), none of the characters Windows forbids, no
// leading dots or trailing dots and spaces, not a Windows device name, at
// most MaxNameRunes characters with the extension kept. Hangul and other
// scripts are kept as they are. It may return "".
func SanitizeName(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\u200b', r == '\ufeff',
			unicode.Is(unicode.Co, r), r == utf8.RuneError:
			// Dropped: invisible or misleading.
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.Join(strings.Fields(b.String()), " ")
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return ""
	}
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if utf8.RuneCountInString(ext) > 16 {
		stem, ext = name, ""
	}
	if reservedWindowsName(stem) {
		stem = "_" + stem
	}
	if max := MaxNameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(stem) > max {
		r := []rune(stem)
		stem = strings.TrimRight(string(r[:max]), ". ")
	}
	return stem + ext
}

func reservedWindowsName(stem string) bool {
	s := strings.ToUpper(strings.TrimSpace(stem))
	switch s {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(s) == 4 && (strings.HasPrefix(s, "COM") || strings.HasPrefix(s, "LPT")) && s[3] >= '1' && s[3] <= '9' {
		return true
	}
	return false
}

// storedName is the display name for content of contentType: the
// sanitized name with the usual extension appended when the name's own
// does not fit the content (a PNG called "photo.exe" is kept as
// "photo.exe.png", so saving it never makes an executable), or a generic
// name when nothing usable was sent.
func storedName(sanitized, contentType string) string {
	ext := extensionFor(contentType)
	if sanitized == "" {
		return "file" + ext
	}
	if ext == "" || extensionFits(path.Ext(sanitized), contentType) {
		return sanitized
	}
	if max := MaxNameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(sanitized) > max {
		sanitized = string([]rune(sanitized)[:max])
	}
	return sanitized + ext
}
