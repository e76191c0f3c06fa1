package kb

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Diff operations.
const (
	OpEqual  = "equal"
	OpInsert = "insert"
	OpDelete = "delete"
)

// DiffLine is one line of a line-level diff. A changed line appears as a
// deleted line followed (after the other deleted lines of its hunk) by its
// inserted replacement; both then carry Words, the word-level diff inside
// the line: the deleted line's Words are equal and deleted spans, the
// inserted line's equal and inserted spans.
type DiffLine struct {
	Op      string     `json:"op"`
	Text    string     `json:"text"`
	OldLine int        `json:"old_line,omitempty"` // 1-based line in the older text; 0 for inserted lines
	NewLine int        `json:"new_line,omitempty"` // 1-based line in the newer text; 0 for deleted lines
	Words   []DiffSpan `json:"words,omitempty"`
}

// DiffSpan is a run of words with one operation.
type DiffSpan struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// DiffStats counts changed lines.
type DiffStats struct {
	Insertions int `json:"insertions"`
	Deletions  int `json:"deletions"`
}

// DiffText compares two texts line by line (Myers' algorithm), then each
// changed line word by word.
func DiffText(from, to string) ([]DiffLine, DiffStats) {
	a, b := splitLines(from), splitLines(to)
	edits := diffTokens(a, b)
	out := make([]DiffLine, 0, len(edits))
	var stats DiffStats
	oldN, newN := 0, 0
	for i := 0; i < len(edits); {
		if edits[i].op == '=' {
			oldN++
			newN++
			out = append(out, DiffLine{Op: OpEqual, Text: a[edits[i].a], OldLine: oldN, NewLine: newN})
			i++
			continue
		}
		// A hunk: the deletions and insertions up to the next equal line.
		j := i
		var dels, ins []int
		for ; j < len(edits) && edits[j].op != '='; j++ {
			if edits[j].op == '-' {
				dels = append(dels, edits[j].a)
			} else {
				ins = append(ins, edits[j].b)
			}
		}
		delLines := make([]DiffLine, len(dels))
		for k, ai := range dels {
			oldN++
			delLines[k] = DiffLine{Op: OpDelete, Text: a[ai], OldLine: oldN}
		}
		insLines := make([]DiffLine, len(ins))
		for k, bi := range ins {
			newN++
			insLines[k] = DiffLine{Op: OpInsert, Text: b[bi], NewLine: newN}
		}
		// Pair the hunk's lines in order: the k-th deleted line was most
		// likely edited into the k-th inserted one.
		for k := 0; k < len(dels) && k < len(ins); k++ {
			delLines[k].Words, insLines[k].Words = diffWords(delLines[k].Text, insLines[k].Text)
		}
		out = append(out, delLines...)
		out = append(out, insLines...)
		stats.Deletions += len(dels)
		stats.Insertions += len(ins)
		i = j
	}
	return out, stats
}

// splitLines splits text into lines; a final newline does not start an
// empty last line.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffWords is the word-level diff of one changed line: spans for the old
// line (equal and delete) and for the new line (equal and insert).
func diffWords(from, to string) (old, new []DiffSpan) {
	a, b := splitWords(from), splitWords(to)
	for _, e := range diffTokens(a, b) {
		switch e.op {
		case '=':
			old = appendSpan(old, OpEqual, a[e.a])
			new = appendSpan(new, OpEqual, b[e.b])
		case '-':
			old = appendSpan(old, OpDelete, a[e.a])
		case '+':
			new = appendSpan(new, OpInsert, b[e.b])
		}
	}
	return old, new
}

func appendSpan(spans []DiffSpan, op, text string) []DiffSpan {
	if n := len(spans); n > 0 && spans[n-1].Op == op {
		spans[n-1].Text += text
		return spans
	}
	return append(spans, DiffSpan{Op: op, Text: text})
}

// splitWords cuts a line into words (runs of letters, digits and marks:
// English words and Korean eojeol alike), runs of spaces, and single
// punctuation characters. Concatenated, the tokens are the line.
func splitWords(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		class := wordClass(r)
		j := i + size
		if class != 0 {
			for j < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[j:])
				if wordClass(r2) != class {
					break
				}
				j += size2
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// wordClass: 1 word character, 2 space, 0 anything else (a token alone).
func wordClass(r rune) int {
	switch {
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_':
		return 1
	case unicode.IsSpace(r):
		return 2
	}
	return 0
}

// edit is one step of a diff: '=' keeps a[a] (== b[b]), '-' deletes a[a],
// '+' inserts b[b].
type edit struct {
	op   byte
	a, b int
}

// diffTokens is Myers' O((N+M)D) difference algorithm in its linear-space
// form: find the middle snake of an optimal path, then solve both halves.
func diffTokens(a, b []string) []edit {
	d := &differ{a: a, b: b}
	d.compare(0, len(a), 0, len(b))
	return d.out
}

type differ struct {
	a, b   []string
	out    []edit
	vf, vb []int
}

func (d *differ) compare(aLo, aHi, bLo, bHi int) {
	for aLo < aHi && bLo < bHi && d.a[aLo] == d.b[bLo] {
		d.out = append(d.out, edit{'=', aLo, bLo})
		aLo++
		bLo++
	}
	suffix := 0
	for aLo < aHi-suffix && bLo < bHi-suffix && d.a[aHi-1-suffix] == d.b[bHi-1-suffix] {
		suffix++
	}
	aHi, bHi = aHi-suffix, bHi-suffix
	switch {
	case aLo == aHi:
		for j := bLo; j < bHi; j++ {
			d.out = append(d.out, edit{'+', aLo, j})
		}
	case bLo == bHi:
		for i := aLo; i < aHi; i++ {
			d.out = append(d.out, edit{'-', i, bLo})
		}
	default:
		x0, y0, x1, y1 := d.middleSnake(aLo, aHi, bLo, bHi)
		if x0 == aLo && y0 == bLo && x1 == aHi && y1 == bHi || x0 == aHi && y0 == bHi {
			// Cannot happen for a correct middle snake; guard against
			// endless recursion all the same.
			for i := aLo; i < aHi; i++ {
				d.out = append(d.out, edit{'-', i, bLo})
			}
			for j := bLo; j < bHi; j++ {
				d.out = append(d.out, edit{'+', aHi, j})
			}
			break
		}
		d.compare(aLo, x0, bLo, y0)
		for x, y := x0, y0; x < x1; x, y = x+1, y+1 {
			d.out = append(d.out, edit{'=', x, y})
		}
		d.compare(x1, aHi, y1, bHi)
	}
	for k := 0; k < suffix; k++ {
		d.out = append(d.out, edit{'=', aHi + k, bHi + k})
	}
}

// middleSnake returns the start and end of the middle snake of an optimal
// edit path from (aLo, bLo) to (aHi, bHi), searching forward from the start
// and backward from the end until the two searches overlap.
func (d *differ) middleSnake(aLo, aHi, bLo, bHi int) (x0, y0, x1, y1 int) {
	n, m := aHi-aLo, bHi-bLo
	limit := (n + m + 1) / 2
	delta := n - m
	odd := delta&1 != 0
	off := limit + 1
	size := 2*limit + 3
	if cap(d.vf) < size {
		d.vf, d.vb = make([]int, size), make([]int, size)
	}
	vf, vb := d.vf[:size], d.vb[:size]
	for i := range vf {
		vf[i], vb[i] = 0, 0
	}
	a, b := d.a, d.b
	for dd := 0; dd <= limit; dd++ {
		// Forward: furthest x reached on each diagonal k = x - y.
		for k := -dd; k <= dd; k += 2 {
			var x int
			if k == -dd || k != dd && vf[off+k-1] < vf[off+k+1] {
				x = vf[off+k+1]
			} else {
				x = vf[off+k-1] + 1
			}
			y := x - k
			sx, sy := x, y
			for x < n && y < m && a[aLo+x] == b[bLo+y] {
				x++
				y++
			}
			vf[off+k] = x
			// Reverse diagonal delta-k was explored to depth dd-1.
			if odd && k >= delta-(dd-1) && k <= delta+(dd-1) && x+vb[off+delta-k] >= n {
				return aLo + sx, bLo + sy, aLo + x, bLo + y
			}
		}
		// Backward: furthest distance from the end on each diagonal.
		for k := -dd; k <= dd; k += 2 {
			var x int
			if k == -dd || k != dd && vb[off+k-1] < vb[off+k+1] {
				x = vb[off+k+1]
			} else {
				x = vb[off+k-1] + 1
			}
			y := x - k
			sx, sy := x, y
			for x < n && y < m && a[aHi-1-x] == b[bHi-1-y] {
				x++
				y++
			}
			vb[off+k] = x
			if !odd && k >= delta-dd && k <= delta+dd && x+vf[off+delta-k] >= n {
				return aHi - x, bHi - y, aHi - sx, bHi - sy
			}
		}
	}
	// Unreachable: the searches always meet by depth (n+m+1)/2.
	return aLo, bLo, aHi, bHi
}
