package render

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// sectionCases are documents where cutting at headings could go wrong if
// splitSections misjudged the block structure.
var sectionCases = map[string]string{
	"plain":                "intro\n\n# One\n\ntext\n\n## Two\n\nmore\n\n# One\n\nagain\n",
	"no blank before":      "para\n# Heading\ntext\n",
	"heading in fence":     "# A\n\n```\ncode\n\n# not a heading\n```\n\n# B\n",
	"heading in tilde":     "~~~~md\n\n# inside\n~~~\n\n# still inside\n~~~~\n\n# out\n",
	"backtick info":        "``` a`b\n\n# H\n\ntext\n",
	"unclosed fence":       "# A\n\n```\n\n# in code to the end\n",
	"indented fence":       "- item\n\n  ```\n  code\n\n# h\n  ```\n",
	"phantom fence":        "- item\n\n  ```\n  code\nparagraph\n\n```\n\n# code\n```\n",
	"deep fence in list":   "1. item\n\n    ```\n    x\n\n# H\n\n    ```\n",
	"indented code":        "text\n\n    # code\n\n# H\n",
	"list before heading":  "- a\n- b\n\n# H\n\n- c\n\n- d\n\n## I\n",
	"loose list end":       "- a\n\n- b\n\n\n# H\n",
	"quote before heading": "> quote\n> more\n\n# H\n> q2\n",
	"table before heading": "| a | b |\n|---|---|\n| 1 | 2 |\n\n# H\n\n| c |\n|---|\n| 3 |\n",
	"html block":           "<details>\n\n# inside?\n\n</details>\n\n# H\n",
	"html comment":         "<!--\n\n# commented\n\n-->\n\n# H\n",
	"reference link":       "[x][r]\n\n# H\n\n[r]: https://example.com\n",
	"duplicate headings":   "# 배포\n\n# 배포\n\ntext\n\n## 배포\n\n# 배포-1\n",
	"hashtag":              "text\n\n#tag\n\n####### seven\n\n#\n\nafter empty heading\n",
	"tabs":                 "x\n\n#\theading\n\n\t# code\n",
	"mentions and links":   "@kim.minji [[Team handbook]]\n\n# H @channel\n\n[[온보딩 안내]] @here @김민지님께\n",
	"crlf":                 "a\r\n\r\n# H\r\n\r\nb\r\n",
}

// TestSectionsRenderLikeWhole: rendering section by section (with and
// without the caches) gives exactly what parsing the whole document does.
func TestSectionsRenderLikeWhole(t *testing.T) {
	docs := map[string]string{"bench": benchDocument(40 << 10)}
	for k, v := range sectionCases {
		docs[k] = v
	}
	for _, c := range xssCases {
		docs["xss "+c.name] = c.md
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzRender", "*"))
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := fuzzSeedString(string(b)); ok {
			docs["seed "+filepath.Base(f)] = s
		}
	}
	for name, md := range docs {
		for _, prefix := range []string{"", "doc"} {
			opts := testOpts
			opts.HeadingIDPrefix = prefix
			want, _, err := renderSections([]string{md}, opts)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, caching := range []bool{false, true, true} { // the second cached run hits
				setCaching(caching)
				got, _, err := render(md, opts)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s (prefix %q, caching %v): sectioned render differs\nsections: %q\n got: %+v\nwant: %+v",
						name, prefix, caching, splitSections(md), got, want)
				}
			}
			setCaching(true)
		}
	}
}

func TestSplitSections(t *testing.T) {
	for _, tc := range []struct {
		name string
		md   string
		want int
	}{
		{"plain", sectionCases["plain"], 4},
		{"no blank before", sectionCases["no blank before"], 1},
		{"heading in fence", sectionCases["heading in fence"], 2},
		{"heading in tilde", sectionCases["heading in tilde"], 2},
		{"unclosed fence", sectionCases["unclosed fence"], 1},
		{"indented fence", sectionCases["indented fence"], 1},
		{"phantom fence", sectionCases["phantom fence"], 1},
		{"html block", sectionCases["html block"], 1},
		{"reference link", sectionCases["reference link"], 1},
		{"hashtag", sectionCases["hashtag"], 2},
		{"bench", benchDocument(100 << 10), 100},
	} {
		secs := splitSections(tc.md)
		if strings.Join(secs, "") != tc.md {
			t.Errorf("%s: sections do not add up to the input", tc.name)
		}
		if tc.name == "bench" {
			if len(secs) < tc.want {
				t.Errorf("bench: %d sections, want at least %d", len(secs), tc.want)
			}
			continue
		}
		if len(secs) != tc.want {
			t.Errorf("%s: %d sections %q, want %d", tc.name, len(secs), secs, tc.want)
		}
	}
}

// TestSectionCacheRechecksAnswers: a cached section is not reused when a
// link it contains now resolves differently, or when its heading ids would
// change because an earlier section now has the same heading.
func TestSectionCacheRechecksAnswers(t *testing.T) {
	known := map[string]string{}
	opts := Options{ResolveLink: func(title string) (string, bool) {
		u, ok := known[title]
		return u, ok
	}}
	doc := "intro\n\n# Setup\n\nSee [[Runbook]].\n"
	r1 := mustRender(t, doc, opts)
	if !strings.Contains(r1.HTML, "missing") {
		t.Fatalf("unknown link not marked missing: %s", r1.HTML)
	}
	known["Runbook"] = "/kb/doc/1"
	r2 := mustRender(t, doc, opts)
	if !strings.Contains(r2.HTML, `href="/kb/doc/1"`) {
		t.Fatalf("link resolved since but cached section reused: %s", r2.HTML)
	}
	r3 := mustRender(t, "# Setup\n\nfirst\n\n"+doc, opts)
	if len(r3.Headings) != 2 || r3.Headings[1].ID != "setup-1" || !strings.Contains(r3.HTML, `id="setup-1"`) {
		t.Fatalf("second Setup heading: %+v\n%s", r3.Headings, r3.HTML)
	}
}

// fuzzSeedString reads a "go test fuzz v1" file holding one string.
func fuzzSeedString(file string) (string, bool) {
	lines := strings.SplitN(file, "\n", 2)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "go test fuzz v1") {
		return "", false
	}
	v := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(v, "string(") || !strings.HasSuffix(v, ")") {
		return "", false
	}
	s, err := strconv.Unquote(v[len("string(") : len(v)-1])
	return s, err == nil
}
