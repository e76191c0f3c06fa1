// Package render turns the markdown people write (documents, chat messages)
// into HTML that is safe to put into a page: goldmark with GitHub-flavoured
// extensions, syntax-highlighted code, heading anchors, [[wiki links]] and
// @mentions, then a bluemonday allowlist as the last word on what reaches a
// browser.
//
// Raw HTML in the markdown is never rendered (goldmark's default); the
// sanitizer is a second, independent wall in case the renderer or one of
// its extensions ever emits something it should not.
package render

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Options connect the renderer to the rest of the application. Every field
// may be nil/empty.
type Options struct {
	// ResolveLink maps a [[Document title]] to a URL ("/kb/doc/<id>") or "" when unknown (rendered as a "missing" link).
	ResolveLink func(title string) (url string, ok bool)
	// ResolveMention maps @name tokens (ASCII or Hangul) to a user id and display name.
	ResolveMention func(handle string) (userID, display string, ok bool)
	// HeadingIDPrefix avoids id clashes when several documents are on one page.
	HeadingIDPrefix string
}

// Heading is one entry of a table of contents.
type Heading struct {
	Level int
	Text  string
	ID    string
}

// Result is a rendered document.
type Result struct {
	HTML     string    // sanitized
	Headings []Heading // for the table of contents
	Links    []string  // [[titles]] referenced, in order, unique
	Mentions []string  // user ids mentioned (resolved only)
	// MentionsChannel and MentionsHere are set by @channel and @here (chat).
	MentionsChannel, MentionsHere bool
}

// MaxInput bounds what Render accepts. Documents are far smaller; the bound
// keeps a pathological input from tying up a request.
const MaxInput = 4 << 20

// Render converts markdown to sanitized HTML and reports the headings,
// wiki links and mentions it found. The resolvers are called from the
// calling goroutine, at most once per distinct title or handle candidate.
//
// Rendering is a pure function of the markdown, the heading prefix and the
// resolvers' answers, and three caches make use of it (see cache.go): a
// document rendered before is returned from a cache after asking the
// resolvers the same questions again and getting the same answers;
// otherwise sections (the parts between headings) that did not change are
// reused, and within the changed ones highlighted code blocks and
// sanitized top-level blocks, so an edit costs roughly the section it
// touched.
func Render(markdown string, opts Options) (Result, error) {
	if len(markdown) > MaxInput {
		return Result{}, fmt.Errorf("render: input of %d bytes exceeds %d", len(markdown), MaxInput)
	}
	if html, ok := plainHTML(markdown); ok {
		return Result{HTML: html}, nil
	}
	key := resultKey(markdown, opts.HeadingIDPrefix)
	if e, ok := results.get(key); ok && e.valid(opts) {
		return e.res.clone(), nil
	}
	res, st, err := render(markdown, opts)
	if err != nil {
		return Result{}, err
	}
	results.put(key, &resultEntry{res: res, links: st.linkAsked, mentions: st.mentionAsked})
	return res.clone(), nil
}

func render(markdown string, opts Options) (Result, *state, error) {
	return renderSections(splitSections(markdown), opts)
}

// renderSections renders a document given as consecutive sections.
func renderSections(sections []string, opts Options) (Result, *state, error) {
	st := newState(opts)
	ids := newHeadingIDs(opts.HeadingIDPrefix)
	nonce := strconv.FormatUint(rand.Uint64(), 36)
	var res Result
	var out strings.Builder
	for _, sec := range sections {
		key := sectionKey(opts.HeadingIDPrefix, sec)
		if e, ok := sectionCache.get(key); ok && e.replay(st, ids) {
			out.WriteString(e.html)
			for _, h := range e.headings {
				res.Headings = append(res.Headings, h.Heading)
			}
			continue
		}
		e, err := renderSection(sec, st, ids, nonce)
		if err != nil {
			return Result{}, nil, err
		}
		sectionCache.put(key, e)
		out.WriteString(e.html)
		for _, h := range e.headings {
			res.Headings = append(res.Headings, h.Heading)
		}
	}
	res.HTML = out.String()
	res.Links = st.links
	res.Mentions = st.mentionIDs
	res.MentionsChannel, res.MentionsHere = st.channel, st.here
	return res, st, nil
}

// renderSection parses and renders one section (see sections.go) with the
// document's state and heading ids.
func renderSection(markdown string, st *state, ids *headingIDs, nonce string) (*sectionEntry, error) {
	src := []byte(markdown)
	st.code, st.sec = nil, sectionRecord{}
	pc := parser.NewContext()
	pc.Set(stateKey, st)
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	headings := st.annotate(doc, src, ids, nonce)

	bw := bufPool.Get().(*blockWriter)
	defer bufPool.Put(bw)
	buf := &bw.buf
	var out strings.Builder
	out.Grow(len(src) * 2)
	// Each top-level block is rendered and sanitized on its own, so that
	// unchanged blocks come from the cache.
	for c := doc.FirstChild(); c != nil; c = c.NextSibling() {
		if h, ok := c.Attribute(codeAttr); ok {
			out.WriteString(h.(string))
			continue
		}
		buf.Reset()
		bw.w.Reset(buf)
		if err := md.Renderer().Render(bw.w, src, c); err != nil {
			return nil, fmt.Errorf("render markdown: %w", err)
		}
		out.WriteString(sanitizeBlock(buf.Bytes()))
	}
	e := &sectionEntry{html: st.splice(out.String()), headings: headings, rec: st.sec}
	e.rec.linkSeen, e.rec.mentionSeen = nil, nil
	st.code, st.sec = nil, sectionRecord{}
	return e, nil
}

func (r Result) clone() Result {
	r.Headings = slices.Clone(r.Headings)
	r.Links = slices.Clone(r.Links)
	r.Mentions = slices.Clone(r.Mentions)
	return r
}

// blockWriter is a reusable buffer with the buffered writer goldmark wants
// (it would allocate a new one per call otherwise).
type blockWriter struct {
	buf bytes.Buffer
	w   *bufio.Writer
}

var bufPool = sync.Pool{New: func() any {
	bw := &blockWriter{}
	bw.w = bufio.NewWriterSize(&bw.buf, 8<<10)
	return bw
}}

// md is shared: a goldmark.Markdown is safe for concurrent use, and all
// per-call state travels in the parser context.
var md = goldmark.New(
	goldmark.WithExtensions(
		// Alignment as an attribute: style attributes never survive the
		// sanitizer.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
	),
	goldmark.WithParserOptions(
		// Before the link parser (priority 200) so "[[" is ours.
		parser.WithInlineParsers(
			util.Prioritized(wikiLinkParser{}, 199),
			util.Prioritized(mentionParser{}, 500),
		),
	),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{}, 100)),
	),
)

// codeWrapper frames every fenced code block in a div that names its
// language, for the UI's language label and copy button. Blocks chroma does
// not highlight still need their <pre><code>.
func codeWrapper(w util.BufWriter, c highlighting.CodeBlockContext, entering bool) {
	lang, hasLang := c.Language()
	if entering {
		_, _ = w.WriteString(`<div class="codeblock"`)
		if hasLang {
			_, _ = w.WriteString(` data-lang="`)
			_, _ = w.Write(util.EscapeHTML(lang))
			_ = w.WriteByte('"')
		}
		_ = w.WriteByte('>')
		if !c.Highlighted() {
			_, _ = w.WriteString("<pre><code>")
		}
		return
	}
	if !c.Highlighted() {
		_, _ = w.WriteString("</code></pre>")
	}
	_, _ = w.WriteString("</div>\n")
}
