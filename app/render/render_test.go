package render

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// resolvers for tests: two documents and two people, one with a Hangul
// handle.
var testOpts = Options{
	ResolveLink: func(title string) (string, bool) {
		switch title {
		case "Team handbook":
			return "/kb/doc/0190a1b2-0000-7000-8000-000000000001", true
		case "온보딩 안내":
			return "/kb/doc/0190a1b2-0000-7000-8000-000000000002", true
		}
		return "", false
	},
	ResolveMention: func(handle string) (string, string, bool) {
		switch strings.ToLower(handle) {
		case "kim.minji":
			return "0190a1b2-0000-7000-8000-0000000000a1", "Kim Minji", true
		case "김민지":
			return "0190a1b2-0000-7000-8000-0000000000a2", "김민지", true
		}
		return "", "", false
	},
}

func mustRender(t *testing.T, md string, opts Options) Result {
	t.Helper()
	r, err := Render(md, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSafe(r.HTML); err != nil {
		t.Fatalf("unsafe output for %q: %v\n%s", md, err, r.HTML)
	}
	return r
}

func TestGFM(t *testing.T) {
	r := mustRender(t, "| 이름 | 역할 |\n|:--|--:|\n| 민지 | 개발 |\n\n- [x] 완료\n- [ ] todo\n\n~~old~~ https://example.com/path?q=1\n", Options{})
	for _, want := range []string{
		`<th align="left">이름</th>`, `<td align="right">개발</td>`,
		`<ul class="task-list">`, `<li class="task-list-item"><input checked="" disabled="" type="checkbox"> 완료</li>`,
		`<input disabled="" type="checkbox"> todo`,
		`<del>old</del>`,
		`<a href="https://example.com/path?q=1" rel="nofollow noreferrer noopener" target="_blank">https://example.com/path?q=1</a>`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in\n%s", want, r.HTML)
		}
	}
}

func TestCodeHighlighting(t *testing.T) {
	r := mustRender(t, "```go\nfunc main() { fmt.Println(\"안녕\") }\n```\n\n```unknown-lang\n<b>x</b>\n```\n", Options{})
	for _, want := range []string{
		`<div class="codeblock" data-lang="go"><pre class="chroma"><code>`,
		`<span class="kd">func</span>`,
		`<div class="codeblock" data-lang="unknown-lang"><pre><code>&lt;b&gt;x&lt;/b&gt;`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in\n%s", want, r.HTML)
		}
	}
	if strings.Contains(r.HTML, "style=") {
		t.Errorf("inline style in highlighted code:\n%s", r.HTML)
	}
	css := HighlightCSS()
	for _, want := range []string{".chroma .kd {", ":root[data-theme='dark'] .chroma .kd {", "@media (prefers-color-scheme: dark)", ":root:not([data-theme='light']) .chroma"} {
		if !strings.Contains(css, want) {
			t.Errorf("HighlightCSS lacks %q", want)
		}
	}
}

func TestHeadings(t *testing.T) {
	md := "# 개요\n\n## Getting *started*!\n\n## Getting started\n\n### 설치 방법 (Linux/macOS)\n\n## `code` & [[Team handbook]]\n\n## !!!\n\n## 개요\n"
	r := mustRender(t, md, testOpts)
	want := []Heading{
		{1, "개요", "개요"},
		{2, "Getting started!", "getting-started"},
		{2, "Getting started", "getting-started-1"},
		{3, "설치 방법 (Linux/macOS)", "설치-방법-linuxmacos"},
		{2, "code & Team handbook", "code-team-handbook"},
		{2, "!!!", "section"},
		{2, "개요", "개요-1"},
	}
	if !reflect.DeepEqual(r.Headings, want) {
		t.Fatalf("headings\n got %+v\nwant %+v", r.Headings, want)
	}
	for _, h := range want {
		if !strings.Contains(r.HTML, ` id="`+h.ID+`"`) {
			t.Errorf("id %q not in HTML\n%s", h.ID, r.HTML)
		}
	}

	p := mustRender(t, "# 개요\n# 개요\n", Options{HeadingIDPrefix: "doc 42"})
	if p.Headings[0].ID != "doc-42-개요" || p.Headings[1].ID != "doc-42-개요-1" {
		t.Errorf("prefixed ids: %+v", p.Headings)
	}
	// Decomposed Hangul (as macOS may send it) gets the same anchor.
	nfd := "\u1100\u1162\u110b\u116d"
	if Slug(nfd) != "개요" {
		t.Errorf("Slug(NFD) = %q", Slug(nfd))
	}
}

func TestWikiLinks(t *testing.T) {
	md := "See [[Team handbook]], [[ 온보딩   안내 |입사 안내]] and [[No such page]].\n\nAgain [[Team handbook]]. Not a link: `[[Team handbook]]`, [[]], [[a[b]]."
	r := mustRender(t, md, testOpts)
	for _, want := range []string{
		`<a class="wikilink" href="/kb/doc/0190a1b2-0000-7000-8000-000000000001">Team handbook</a>`,
		`<a class="wikilink" href="/kb/doc/0190a1b2-0000-7000-8000-000000000002">입사 안내</a>`,
		`<span class="wikilink missing" data-title="No such page">No such page</span>`,
		`<code>[[Team handbook]]</code>`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in\n%s", want, r.HTML)
		}
	}
	if want := []string{"Team handbook", "온보딩 안내", "No such page"}; !reflect.DeepEqual(r.Links, want) {
		t.Errorf("links = %q, want %q", r.Links, want)
	}
	// Without a resolver every link is missing, and still reported.
	r = mustRender(t, "[[Team handbook]]", Options{})
	if !strings.Contains(r.HTML, "wikilink missing") || len(r.Links) != 1 {
		t.Errorf("no resolver: %+v", r)
	}
}

func TestMentions(t *testing.T) {
	calls := map[string]int{}
	opts := testOpts
	opts.ResolveMention = func(h string) (string, string, bool) {
		calls[h]++
		return testOpts.ResolveMention(h)
	}
	md := "Hi @kim.minji. @김민지님께 보고하세요. @KIM.MINJI again, @nobody, mail kim@example.com, @channel and @here.\n\n`@kim.minji` in code"
	r := mustRender(t, md, opts)
	for _, want := range []string{
		`Hi <a class="mention" data-user-id="0190a1b2-0000-7000-8000-0000000000a1">@Kim Minji</a>.`,
		`<a class="mention" data-user-id="0190a1b2-0000-7000-8000-0000000000a2">@김민지</a>님께 보고하세요.`,
		`@nobody`,
		`<span class="mention mention-channel">@channel</span>`,
		`<span class="mention mention-here">@here</span>`,
		`<code>@kim.minji</code>`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("missing %s in\n%s", want, r.HTML)
		}
	}
	if strings.Count(r.HTML, `class="mention"`) != 3 {
		t.Errorf("want 3 user mentions:\n%s", r.HTML)
	}
	if want := []string{"0190a1b2-0000-7000-8000-0000000000a1", "0190a1b2-0000-7000-8000-0000000000a2"}; !reflect.DeepEqual(r.Mentions, want) {
		t.Errorf("mentions = %q", r.Mentions)
	}
	if !r.MentionsChannel || !r.MentionsHere {
		t.Error("channel/here flags not set")
	}
	if calls["example.com"] != 0 || calls["channel"] != 0 || calls["kim.minji"] != 1 {
		t.Errorf("resolver calls: %v", calls)
	}
	if calls["김민지님께"] != 1 || calls["김민지님"] != 1 || calls["김민지"] != 1 {
		t.Errorf("particle trimming calls: %v", calls)
	}
}

func TestMentionHandle(t *testing.T) {
	for in, want := range map[string]string{
		"kim.minji.":                  "kim.minji",
		"kim_minji-2,":                "kim_minji-2",
		"김민지님":                        "김민지님",
		"김민지 hello":                   "김민지",
		".dot":                        "",
		"":                            "",
		"ab'cd":                       "ab",
		"x" + strings.Repeat("y", 64): "",
	} {
		if got := MentionHandle([]byte(in)); got != want {
			t.Errorf("MentionHandle(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKoreanEnglishRoundTrip: what people write is what readers see.
func TestKoreanEnglishRoundTrip(t *testing.T) {
	for md, want := range map[string]string{
		"안녕하세요, 세계! Hello **world** — 한국어와 English를 섞은 문서입니다.": "안녕하세요, 세계! Hello world — 한국어와 English를 섞은 문서입니다.",
		"# 회의록 2024-05-01\n":                  "회의록 2024-05-01",
		"- 첫째 항목\n- 둘째 *강조*\n":                "첫째 항목\n둘째 강조",
		"```\n코드 안의 한글 <태그> & \"따옴표\"\n```\n": "코드 안의 한글 <태그> & \"따옴표\"\n",
		"이모지 🎉 and ＡＢＣ full-width, 조합형 아님":    "이모지 🎉 and ＡＢＣ full-width, 조합형 아님",
	} {
		r := mustRender(t, md, Options{})
		if got := strings.TrimSpace(textOf(r.HTML)); got != strings.TrimSpace(want) {
			t.Errorf("text of %q = %q, want %q", md, got, want)
		}
		// Hangul is written as is, not as character references.
		if strings.Contains(r.HTML, "&#") && !strings.Contains(md, "\"") {
			t.Errorf("character references in %s", r.HTML)
		}
	}
}

func TestInputLimit(t *testing.T) {
	if _, err := Render(strings.Repeat("a", MaxInput+1), Options{}); err == nil {
		t.Fatal("oversized input accepted")
	}
}

// Cached code blocks render exactly as fresh ones, and an author cannot
// forge the placeholder that splices them in.
func TestCodeCache(t *testing.T) {
	md := "Text \ue000x.0\ue001 here\n\n```go\nx := 1\n```\n\n- item\n\n  ```sql\n  SELECT 1;\n  ```\n"
	first := mustRender(t, md, Options{})
	second := mustRender(t, md, Options{})
	setCaching(false)
	cold := mustRender(t, md, Options{})
	setCaching(true)
	if first.HTML != second.HTML || first.HTML != cold.HTML {
		t.Fatalf("cached and fresh differ:\n%s\n%s\n%s", first.HTML, second.HTML, cold.HTML)
	}
	if !strings.Contains(first.HTML, "\ue000x.0\ue001") || strings.Count(first.HTML, `class="codeblock"`) != 2 {
		t.Errorf("output:\n%s", first.HTML)
	}
	if strings.Contains(first.HTML, "\ue000") && strings.Count(first.HTML, "\ue000") != 1 {
		t.Errorf("placeholder left in output:\n%s", first.HTML)
	}
}

// A cached result is only reused while the resolvers agree with it.
func TestResultCacheRevalidates(t *testing.T) {
	exists := false
	opts := Options{
		ResolveLink: func(title string) (string, bool) { return "/kb/doc/1", exists },
		ResolveMention: func(h string) (string, string, bool) {
			return "u1", "Kim", exists
		},
	}
	md := "[[Roadmap 2025]] by @kim.minji"
	r1 := mustRender(t, md, opts)
	if !strings.Contains(r1.HTML, "wikilink missing") || len(r1.Mentions) != 0 {
		t.Fatalf("first render: %+v", r1)
	}
	exists = true
	r2 := mustRender(t, md, opts)
	if !strings.Contains(r2.HTML, `href="/kb/doc/1"`) || len(r2.Mentions) != 1 {
		t.Fatalf("render after the page appeared: %+v", r2)
	}
	r3 := mustRender(t, md, opts)
	if r3.HTML != r2.HTML {
		t.Fatal("unchanged answers, different output")
	}
	r3.Mentions[0] = "mutated"
	if r4 := mustRender(t, md, opts); r4.Mentions[0] != "u1" {
		t.Fatal("cached result shared with a caller")
	}
	// The prefix is part of the key.
	if r5 := mustRender(t, "# A", Options{HeadingIDPrefix: "x"}); r5.Headings[0].ID != "x-a" {
		t.Fatalf("prefix: %+v", r5.Headings)
	}
	if r6 := mustRender(t, "# A", Options{HeadingIDPrefix: "y"}); r6.Headings[0].ID != "y-a" {
		t.Fatalf("prefix: %+v", r6.Headings)
	}
}

// Renders share caches; concurrent renders of overlapping documents agree
// with a render on its own (run with -race).
func TestConcurrentRender(t *testing.T) {
	base := benchDocument(20 << 10)
	want := mustRender(t, base, testOpts).HTML
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				md := base
				if (g+i)%2 == 1 {
					md = base + "\n\n추가 " + strconv.Itoa(g*10+i) + "\n"
				}
				r, err := Render(md, testOpts)
				if err != nil {
					t.Error(err)
					return
				}
				if md == base && r.HTML != want {
					t.Error("concurrent render differs")
				}
			}
		}()
	}
	wg.Wait()
}
