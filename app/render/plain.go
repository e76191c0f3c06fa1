package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Most chat messages are one line of plain words ("ok", "회의는 3시에 해요",
// "thanks, will do"). For those the whole markdown pipeline (parse,
// render, sanitize) produces a paragraph of the escaped text, so plainHTML
// writes that paragraph directly; it costs about a microsecond instead of
// tens, and such one-off texts stay out of the render caches.
//
// It accepts only text where nothing can be markdown: one line, starting
// with a letter (so no list, heading, quote or indented code), ending
// without a space, made of letters, digits, combining marks, single spaces
// and punctuation that no markdown construct or extension here gives a
// meaning to: no emphasis, code, link, image, HTML, entity, escape, table,
// strikethrough, @mention or [[wiki link]] character, no "/" (URLs) and no
// "www." (autolinks). FuzzPlainFastPath checks that the result is exactly
// what the full pipeline produces.
func plainHTML(s string) (string, bool) {
	if s == "" || len(s) > 4096 {
		return "", false
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsLetter(first) || s[len(s)-1] == ' ' {
		return "", false
	}
	escapes := 0
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			case r == ' ':
				if s[i+1] == ' ' {
					return "", false // runs of spaces: let the parser decide
				}
			case r == '\'' || r == '"':
				escapes++
			case strings.ContainsRune(",.?!:;()%+=-", r):
			default:
				return "", false
			}
		case r == utf8.RuneError:
			return "", false // invalid UTF-8 (or a literal U+FFFD)
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		case r == '–', r == '—', r == '…':
		default:
			return "", false
		}
	}
	if hasFold(s, "www.") {
		return "", false
	}
	var b strings.Builder
	b.Grow(len("<p></p>\n") + len(s) + 4*escapes)
	b.WriteString("<p>")
	if escapes == 0 {
		b.WriteString(s)
	} else {
		for i := 0; i < len(s); i++ {
			switch s[i] {
			case '\'':
				b.WriteString("&#39;")
			case '"':
				b.WriteString("&#34;")
			default:
				b.WriteByte(s[i])
			}
		}
	}
	b.WriteString("</p>\n")
	return b.String(), true
}

// hasFold reports whether s contains the ASCII string sub, ignoring case.
func hasFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
