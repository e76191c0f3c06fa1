package render

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchDocument builds size bytes of realistic knowledge-base markdown:
// mixed Korean and English prose, headings, nested lists, task lists,
// tables, fenced code in several languages, links, wiki links and mentions.
// It is deterministic so runs compare.
func benchDocument(size int) string {
	rnd := rand.New(rand.NewPCG(4, 2))
	ko := []string{"이 문서는 팀의 배포 절차를 설명합니다.", "변경 사항은 반드시 코드 리뷰를 거쳐야 합니다.",
		"장애가 발생하면 온콜 담당자에게 먼저 연락하세요.", "데이터베이스 마이그레이션은 업무 시간 외에 진행합니다.",
		"자세한 내용은 [[Team handbook]]을 참고하세요.", "@김민지님께 검토를 요청했습니다.",
		"서비스 상태는 **대시보드**에서 확인할 수 있고, `nexus doctor` 명령으로 점검합니다.", "로그는 30일 동안 보관됩니다."}
	en := []string{"This page describes how we ship releases.", "Every change needs a review from @kim.minji or another owner.",
		"Rollbacks are cheap; prefer them to hot fixes under pressure.", "See the [runbook](https://example.com/runbook) for details.",
		"Metrics are scraped every *15 seconds* and kept for ~~a week~~ a month.", "Ask in #ops if unsure, or read [[온보딩 안내]].",
		"The `config.yaml` file lists every key with its default.", "Visit https://status.example.com for the public status."}
	code := []string{
		"```go\nfunc (s *Service) Publish(ctx context.Context, id string) error {\n\tdoc, err := s.store.Find(ctx, id)\n\tif err != nil {\n\t\treturn fmt.Errorf(\"find %s: %w\", id, err)\n\t}\n\treturn s.store.Update(ctx, doc)\n}\n```\n",
		"```sql\nSELECT d.id, d.title, count(*) AS n\nFROM documents d JOIN versions v ON v.document_id = d.id\nWHERE d.space_id = ? AND d.deleted_at IS NULL\nGROUP BY d.id ORDER BY n DESC LIMIT 20;\n```\n",
		"```yaml\nserver:\n  addr: 127.0.0.1:8080\n  body_limit: 8MiB\nkb:\n  attachment_max_size: 25MiB # 첨부 파일 최대 크기\n```\n",
		"```ts\nexport async function load(id: string): Promise<Doc> {\n  const res = await fetch(`/api/v1/documents/${id}`);\n  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n  return (await res.json()) as Doc;\n}\n```\n",
		"```bash\nnexus backup --data /var/lib/nexus --out /backup/nexus-$(date +%F).tar\nsystemctl restart nexus\n```\n",
	}
	pick := func(s []string) string { return s[rnd.IntN(len(s))] }
	var b strings.Builder
	for sec := 1; b.Len() < size; sec++ {
		fmt.Fprintf(&b, "## %d. %s\n\n", sec, pick([]string{"배포 절차", "Release process", "장애 대응 On-call", "데이터 보관", "Architecture 개요"}))
		for p := 0; p < 3; p++ {
			for s := 0; s < 4; s++ {
				if rnd.IntN(2) == 0 {
					b.WriteString(pick(ko) + " ")
				} else {
					b.WriteString(pick(en) + " ")
				}
			}
			b.WriteString("\n\n")
		}
		fmt.Fprintf(&b, "### 체크리스트 %d\n\n- [x] %s\n- [ ] %s\n  - %s\n  - %s\n1. %s\n2. %s\n\n", sec, pick(ko), pick(en), pick(en), pick(ko), pick(ko), pick(en))
		if sec%2 == 0 {
			b.WriteString("| 항목 | Owner | 상태 | Notes |\n|:--|:--:|--:|---|\n")
			for r := 0; r < 6; r++ {
				fmt.Fprintf(&b, "| 서버 %d | @kim.minji | %s | %s |\n", r, pick([]string{"완료", "진행 중", "blocked"}), pick(en))
			}
			b.WriteString("\n")
		}
		b.WriteString(pick(code) + "\n")
		b.WriteString("> " + pick(ko) + " " + pick(en) + "\n\n")
	}
	return b.String()
}

// BenchmarkRender100KB renders a document that was just edited (one
// paragraph differs on every run, as in live preview or a new version):
// the parse and render are done in full, unchanged code blocks and
// top-level blocks come from their caches.
func BenchmarkRender100KB(b *testing.B) { benchRender(b, "edited") }

// BenchmarkRender100KBUnchanged renders the same document again (page
// views): the result cache answers after re-asking the resolvers.
func BenchmarkRender100KBUnchanged(b *testing.B) { benchRender(b, "unchanged") }

// BenchmarkRender100KBCold renders with every cache off, as the first view
// of a document after a restart does.
func BenchmarkRender100KBCold(b *testing.B) { benchRender(b, "cold") }

func benchRender(b *testing.B, mode string) {
	setCaching(mode != "cold")
	defer setCaching(true)
	base := benchDocument(100 << 10)
	doc := func(i int) string {
		if mode != "edited" {
			return base
		}
		// An edit in the middle of the document.
		mid := strings.Index(base[len(base)/2:], "\n\n") + len(base)/2
		return base[:mid] + " 수정 " + strconv.Itoa(i) + base[mid:]
	}
	if _, err := Render(doc(-1), testOpts); err != nil { // warm the caches
		b.Fatal(err)
	}
	b.SetBytes(int64(len(base)))
	samples := make([]time.Duration, 0, max(b.N, 200))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := doc(i)
		start := time.Now()
		if _, err := Render(d, testOpts); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	b.StopTimer()
	if b.N == 1 {
		return // the probe run; no percentiles from it
	}
	// A percentile needs enough samples whatever b.N was.
	for i := b.N; len(samples) < 200; i++ {
		d := doc(i)
		start := time.Now()
		if _, err := Render(d, testOpts); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	slices.Sort(samples)
	p := func(q float64) float64 {
		return float64(samples[int(q*float64(len(samples)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
	b.ReportMetric(p(0.99), "p99-ms")
}

// TestBenchDocument keeps the benchmark honest: its input is the size it
// claims and renders to something safe with every feature in it.
func TestBenchDocument(t *testing.T) {
	doc := benchDocument(100 << 10)
	if len(doc) < 100<<10 || len(doc) > 110<<10 {
		t.Fatalf("benchmark document is %d bytes", len(doc))
	}
	r := mustRender(t, doc, testOpts)
	for _, want := range []string{"<table>", `class="chroma"`, `class="wikilink"`, `class="mention"`, "<blockquote>", "task-list-item"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("benchmark output lacks %s", want)
		}
	}
}

// BenchmarkRenderChatMessage renders one-line chat messages, each new (as
// every posted message is): plain ones take the fast path (plain.go), the
// others the full pipeline.
func BenchmarkRenderChatMessage(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"plain", "회의는 3시에 시작합니다, see you there"},
		{"markdown", "회의는 **3시**에 시작합니다, see `#ops`"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := Render(c.text+" "+strconv.Itoa(i), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
