package render

import (
	"testing"
)

var plainCases = []struct {
	in   string
	fast bool
}{
	{"hello world", true},
	{"wsl:123:4 부하 시험 메시지 — load test message", true},
	{"회의는 3시에 해요", true},
	{"ok? yes! (maybe): fine; 100% sure, 3.5x – a+b=c…", true},
	{`don't say "never"`, true},
	{"naïve café Über", true},
	{"Hello www.example.com", false}, // autolink
	{"see WWW.example.com", false},
	{"https://example.com", false},
	{"mail kim@example.com", false},
	{"@channel hi", false},
	{"1. first", false},
	{"- item", false},
	{"# title", false},
	{"> quote", false},
	{"    code", false},
	{"a  b", false},
	{"trailing ", false},
	{"two\nlines", false},
	{"*bold*", false},
	{"snake_case", false},
	{"a ~~b~~", false},
	{"a `b`", false},
	{"a <b>", false},
	{"a &amp; b", false},
	{"a \\* b", false},
	{"a | b", false},
	{"see [[Page]]", false},
	{"x\u00a0y", false},
	{"abc\u200bdef", false},
	{"bad \xff utf8", false},
	{"", false},
}

// TestPlainFastPath: what the fast path takes, it renders exactly as the
// full pipeline does; what it refuses goes through the pipeline.
func TestPlainFastPath(t *testing.T) {
	for _, c := range plainCases {
		html, ok := plainHTML(c.in)
		if ok != c.fast {
			t.Errorf("plainHTML(%q) took it = %v, want %v", c.in, ok, c.fast)
			continue
		}
		if ok {
			checkPlainMatchesPipeline(t, c.in, html)
		}
	}
}

// FuzzPlainFastPath: for any input the fast path takes, its result is the
// full pipeline's, byte for byte, with nothing found in it.
func FuzzPlainFastPath(f *testing.F) {
	for _, c := range plainCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if html, ok := plainHTML(in); ok {
			checkPlainMatchesPipeline(t, in, html)
		}
	})
}

func checkPlainMatchesPipeline(t *testing.T, in, html string) {
	t.Helper()
	opts := Options{
		ResolveMention: func(string) (string, string, bool) { t.Fatalf("%q: mention resolved", in); return "", "", false },
		ResolveLink:    func(string) (string, bool) { t.Fatalf("%q: link resolved", in); return "", false },
	}
	full, _, err := render(in, opts)
	if err != nil {
		t.Fatal(err)
	}
	if full.HTML != html {
		t.Fatalf("%q: fast path %q, pipeline %q", in, html, full.HTML)
	}
	if len(full.Headings)+len(full.Links)+len(full.Mentions) > 0 || full.MentionsChannel || full.MentionsHere {
		t.Fatalf("%q: the pipeline found something in it: %+v", in, full)
	}
	got, err := Render(in, opts)
	if err != nil || got.HTML != html {
		t.Fatalf("%q: Render gave %q, %v", in, got.HTML, err)
	}
}
