package render

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Fenced code is most of the cost of rendering a technical document:
// chroma's regular-expression lexers, then sanitizing the many spans they
// produce. A block's HTML depends only on its language and text, so each
// block is highlighted and sanitized on its own, cached, and spliced into
// the sanitized page through a placeholder. Editing prose around code (live
// preview, a new version) then costs only the prose.
//
// Splicing is safe: each piece is the sanitizer's output, which is a
// sequence of complete, allowed tokens; concatenating such sequences cannot
// create a disallowed one. The placeholder carries a random per-render
// nonce in private-use characters, so text an author writes can never be
// mistaken for it.

// highlightFencedCode is goldmark-highlighting's renderer for fenced code,
// called directly.
var highlightFencedCode = func() renderer.NodeRendererFunc {
	var fn renderer.NodeRendererFunc
	highlighting.NewHTMLRenderer(
		highlighting.WithFormatOptions(chromahtml.WithClasses(true), chromahtml.TabWidth(4)),
		highlighting.WithWrapperRenderer(codeWrapper),
	).RegisterFuncs(registerer(func(k ast.NodeKind, f renderer.NodeRendererFunc) {
		if k == ast.KindFencedCodeBlock {
			fn = f
		}
	}))
	return fn
}()

type registerer func(ast.NodeKind, renderer.NodeRendererFunc)

func (r registerer) Register(k ast.NodeKind, f renderer.NodeRendererFunc) { r(k, f) }

// codeBlock is one fenced block of a render call.
type codeBlock struct {
	placeholder string
	html        string
}

// slotAttr names the node attribute that carries a block's placeholder
// from the annotation pass to the renderer.
var slotAttr = []byte("nexus-slot")

// codeAttr carries the finished HTML of a top-level block.
var codeAttr = []byte("nexus-code")

// prepareCode renders (or fetches) a fenced block and marks the node with
// its placeholder.
func (s *state) prepareCode(n *ast.FencedCodeBlock, src []byte, nonce string) {
	if n.Parent() != nil && n.Parent().Kind() == ast.KindDocument {
		// Top-level blocks skip the placeholder: render writes their
		// HTML between the sanitized blocks directly.
		n.SetAttribute(codeAttr, codeHTML(n, src))
		return
	}
	ph := "\ue000" + nonce + "." + strconv.Itoa(len(s.code)) + "\ue001"
	s.code = append(s.code, codeBlock{placeholder: ph, html: codeHTML(n, src)})
	n.SetAttribute(slotAttr, ph)
}

// codeHTML is the sanitized HTML of one fenced block.
func codeHTML(n *ast.FencedCodeBlock, src []byte) string {
	var key strings.Builder
	if n.Info != nil {
		key.Write(n.Info.Segment.Value(src))
	}
	key.WriteByte(0)
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		key.Write(seg.Value(src))
	}
	k := key.String()
	if h, ok := codeCache.get(k); ok {
		return h
	}
	var raw bytes.Buffer
	w := bufio.NewWriter(&raw)
	_, _ = highlightFencedCode(w, src, n, true)
	_ = w.Flush()
	h := string(policy.SanitizeBytes(raw.Bytes()))
	codeCache.put(k, h)
	return h
}

// renderCodeSlot writes the placeholder of a prepared block.
func renderCodeSlot(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		if ph, ok := node.Attribute(slotAttr); ok {
			_, _ = w.WriteString(ph.(string))
		}
	}
	return ast.WalkSkipChildren, nil
}

// splice replaces the placeholders in sanitized HTML.
func (s *state) splice(out string) string {
	if len(s.code) == 0 {
		return out
	}
	// Blocks appear in document order, so one forward scan finds them all.
	var b strings.Builder
	n := len(out)
	for _, c := range s.code {
		n += len(c.html)
	}
	b.Grow(n)
	for _, c := range s.code {
		i := strings.Index(out, c.placeholder)
		if i < 0 {
			continue // cannot happen: every fenced block is rendered
		}
		b.WriteString(out[:i])
		b.WriteString(c.html)
		out = out[i+len(c.placeholder):]
	}
	b.WriteString(out)
	return b.String()
}

// codeCache holds highlighted, sanitized blocks by language and text.
var codeCache = newLRU[string](16<<20, func(v string) int { return len(v) })
