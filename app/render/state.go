package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"golang.org/x/text/unicode/norm"
)

var stateKey = parser.NewContextKey()

// state is what one Render call collects while parsing. Resolvers are
// memoized: a title linked ten times is looked up once.
type state struct {
	opts Options

	links     []string
	linkSeen  map[string]bool
	linkCache map[string]resolvedLink
	linkAsked []askedLink // every question, in order, for the result cache

	mentionIDs    []string
	mentionSeen   map[string]bool
	mentionCache  map[string]resolvedMention
	mentionAsked  []askedMention
	channel, here bool

	code []codeBlock

	// sec records what the section being parsed asked and set, for the
	// section cache (sections.go).
	sec sectionRecord
}

// sectionRecord is every distinct question one section asked the
// resolvers, in order, with the answers, and the @channel/@here it set.
type sectionRecord struct {
	links         []askedLink
	linkSeen      map[string]bool
	mentions      []askedMention
	mentionSeen   map[string]bool
	channel, here bool
}

func (r *sectionRecord) link(title string, a resolvedLink) {
	if r.linkSeen == nil {
		r.linkSeen = map[string]bool{}
	}
	if !r.linkSeen[title] {
		r.linkSeen[title] = true
		r.links = append(r.links, askedLink{title, a})
	}
}

func (r *sectionRecord) mention(handle string, a resolvedMention) {
	if r.mentionSeen == nil {
		r.mentionSeen = map[string]bool{}
	}
	if !r.mentionSeen[handle] {
		r.mentionSeen[handle] = true
		r.mentions = append(r.mentions, askedMention{handle, a})
	}
}

type resolvedLink struct {
	url string
	ok  bool
}

type askedLink struct {
	title  string
	answer resolvedLink
}

type askedMention struct {
	handle string
	answer resolvedMention
}

type resolvedMention struct {
	userID, display string
	ok              bool
}

func newState(opts Options) *state {
	return &state{opts: opts}
}

func stateOf(pc parser.Context) *state {
	if st, ok := pc.Get(stateKey).(*state); ok {
		return st
	}
	return newState(Options{})
}

// link records a [[title]] and resolves it.
func (s *state) link(title string) resolvedLink {
	if s.linkSeen == nil {
		s.linkSeen, s.linkCache = map[string]bool{}, map[string]resolvedLink{}
	}
	if !s.linkSeen[title] {
		s.linkSeen[title] = true
		s.links = append(s.links, title)
	}
	r, ok := s.linkCache[title]
	if !ok {
		r = resolveLink(s.opts, title)
		s.linkCache[title] = r
		s.linkAsked = append(s.linkAsked, askedLink{title, r})
	}
	s.sec.link(title, r)
	return r
}

func resolveLink(opts Options, title string) resolvedLink {
	var r resolvedLink
	if opts.ResolveLink != nil {
		r.url, r.ok = opts.ResolveLink(title)
		if !r.ok || r.url == "" {
			r = resolvedLink{}
		}
	}
	return r
}

func resolveMention(opts Options, handle string) resolvedMention {
	var r resolvedMention
	if opts.ResolveMention != nil {
		r.userID, r.display, r.ok = opts.ResolveMention(handle)
		if !r.ok || r.userID == "" {
			return resolvedMention{}
		}
		if r.display == "" {
			r.display = handle
		}
	}
	return r
}

// mention resolves a handle; resolved users are recorded.
func (s *state) mention(handle string) resolvedMention {
	if s.mentionCache == nil {
		s.mentionCache, s.mentionSeen = map[string]resolvedMention{}, map[string]bool{}
	}
	r, cached := s.mentionCache[handle]
	if !cached {
		r = resolveMention(s.opts, handle)
		s.mentionCache[handle] = r
		s.mentionAsked = append(s.mentionAsked, askedMention{handle, r})
	}
	s.sec.mention(handle, r)
	if r.ok && !s.mentionSeen[r.userID] {
		s.mentionSeen[r.userID] = true
		s.mentionIDs = append(s.mentionIDs, r.userID)
	}
	return r
}

// headingIDs hands out anchor ids unique within one document.
type headingIDs struct {
	prefix string
	used   map[string]bool
}

func newHeadingIDs(idPrefix string) *headingIDs {
	prefix := slugPart(idPrefix)
	if prefix != "" {
		prefix += "-"
	}
	return &headingIDs{prefix: prefix, used: map[string]bool{}}
}

// next is the id a heading with this slug gets, given the ids taken so far
// and those in also (not yet taken); it takes nothing.
func (h *headingIDs) next(base string, also map[string]bool) string {
	id := h.prefix + base
	for i := 1; h.used[id] || also[id]; i++ {
		id = h.prefix + base + "-" + strconv.Itoa(i)
	}
	return id
}

// sectionHeading is a heading with the slug its id was made from.
type sectionHeading struct {
	Heading
	base string
}

// annotate prepares a parsed document (or section) for rendering in one
// walk: it gives every heading its anchor id, marks task lists for
// styling, renders fenced code (see code.go), and returns the table of
// contents in document order.
func (s *state) annotate(doc ast.Node, src []byte, ids *headingIDs, nonce string) []sectionHeading {
	var out []sectionHeading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var h *ast.Heading
		switch n := n.(type) {
		case *ast.Heading:
			h = n
		case *ast.FencedCodeBlock:
			s.prepareCode(n, src, nonce)
			return ast.WalkSkipChildren, nil
		case *extast.TaskCheckBox:
			// The checkbox sits in the item's first paragraph (or text
			// block in a tight list).
			if li := n.Parent().Parent(); li != nil && li.Kind() == ast.KindListItem {
				li.SetAttributeString("class", []byte("task-list-item"))
				li.Parent().SetAttributeString("class", []byte("task-list"))
			}
			return ast.WalkContinue, nil
		case *ast.Paragraph, *ast.TextBlock:
			// Inline content: only a task checkbox is of interest, and it
			// is the first inline of a list item's first block.
			if _, ok := n.FirstChild().(*extast.TaskCheckBox); ok {
				return ast.WalkContinue, nil
			}
			return ast.WalkSkipChildren, nil
		case *extast.Table, *ast.CodeBlock, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		default:
			return ast.WalkContinue, nil
		}
		txt := strings.TrimSpace(plainText(h, src))
		base := Slug(txt)
		id := ids.next(base, nil)
		ids.used[id] = true
		h.SetAttributeString("id", []byte(id))
		out = append(out, sectionHeading{Heading{Level: h.Level, Text: txt, ID: id}, base})
		return ast.WalkSkipChildren, nil
	})
	return out
}

// plainText is the text a reader sees in an inline subtree.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(src))
			case *wikiLink:
				b.WriteString(c.label)
			case *mention:
				b.WriteString(c.text())
			case *extast.TaskCheckBox:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

// maxSlugRunes bounds an anchor; long headings still get distinct ids from
// their first words plus the de-duplicating suffix.
const maxSlugRunes = 80

// Slug makes a heading's anchor: NFC-normalized, lower-cased, letters and
// digits of any script kept (so Hangul headings get Hangul anchors, which
// browsers accept in URL fragments), runs of spaces and dashes become one
// "-", other punctuation is dropped. An empty result becomes "section".
func Slug(s string) string {
	if out := slugPart(s); out != "" {
		return out
	}
	return "section"
}

func slugPart(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	n, dash := 0, false
	for _, r := range s {
		if n >= maxSlugRunes {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '_':
			if dash {
				b.WriteByte('-')
				n++
				dash = false
			}
			b.WriteRune(unicode.ToLower(r))
			n++
		case unicode.IsSpace(r) || r == '-':
			dash = b.Len() > 0
		}
	}
	return b.String()
}

// isHandleRune reports whether r may appear in a mention handle.
func isHandleRune(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') ||
		isHangul(r)
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }
