package render

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowed is every element the renderer may emit, with the attributes each
// may carry. checkSafe holds the sanitizer's output to it independently of
// bluemonday's own policy: a future change to either shows up here.
var allowed = map[string]map[string]bool{
	"p": {}, "blockquote": {}, "hr": {}, "br": {}, "em": {}, "strong": {}, "del": {},
	"h1": {"id": true}, "h2": {"id": true}, "h3": {"id": true}, "h4": {"id": true}, "h5": {"id": true}, "h6": {"id": true},
	"a":     {"href": true, "rel": true, "target": true, "class": true, "data-user-id": true, "title": true},
	"img":   {"src": true, "alt": true, "title": true},
	"ul":    {"class": true},
	"ol":    {"class": true, "start": true},
	"li":    {"class": true},
	"input": {"type": true, "checked": true, "disabled": true},
	"table": {}, "thead": {}, "tbody": {}, "tr": {},
	"th":   {"align": true},
	"td":   {"align": true},
	"pre":  {"class": true, "tabindex": true},
	"code": {"class": true},
	"span": {"class": true, "data-title": true},
	"div":  {"class": true, "data-lang": true},
}

var urlAttrs = map[string]bool{"href": true, "src": true}

// checkSafe parses out as the body of a page would and returns the first
// construct that is not on the allowlist: an element, an attribute, a URL
// with a scheme other than http, https or mailto, a comment, a checkbox
// that can be ticked, or a new-tab link without noopener.
func checkSafe(out string) error {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(out), ctx)
	if err != nil {
		return fmt.Errorf("output does not parse: %w", err)
	}
	var check func(n *html.Node) error
	check = func(n *html.Node) error {
		switch n.Type {
		case html.CommentNode:
			return fmt.Errorf("comment %q", n.Data)
		case html.ElementNode:
			attrs, ok := allowed[n.Data]
			if !ok || n.Namespace != "" {
				return fmt.Errorf("element <%s> (namespace %q)", n.Data, n.Namespace)
			}
			have := map[string]string{}
			for _, a := range n.Attr {
				if a.Namespace != "" || !attrs[a.Key] {
					return fmt.Errorf("attribute %s on <%s>", a.Key, n.Data)
				}
				have[a.Key] = a.Val
				if urlAttrs[a.Key] {
					if err := checkURL(a.Val); err != nil {
						return fmt.Errorf("<%s %s=%q>: %w", n.Data, a.Key, a.Val, err)
					}
				}
			}
			if n.Data == "input" {
				if have["type"] != "checkbox" {
					return fmt.Errorf("input of type %q", have["type"])
				}
				if _, ok := have["disabled"]; !ok {
					return fmt.Errorf("checkbox without disabled")
				}
			}
			if t, ok := have["target"]; ok && (t != "_blank" || !strings.Contains(have["rel"], "noopener")) {
				return fmt.Errorf("link target %q with rel %q", t, have["rel"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range nodes {
		if err := check(n); err != nil {
			return err
		}
	}
	return nil
}

// checkURL accepts relative URLs and http, https and mailto ones. The value
// is what the browser sees after entity decoding (html.Parse decoded it).
func checkURL(v string) error {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("control character in URL")
		}
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("unparseable URL")
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
	default:
		return fmt.Errorf("scheme %q", u.Scheme)
	}
	// A browser strips tabs and newlines and ignores case: look for a
	// scheme the parser did not see.
	squeezed := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, v))
	for _, bad := range []string{"javascript:", "vbscript:", "data:", "file:"} {
		if strings.HasPrefix(squeezed, bad) {
			return fmt.Errorf("dangerous scheme %q", bad)
		}
	}
	return nil
}

// textOf is the text a reader sees in rendered HTML.
func textOf(out string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, _ := html.ParseFragment(strings.NewReader(out), ctx)
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

// markupOf is the output without its text: the tags and their attributes,
// as the browser's parser sees them.
func markupOf(out string) string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, _ := html.ParseFragment(strings.NewReader(out), ctx)
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			b.WriteString("<" + n.Data)
			for _, a := range n.Attr {
				b.WriteString(" " + a.Key)
				switch {
				case urlAttrs[a.Key]:
					// Only the scheme is markup; the rest is an
					// escaped string (checkURL vets it).
					if u, err := url.Parse(a.Val); err != nil {
						b.WriteString("=unparseable")
					} else if u.Scheme != "" {
						b.WriteString("=" + u.Scheme + ":")
					}
				case !textAttrs[a.Key]:
					b.WriteString("=" + a.Val)
				}
			}
			b.WriteString(">")
		case html.CommentNode:
			b.WriteString("<!--" + n.Data + "-->")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

// textAttrs hold text for people (and are escaped like text), not markup.
var textAttrs = map[string]bool{"alt": true, "title": true, "data-title": true}
