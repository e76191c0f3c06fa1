package chat

import "testing"

func TestValidEmoji(t *testing.T) {
	for _, ok := range []string{"👍", "❤️", "❤", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇰🇷", "1️⃣", "#⃣", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
		"☕", "✅", ":thumbsup:", ":party_parrot:", ":+1:", ":k-pop:"} {
		if !ValidEmoji(ok) {
			t.Errorf("ValidEmoji(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", "a", "좋아요", "ㅋ", "👍👍", "👍a", "🇰", "🇰🇷🇯🇵", "1", "‍👍", "👍‍", ":Thumbs:", ": x:", "::",
		"<script>", "👍 ", "\u200d", "🏽"} {
		if ValidEmoji(bad) {
			t.Errorf("ValidEmoji(%q) = true", bad)
		}
	}
}

func TestNotificationRules(t *testing.T) {
	kinds := []string{NotifyKindMention, NotifyKindChannel, NotifyKindHere, NotifyKindDM, NotifyKindReply}
	for _, c := range []struct {
		target NotifyTarget
		want   string // one letter per kind above: y/n
	}{
		{NotifyTarget{}, "yyyyy"},
		{NotifyTarget{Default: NotifyAll}, "yyyyy"},
		{NotifyTarget{Default: NotifyMentions}, "yyyyn"},
		{NotifyTarget{Default: NotifyNone}, "nnnnn"},
		{NotifyTarget{Default: NotifyNone, Notify: NotifyAll}, "yyyyy"},
		{NotifyTarget{Default: NotifyAll, Notify: NotifyNone}, "nnnnn"},
		{NotifyTarget{Muted: true}, "ynnnn"},
		{NotifyTarget{Muted: true, Notify: NotifyNone}, "nnnnn"},
	} {
		got := ""
		for _, k := range kinds {
			if allows(c.target, k) {
				got += "y"
			} else {
				got += "n"
			}
		}
		if got != c.want {
			t.Errorf("%+v: %s, want %s", c.target, got, c.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"  안녕하세요\n\n  여러분  ":    "안녕하세요 여러분",
		"":                      "",
		string(make([]rune, 0)): "",
	} {
		if got := Excerpt(in); got != want {
			t.Errorf("Excerpt(%q) = %q, want %q", in, got, want)
		}
	}
	long := ""
	for range 200 {
		long += "가"
	}
	if got := []rune(Excerpt(long)); len(got) != 141 || got[140] != '…' {
		t.Errorf("long excerpt has %d runes", len(got))
	}
}
