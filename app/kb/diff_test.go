package kb

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestDiffTextKnownPair(t *testing.T) {
	from := "# 회의록\n참석자: 김민지, 이서연\nThe quick brown fox\n끝\n"
	to := "# 회의록\n참석자: 김민지, 박지훈\nThe quick red fox jumps\nNew line\n끝\n"
	lines, stats := DiffText(from, to)
	want := []DiffLine{
		{Op: OpEqual, Text: "# 회의록", OldLine: 1, NewLine: 1},
		{Op: OpDelete, Text: "참석자: 김민지, 이서연", OldLine: 2, Words: []DiffSpan{{OpEqual, "참석자: 김민지, "}, {OpDelete, "이서연"}}},
		{Op: OpDelete, Text: "The quick brown fox", OldLine: 3, Words: []DiffSpan{{OpEqual, "The quick "}, {OpDelete, "brown"}, {OpEqual, " fox"}}},
		{Op: OpInsert, Text: "참석자: 김민지, 박지훈", NewLine: 2, Words: []DiffSpan{{OpEqual, "참석자: 김민지, "}, {OpInsert, "박지훈"}}},
		{Op: OpInsert, Text: "The quick red fox jumps", NewLine: 3, Words: []DiffSpan{{OpEqual, "The quick "}, {OpInsert, "red"}, {OpEqual, " fox"}, {OpInsert, " jumps"}}},
		{Op: OpInsert, Text: "New line", NewLine: 4},
		{Op: OpEqual, Text: "끝", OldLine: 4, NewLine: 5},
	}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("diff =\n%+v\nwant\n%+v", lines, want)
	}
	if stats != (DiffStats{Insertions: 3, Deletions: 2}) {
		t.Fatalf("stats = %+v", stats)
	}
}

func TestDiffTextIdenticalAndEmpty(t *testing.T) {
	lines, stats := DiffText("a\nb", "a\nb")
	if len(lines) != 2 || stats != (DiffStats{}) || lines[0].Op != OpEqual || lines[1].Op != OpEqual {
		t.Fatalf("identical: %+v %+v", lines, stats)
	}
	lines, stats = DiffText("", "x\ny")
	if len(lines) != 2 || stats.Insertions != 2 || lines[0].Words != nil {
		t.Fatalf("from empty: %+v %+v", lines, stats)
	}
	lines, stats = DiffText("x\ny", "")
	if len(lines) != 2 || stats.Deletions != 2 {
		t.Fatalf("to empty: %+v %+v", lines, stats)
	}
}

func TestSplitWordsKeepsText(t *testing.T) {
	for _, s := range []string{"Hello, 세계! foo_bar  baz", "", "   ", "한국어 문장입니다.", "é́ combining"} {
		if got := strings.Join(splitWords(s), ""); got != s {
			t.Errorf("splitWords(%q) joins to %q", s, got)
		}
	}
	if got := splitWords("안녕 하세요, world"); !reflect.DeepEqual(got, []string{"안녕", " ", "하세요", ",", " ", "world"}) {
		t.Errorf("splitWords = %q", got)
	}
}

// The edit script must turn a into b, and be minimal: compare its length
// with a quadratic LCS on random inputs.
func TestDiffTokensIsMinimalAndCorrect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "b", "c", "d"}
	for iter := 0; iter < 2000; iter++ {
		a := make([]string, r.IntN(14))
		b := make([]string, r.IntN(14))
		for i := range a {
			a[i] = alphabet[r.IntN(len(alphabet))]
		}
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		edits := diffTokens(a, b)
		var gotA, gotB []string
		changes := 0
		ai, bi := 0, 0
		for _, e := range edits {
			switch e.op {
			case '=':
				if e.a != ai || e.b != bi || a[e.a] != b[e.b] {
					t.Fatalf("%q → %q: bad equal %+v", a, b, e)
				}
				gotA, gotB = append(gotA, a[e.a]), append(gotB, b[e.b])
				ai++
				bi++
			case '-':
				if e.a != ai {
					t.Fatalf("%q → %q: delete out of order %+v", a, b, e)
				}
				gotA = append(gotA, a[e.a])
				ai++
				changes++
			case '+':
				if e.b != bi {
					t.Fatalf("%q → %q: insert out of order %+v", a, b, e)
				}
				gotB = append(gotB, b[e.b])
				bi++
				changes++
			}
		}
		if !reflect.DeepEqual(gotA, a) && len(a) > 0 || !reflect.DeepEqual(gotB, b) && len(b) > 0 {
			t.Fatalf("%q → %q: script covers %q → %q", a, b, gotA, gotB)
		}
		if want := len(a) + len(b) - 2*lcs(a, b); changes != want {
			t.Fatalf("%q → %q: %d changes, minimal is %d", a, b, changes, want)
		}
	}
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

func BenchmarkDiffText(b *testing.B) {
	var from, to strings.Builder
	for i := 0; i < 5000; i++ {
		line := strings.Repeat("문서 내용 line ", 5)
		from.WriteString(line + "\n")
		if i%50 == 0 {
			to.WriteString("changed " + line + "\n")
		} else {
			to.WriteString(line + "\n")
		}
	}
	b.ResetTimer()
	for b.Loop() {
		DiffText(from.String(), to.String())
	}
}
