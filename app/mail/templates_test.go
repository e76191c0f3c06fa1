package mail

import (
	"strings"
	"testing"
	"time"
)

func TestEveryTemplateRendersInBothLanguages(t *testing.T) {
	at := time.Date(2026, 3, 5, 14, 7, 0, 0, time.UTC)
	data := map[Kind]any{
		KindInvitation: InvitationData{InviterName: "김민지", Role: "admin", Link: "https://n.example/invite/TOKEN", ExpiresAt: at},
		KindPasswordReset: PasswordResetData{Name: "Kim", Email: "kim@example.com", Link: "https://n.example/reset-password?token=TOKEN",
			ValidFor: 30 * time.Minute},
		KindEmailChanged:    EmailChangedData{Name: "Kim", OldEmail: "old@example.com", NewEmail: "new@example.com", At: at},
		KindPasswordChanged: PasswordChangedData{Name: "Kim", Email: "kim@example.com", At: at, SessionsEnded: true},
	}
	want := map[string][]string{
		"invitation.en":       {"Accept the invitation", "as an administrator", "March 5, 2026 23:07 KST", "TOKEN"},
		"invitation.ko":       {"관리자 역할로", "2026년 3월 5일 23:07 (KST)", "TOKEN"},
		"password_reset.en":   {"for 30 minutes", "TOKEN", "kim@example.com"},
		"password_reset.ko":   {"30분 동안", "TOKEN"},
		"email_changed.en":    {"old@example.com to new@example.com"},
		"email_changed.ko":    {"old@example.com에서 new@example.com(으)로"},
		"password_changed.en": {"was changed", "signed out"},
		"password_changed.ko": {"변경되었습니다", "로그아웃되었습니다"},
	}
	for _, k := range kinds {
		for _, lang := range languages {
			key := string(k) + "." + lang
			subject, text, html, err := render(k, lang, "Asia/Seoul", data[k])
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if subject == "" || strings.Contains(subject, "\n") {
				t.Errorf("%s: subject %q", key, subject)
			}
			for _, s := range []string{text, html} {
				if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
					t.Errorf("%s: unfilled template:\n%s", key, s)
				}
			}
			for _, w := range want[key] {
				if !strings.Contains(text, w) {
					t.Errorf("%s: text lacks %q:\n%s", key, w, text)
				}
			}
			if !strings.Contains(html, `<html lang="`+lang+`">`) || !strings.Contains(html, "<title>"+subject+"</title>") {
				t.Errorf("%s: html head:\n%s", key, html)
			}
		}
	}
}

func TestTemplatesEscapeHTMLAndFoldSubjects(t *testing.T) {
	subject, text, html, err := render(KindInvitation, "en", "", InvitationData{InviterName: "Eve <script>alert(1)</script>\r\nBcc: x@evil.example",
		Role: "member", Link: "javascript:alert(1)", ExpiresAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(subject, "\r\n") {
		t.Fatalf("subject keeps line breaks: %q", subject)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Fatalf("html does not escape the name:\n%s", html)
	}
	if strings.Contains(html, `href="javascript:`) {
		t.Fatalf("html keeps a javascript: link:\n%s", html)
	}
	if !strings.Contains(text, "<script>") {
		t.Fatal("plain text should carry the name as written")
	}
	// An unknown language falls back to English; an unknown zone to UTC.
	if lang := normalizeLanguage("fr"); lang != "en" {
		t.Fatalf("fr → %s", lang)
	}
	if _, text, _, _ := render(KindPasswordChanged, "en", "Nowhere/Else", PasswordChangedData{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); !strings.Contains(text, "00:00 UTC") {
		t.Fatalf("unknown zone:\n%s", text)
	}
}
