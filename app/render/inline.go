package render

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxTitleRunes bounds a [[title]]; longer bracketed text is left as typed.
const MaxTitleRunes = 200

// wikiLink is [[Title]] or [[Title|label]], already resolved.
type wikiLink struct {
	ast.BaseInline
	title, label string
	url          string
	ok           bool
}

var kindWikiLink = ast.NewNodeKind("WikiLink")

func (n *wikiLink) Kind() ast.NodeKind { return kindWikiLink }

func (n *wikiLink) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Title": n.title, "URL": n.url}, nil)
}

// wikiLinkParser recognises [[Title]] and [[Title|label]] on one line.
// The title is trimmed and its inner runs of white space collapsed, so
// "[[ Team  handbook ]]" and "[[Team handbook]]" name the same document.
type wikiLinkParser struct{}

func (wikiLinkParser) Trigger() []byte { return []byte{'['} }

func (wikiLinkParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	if len(line) < 5 || line[1] != '[' {
		return nil
	}
	end := bytes.Index(line[2:], []byte("]]"))
	if end <= 0 {
		return nil
	}
	inner := line[2 : 2+end]
	if bytes.IndexByte(inner, '[') >= 0 || !utf8.Valid(inner) {
		return nil
	}
	title, label, _ := strings.Cut(string(inner), "|")
	title = strings.Join(strings.Fields(title), " ")
	label = strings.Join(strings.Fields(label), " ")
	if title == "" || utf8.RuneCountInString(title) > MaxTitleRunes {
		return nil
	}
	if label == "" {
		label = title
	}
	block.Advance(2 + end + 2)
	r := stateOf(pc).link(title)
	return &wikiLink{title: title, label: label, url: r.url, ok: r.ok}
}

// mention is a resolved @handle, or @channel / @here.
type mention struct {
	ast.BaseInline
	userID, display string
	special         string // "channel" or "here"
}

var kindMention = ast.NewNodeKind("Mention")

func (n *mention) Kind() ast.NodeKind { return kindMention }

func (n *mention) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"UserID": n.userID, "Special": n.special}, nil)
}

func (n *mention) text() string {
	if n.special != "" {
		return "@" + n.special
	}
	return "@" + n.display
}

// MaxHandleRunes bounds a mention handle.
const MaxHandleRunes = 64

// maxParticleRunes is how many trailing Hangul syllables may be dropped to
// find a handle: Korean attaches particles and honorifics to names
// ("@김민지님께" mentions 김민지).
const maxParticleRunes = 3

// mentionParser recognises @handles. The grammar:
//
//	mention = "@" handle, not preceded by a letter, digit, or one of ._-+@/:\`
//	handle  = first *( middle ) [ last ]   at most 64 characters
//	first   = ASCII letter or digit, or a Hangul character
//	middle  = first / "." / "_" / "-"
//	last    = first                        (trailing ".", "_", "-" are sentence punctuation)
//
// "@channel" and "@here" (any ASCII case) are the chat-wide mentions and are
// never passed to the resolver. For other handles the resolver is asked for
// the whole handle first; when that fails and the handle ends in Hangul,
// up to three trailing syllables are dropped one at a time (keeping at
// least two characters), so particles after a Korean name do not hide it.
// An unresolved handle stays plain text.
type mentionParser struct{}

func (mentionParser) Trigger() []byte { return []byte{'@'} }

func (mentionParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	prev := block.PrecendingCharacter()
	if unicode.IsLetter(prev) || unicode.IsDigit(prev) || strings.ContainsRune("._-+@/:\\`", prev) {
		return nil
	}
	line, _ := block.PeekLine()
	handle := MentionHandle(line[1:])
	if handle == "" {
		return nil
	}
	st := stateOf(pc)
	switch strings.ToLower(handle) {
	case "channel", "here":
		block.Advance(1 + len(handle))
		special := strings.ToLower(handle)
		if special == "channel" {
			st.channel, st.sec.channel = true, true
		} else {
			st.here, st.sec.here = true, true
		}
		return &mention{special: special}
	}
	cand := handle
	for drop := 0; ; drop++ {
		if r := st.mention(cand); r.ok {
			block.Advance(1 + len(cand))
			return &mention{userID: r.userID, display: r.display}
		}
		last, size := utf8.DecodeLastRuneInString(cand)
		if drop == maxParticleRunes || !isHangul(last) || utf8.RuneCountInString(cand) <= 2 {
			return nil
		}
		cand = cand[:len(cand)-size]
	}
}

// MentionHandle returns the handle at the start of b (after the "@"), or ""
// when there is none. It is exported so the editor's autocomplete and the
// chat service agree with the renderer on what a handle is.
func MentionHandle(b []byte) string {
	n, runes := 0, 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError || !isHandleRune(r) {
			break
		}
		if runes == 0 && (r == '.' || r == '_' || r == '-') {
			return ""
		}
		n += size
		runes++
		if runes > MaxHandleRunes {
			return ""
		}
	}
	h := strings.TrimRight(string(b[:n]), "._-")
	return h
}

// nodeRenderer writes wiki links, mentions and the placeholders of fenced
// code (see code.go). Its priority puts it ahead of goldmark's own.
type nodeRenderer struct{}

func (nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindWikiLink, renderWikiLink)
	reg.Register(kindMention, renderMention)
	reg.Register(ast.KindFencedCodeBlock, renderCodeSlot)
}

func renderWikiLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*wikiLink)
	if n.ok {
		_, _ = w.WriteString(`<a class="wikilink" href="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(n.url), false)))
		_, _ = w.WriteString(`">`)
		_, _ = w.Write(util.EscapeHTML([]byte(n.label)))
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	// Unknown titles keep their text; the UI may offer to create the page.
	_, _ = w.WriteString(`<span class="wikilink missing" data-title="`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.title)))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.label)))
	_, _ = w.WriteString("</span>")
	return ast.WalkContinue, nil
}

func renderMention(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*mention)
	if n.special != "" {
		_, _ = w.WriteString(`<span class="mention mention-` + n.special + `">`)
		_, _ = w.Write(util.EscapeHTML([]byte(n.text())))
		_, _ = w.WriteString("</span>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a class="mention" data-user-id="`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.userID)))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(util.EscapeHTML([]byte(n.text())))
	_, _ = w.WriteString("</a>")
	return ast.WalkContinue, nil
}
