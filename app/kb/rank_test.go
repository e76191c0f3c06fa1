package kb

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRankBetweenKnownKeys(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"", "", "a0"},
		{"", "a0", "Zz"},
		{"", "Zz", "Zy"},
		{"a0", "", "a1"},
		{"a1", "", "a2"},
		{"az", "", "b00"},
		{"a0", "a1", "a0V"},
		{"a1", "a2", "a1V"},
		{"a0V", "a1", "a0l"},
		{"Zz", "a0", "ZzV"},
		{"a0", "a0V", "a0G"},
		{"a0", "a0G", "a08"},
		{"b125", "b12A", "b128"},
		{"a5", "a8", "a6"},
	} {
		got := RankBetween(tc.a, tc.b)
		if got != tc.want {
			t.Errorf("RankBetween(%q, %q) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
		if !(tc.a < got && (tc.b == "" || got < tc.b)) || !ValidRank(got) {
			t.Errorf("RankBetween(%q, %q) = %q is not strictly between or not valid", tc.a, tc.b, got)
		}
	}
}

func TestRankBetweenPanicsOnBadBounds(t *testing.T) {
	for _, bounds := range [][2]string{{"a1", "a0"}, {"a0", "a0"}, {"x", ""}, {"", "a10"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic for bounds %q", bounds)
				}
			}()
			RankBetween(bounds[0], bounds[1])
		}()
	}
}

// A list kept in order by random inserts (front, back, anywhere) must stay
// strictly ordered by rank, with every key valid and short.
func TestRankRandomInsertsStayOrdered(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var keys []string
	for i := 0; i < 5000; i++ {
		pos := r.IntN(len(keys) + 1)
		switch i % 7 {
		case 0:
			pos = 0
		case 1:
			pos = len(keys)
		}
		lo, hi := "", ""
		if pos > 0 {
			lo = keys[pos-1]
		}
		if pos < len(keys) {
			hi = keys[pos]
		}
		k := RankBetween(lo, hi)
		if !ValidRank(k) || lo != "" && lo >= k || hi != "" && k >= hi {
			t.Fatalf("insert %d between %q and %q gave %q", i, lo, hi, k)
		}
		keys = slices.Insert(keys, pos, k)
	}
	if !slices.IsSorted(keys) {
		t.Fatal("keys are not sorted")
	}
	if len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Fatal("duplicate keys")
	}
	longest := 0
	for _, k := range keys {
		longest = max(longest, len(k))
	}
	if longest > 12 {
		t.Fatalf("longest key after 5000 random inserts is %d characters", longest)
	}
}

// Appending (the common case: a new document goes last) and prepending
// keep keys logarithmically short.
func TestRankAppendAndPrependStayShort(t *testing.T) {
	last := ""
	for i := 0; i < 100000; i++ {
		k := RankBetween(last, "")
		if last != "" && k <= last {
			t.Fatalf("append %d: %q after %q", i, k, last)
		}
		last = k
	}
	if len(last) > 5 {
		t.Fatalf("after 100000 appends the key is %q", last)
	}
	first := ""
	for i := 0; i < 100000; i++ {
		k := RankBetween("", first)
		if first != "" && k >= first {
			t.Fatalf("prepend %d: %q before %q", i, k, first)
		}
		first = k
	}
	if len(first) > 5 {
		t.Fatalf("after 100000 prepends the key is %q", first)
	}
}

// The worst case: always inserting right after the same key grows keys by
// about one digit per six inserts, and they still order correctly.
func TestRankRepeatedInsertAtSameSpot(t *testing.T) {
	lo := RankBetween("", "")
	hi := RankBetween(lo, "")
	for i := 0; i < 2000; i++ {
		k := RankBetween(lo, hi)
		if !(lo < k && k < hi) || !ValidRank(k) {
			t.Fatalf("step %d: %q not between %q and %q", i, k, lo, hi)
		}
		hi = k
	}
	if len(hi) > 2000/5 {
		t.Fatalf("key grew to %d digits", len(hi))
	}
}

func TestValidRank(t *testing.T) {
	for s, want := range map[string]bool{"a0": true, "a0V": true, "Zz": true, "b00": true, "": false, "a": false,
		"a0V0": false, "a-": false, "한": false, "0": false, smallestInteger: false} {
		if got := ValidRank(s); got != want {
			t.Errorf("ValidRank(%q) = %v", s, got)
		}
	}
}
