package kb

import "strings"

// Ranks order siblings in the document tree. A rank is a fractional index
// (the scheme of rocicorp's fractional-indexing, after Figma's): a string
// compared byte by byte, so a key can always be made between any two others.
// Moving a document rewrites its own rank only, and the tree never needs to
// be renumbered.
//
// A key is an integer part and a fraction. The integer part's first
// character gives its length ('a' two characters, 'b' three, … and 'Z', 'Y',
// … for the negative side), the rest are base-62 digits; appending after
// the last key or before the first increments or decrements the integer,
// so n appends make keys of about log62(n) digits. Inserting between two
// neighbours takes the midpoint of their fractions, about one digit more
// per six insertions at the very same spot. Fractions never end in the
// smallest digit '0', which is what keeps room below every key.
const rankDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// smallestInteger is the lowest integer part; nothing can come before it
// except through a fraction.
const smallestInteger = "A" + "0000000000000000000000000"

func rankDigit(c byte) int { return strings.IndexByte(rankDigits, c) }

func integerLength(head byte) int {
	switch {
	case head >= 'a' && head <= 'z':
		return int(head-'a') + 2
	case head >= 'A' && head <= 'Z':
		return int('Z'-head) + 2
	}
	return 0
}

func integerPart(key string) (string, bool) {
	if key == "" {
		return "", false
	}
	n := integerLength(key[0])
	if n == 0 || n > len(key) {
		return "", false
	}
	return key[:n], true
}

// ValidRank reports whether s is a rank this package could have made.
func ValidRank(s string) bool {
	if s == smallestInteger {
		return false
	}
	i, ok := integerPart(s)
	if !ok {
		return false
	}
	for k := 1; k < len(s); k++ {
		if rankDigit(s[k]) < 0 {
			return false
		}
	}
	f := s[len(i):]
	return f == "" || f[len(f)-1] != '0'
}

// FirstRank is the rank of the first child of an empty parent.
const FirstRank = "a0"

// RankBetween returns a rank strictly between a and b. An empty a means "no
// lower bound" (before every sibling) and an empty b "no upper bound" (after
// every sibling). Both must be valid and a must sort before b; RankBetween
// panics otherwise, since the tree would be corrupt.
func RankBetween(a, b string) string {
	if a != "" && !ValidRank(a) || b != "" && !ValidRank(b) {
		panic("kb: invalid rank " + a + " / " + b)
	}
	if a != "" && b != "" && a >= b {
		panic("kb: rank bounds out of order: " + a + " >= " + b)
	}
	switch {
	case a == "" && b == "":
		return FirstRank
	case a == "":
		ib, _ := integerPart(b)
		fb := b[len(ib):]
		if ib == smallestInteger {
			return ib + rankMidpoint("", fb)
		}
		if ib < b {
			return ib
		}
		return decrementInteger(ib)
	case b == "":
		ia, _ := integerPart(a)
		fa := a[len(ia):]
		if i := incrementInteger(ia); i != "" {
			return i
		}
		return ia + rankMidpoint(fa, "")
	}
	ia, _ := integerPart(a)
	fa := a[len(ia):]
	ib, _ := integerPart(b)
	fb := b[len(ib):]
	if ia == ib {
		return ia + rankMidpoint(fa, fb)
	}
	if i := incrementInteger(ia); i != "" && i < b {
		return i
	}
	return ia + rankMidpoint(fa, "")
}

// rankMidpoint returns a fraction strictly between fractions a and b (b
// empty: no upper bound): skip the common prefix, then take the middle
// digit, descending one position when the two digits are adjacent.
func rankMidpoint(a, b string) string {
	if b != "" {
		n := 0
		for n < len(b) && rankAt(a, n) == b[n] {
			n++
		}
		if n > 0 {
			rest := ""
			if n < len(a) {
				rest = a[n:]
			}
			return b[:n] + rankMidpoint(rest, b[n:])
		}
	}
	da := 0
	if a != "" {
		da = rankDigit(a[0])
	}
	db := len(rankDigits)
	if b != "" {
		db = rankDigit(b[0])
	}
	if db-da > 1 {
		return string(rankDigits[(da+db+1)/2])
	}
	// Adjacent digits: b's first digit alone is between a and b when b has
	// more digits; otherwise keep a's digit and go one position deeper.
	if len(b) > 1 {
		return b[:1]
	}
	rest := ""
	if len(a) > 1 {
		rest = a[1:]
	}
	return string(rankDigits[da]) + rankMidpoint(rest, "")
}

func rankAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return '0'
}

// incrementInteger returns the next integer part, or "" past the largest.
func incrementInteger(x string) string {
	head, digs := x[0], []byte(x[1:])
	carry := true
	for i := len(digs) - 1; carry && i >= 0; i-- {
		d := rankDigit(digs[i]) + 1
		if d == len(rankDigits) {
			digs[i] = rankDigits[0]
		} else {
			digs[i] = rankDigits[d]
			carry = false
		}
	}
	if !carry {
		return string(head) + string(digs)
	}
	switch head {
	case 'Z':
		return "a" + string(rankDigits[0])
	case 'z':
		return ""
	}
	h := head + 1
	if h > 'a' {
		digs = append(digs, rankDigits[0])
	} else {
		digs = digs[:len(digs)-1]
	}
	return string(h) + string(digs)
}

// decrementInteger returns the previous integer part, or "" below the
// smallest.
func decrementInteger(x string) string {
	head, digs := x[0], []byte(x[1:])
	borrow := true
	for i := len(digs) - 1; borrow && i >= 0; i-- {
		d := rankDigit(digs[i]) - 1
		if d == -1 {
			digs[i] = rankDigits[len(rankDigits)-1]
		} else {
			digs[i] = rankDigits[d]
			borrow = false
		}
	}
	if !borrow {
		return string(head) + string(digs)
	}
	switch head {
	case 'a':
		return "Z" + string(rankDigits[len(rankDigits)-1])
	case 'A':
		return ""
	}
	h := head - 1
	if h < 'Z' {
		digs = append(digs, rankDigits[len(rankDigits)-1])
	} else {
		digs = digs[:len(digs)-1]
	}
	return string(h) + string(digs)
}
