package render

import (
	"strings"
)

// A document is rendered in sections: the text before its first heading,
// then each ATX heading (at the start of a line, after a blank line,
// outside fenced code) with what follows it up to the next. Markdown's
// block structure cannot reach across such a heading — lists, quotes,
// tables, paragraphs and indented code all end at a blank line followed by
// an unindented heading — so parsing the sections one by one gives the
// same result as parsing the whole, with three exceptions that make
// splitSections keep a document whole:
//
//   - link reference definitions ("[label]: url") apply document-wide;
//   - HTML blocks (a line starting with "<") can span blank lines;
//   - a fence indented by one to three spaces may belong to a list item
//     or open a top-level block; without tracking containers one cannot
//     tell, so only unindented fences are followed.
//
// A section renders the same wherever it sits, except for what the
// document around it decides: heading ids (made unique across the
// document) and the resolvers' answers. The section cache keeps both with
// the HTML, and an entry is used only when they come out the same again
// (replay). An edit then costs the section it touched.

// splitSections cuts markdown into sections; they concatenate to the input.
func splitSections(markdown string) []string {
	if strings.Contains(markdown, "]:") {
		return []string{markdown}
	}
	var out []string
	start := 0
	blankBefore := true
	var fenceChar byte
	fenceLen := 0
	for pos := 0; pos < len(markdown); {
		end := strings.IndexByte(markdown[pos:], '\n')
		next := len(markdown)
		if end >= 0 {
			next = pos + end + 1
		}
		line := strings.TrimRight(markdown[pos:next], "\r\n")
		indent, rest := leadingIndent(line)
		switch {
		case fenceLen > 0:
			// Inside an unindented fence: only its closer matters.
			if indent <= 3 {
				if c, n, info := fenceOf(rest); c == fenceChar && n >= fenceLen && strings.TrimSpace(info) == "" {
					fenceLen = 0
				}
			}
			blankBefore = false
		case strings.TrimSpace(line) == "":
			blankBefore = true
		default:
			if indent <= 3 {
				if c, n, info := fenceOf(rest); n > 0 && !(c == '`' && strings.ContainsRune(info, '`')) {
					if indent > 0 {
						return []string{markdown}
					}
					fenceChar, fenceLen = c, n
				} else if rest[0] == '<' {
					return []string{markdown}
				}
			}
			if indent == 0 && blankBefore && pos > start && isATXHeading(line) {
				out = append(out, markdown[start:pos])
				start = pos
			}
			blankBefore = false
		}
		pos = next
	}
	return append(out, markdown[start:])
}

// leadingIndent is the width of line's leading spaces and tabs (a tab
// advancing to the next multiple of 4) and the rest of the line.
func leadingIndent(line string) (int, string) {
	w := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
			w++
		case '\t':
			w += 4 - w%4
		default:
			return w, line[i:]
		}
	}
	return w, ""
}

// fenceOf reports the fence a line (without its indent) opens or closes:
// three or more backticks or tildes, and the info string after them.
func fenceOf(s string) (char byte, n int, info string) {
	if len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return 0, 0, ""
	}
	c := s[0]
	for n < len(s) && s[n] == c {
		n++
	}
	if n < 3 {
		return 0, 0, ""
	}
	return c, n, s[n:]
}

// isATXHeading reports whether an unindented line is a heading: one to six
// "#" followed by a space, a tab or the end of the line.
func isATXHeading(line string) bool {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	return n >= 1 && n <= 6 && (n == len(line) || line[n] == ' ' || line[n] == '\t')
}

// sectionEntry is a rendered section: sanitized HTML with its code
// spliced in, its headings, and what it asked the resolvers.
type sectionEntry struct {
	html     string
	headings []sectionHeading
	rec      sectionRecord
}

func (e *sectionEntry) size() int {
	n := len(e.html) + 256
	for _, h := range e.headings {
		n += len(h.Text) + len(h.ID) + len(h.base) + 48
	}
	for _, l := range e.rec.links {
		n += len(l.title) + len(l.answer.url) + 32
	}
	for _, m := range e.rec.mentions {
		n += len(m.handle) + len(m.answer.userID) + len(m.answer.display) + 48
	}
	return n
}

// replay asks the resolvers the section's questions again (recording them
// in st as a parse would) and works out its heading ids. When every answer
// and id is what the entry was rendered with, the ids are taken and the
// entry is good; otherwise nothing about the ids has changed and the
// caller renders the section afresh (asking again costs nothing: st
// memoizes).
func (e *sectionEntry) replay(st *state, ids *headingIDs) bool {
	for _, l := range e.rec.links {
		if st.link(l.title) != l.answer {
			return false
		}
	}
	for _, m := range e.rec.mentions {
		if st.mention(m.handle) != m.answer {
			return false
		}
	}
	var taken map[string]bool
	for _, h := range e.headings {
		if ids.next(h.base, taken) != h.ID {
			return false
		}
		if taken == nil {
			taken = map[string]bool{}
		}
		taken[h.ID] = true
	}
	for id := range taken {
		ids.used[id] = true
	}
	st.channel = st.channel || e.rec.channel
	st.here = st.here || e.rec.here
	st.sec = sectionRecord{}
	return true
}

// sectionKey identifies a section's text under a heading-id prefix.
func sectionKey(prefix, section string) string { return prefix + "\x00" + section }

// sectionCache holds rendered sections, by prefix and text.
var sectionCache = newLRU[*sectionEntry](16<<20, (*sectionEntry).size)
