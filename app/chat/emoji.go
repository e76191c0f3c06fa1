package chat

import (
	"regexp"
	"unicode/utf8"
)

var shortcodePattern = regexp.MustCompile(`^:[a-z0-9_+\-]{1,50}:$`)

// ValidEmoji reports whether s is one reaction: a :shortcode: (custom or
// named emoji, lower case) or a single emoji as typed — one grapheme made
// of emoji code points, variation selectors, skin-tone modifiers,
// zero-width joiners, a keycap, a flag pair or a tag sequence. Anything
// else (text, several emoji, markup) is refused, so a reaction can never
// carry a message of its own.
func ValidEmoji(s string) bool {
	if shortcodePattern.MatchString(s) {
		return true
	}
	if s == "" || len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	rs := []rune(s)
	// Keycaps: 0-9 # * [FE0F] 20E3.
	if isKeycapBase(rs[0]) {
		rest := rs[1:]
		if len(rest) > 0 && rest[0] == 0xFE0F {
			rest = rest[1:]
		}
		return len(rest) == 1 && rest[0] == 0x20E3
	}
	// Flags: exactly two regional indicators.
	if isRegional(rs[0]) {
		return len(rs) == 2 && isRegional(rs[1])
	}
	// Subdivision flags: black flag, tag letters, cancel tag.
	if rs[0] == 0x1F3F4 && len(rs) > 2 && rs[len(rs)-1] == 0xE007F {
		for _, r := range rs[1 : len(rs)-1] {
			if r < 0xE0020 || r > 0xE007E {
				return false
			}
		}
		return true
	}
	// Emoji (ZWJ emoji)*, each with optional modifiers.
	want := true // expecting an emoji base
	for _, r := range rs {
		switch {
		case want:
			if !isEmojiBase(r) {
				return false
			}
			want = false
		case r == 0xFE0F || r == 0xFE0E || isSkinTone(r):
			// modifiers of the previous base
		case r == 0x200D:
			want = true
		default:
			return false
		}
	}
	return !want
}

func isKeycapBase(r rune) bool { return r >= '0' && r <= '9' || r == '#' || r == '*' }

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

func isSkinTone(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// isEmojiBase is a generous approximation of Extended_Pictographic: the
// emoji blocks plus the older symbols that have emoji presentations.
func isEmojiBase(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF && !isSkinTone(r) && !isRegional(r):
		return true
	case r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x2190 && r <= 0x21FF, r >= 0x25A0 && r <= 0x25FF, r >= 0x2900 && r <= 0x297F:
		return true
	}
	switch r {
	case 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299:
		return true
	}
	return false
}
