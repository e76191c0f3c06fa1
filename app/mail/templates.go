package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// Data of each kind of message. Email is the recipient's address.

// InvitationData fills an invitation.
type InvitationData struct {
	InviterName string
	Role        string // owner, admin, member, guest
	Link        string
	ExpiresAt   time.Time
}

// PasswordResetData fills a password reset message.
type PasswordResetData struct {
	Name     string
	Email    string
	Link     string
	ValidFor time.Duration
}

// EmailChangedData fills the notice sent to the old address.
type EmailChangedData struct {
	Name     string
	OldEmail string
	NewEmail string
	At       time.Time
}

// PasswordChangedData fills the notice sent after a password change or
// reset.
type PasswordChangedData struct {
	Name  string
	Email string
	At    time.Time
	// Reset is true when the password was set with a reset link.
	Reset bool
	// SessionsEnded is true when other sessions were signed out.
	SessionsEnded bool
}

// Templates: templates/<kind>.<lang>.txt defines "subject" and "text";
// templates/<kind>.<lang>.html defines "body", which layout.html wraps. The
// HTML is rendered with html/template, so names and addresses are escaped.
//
//go:embed templates/*.txt templates/*.html
var templateFiles embed.FS

var (
	kinds     = []Kind{KindInvitation, KindPasswordReset, KindEmailChanged, KindPasswordChanged}
	languages = []string{"en", "ko"}

	textTemplates = map[string]*texttemplate.Template{}
	htmlTemplates = map[string]*htmltemplate.Template{}
)

// The functions are placeholders for parsing; render binds them to the
// recipient's language and time zone.
var parseFuncs = map[string]any{
	"when":    func(time.Time) string { return "" },
	"role":    func(string) string { return "" },
	"minutes": func(time.Duration) int { return 0 },
}

func init() {
	for _, k := range kinds {
		for _, lang := range languages {
			key := string(k) + "." + lang
			t := texttemplate.Must(texttemplate.New(key).Funcs(parseFuncs).ParseFS(templateFiles, "templates/"+key+".txt"))
			for _, name := range []string{"subject", "text"} {
				if t.Lookup(name) == nil {
					panic(fmt.Sprintf("mail template %s.txt does not define %q", key, name))
				}
			}
			textTemplates[key] = t
			h := htmltemplate.Must(htmltemplate.New(key).Funcs(parseFuncs).ParseFS(templateFiles,
				"templates/layout.html", "templates/"+key+".html"))
			if h.Lookup("body") == nil {
				panic(fmt.Sprintf("mail template %s.html does not define \"body\"", key))
			}
			htmlTemplates[key] = h
		}
	}
}

// render writes the subject, plain text and HTML of a message.
func render(kind Kind, lang, timezone string, data any) (subject, text, html string, err error) {
	key := string(kind) + "." + lang
	tt, ht := textTemplates[key], htmlTemplates[key]
	if tt == nil || ht == nil {
		return "", "", "", fmt.Errorf("render mail: no template for %s", key)
	}
	loc := time.UTC
	if timezone != "" {
		if l, lerr := time.LoadLocation(timezone); lerr == nil {
			loc = l
		}
	}
	funcs := map[string]any{
		"when":    func(t time.Time) string { return formatTime(t.In(loc), lang) },
		"role":    func(r string) string { return roleName(r, lang) },
		"minutes": func(d time.Duration) int { return int(d.Round(time.Minute) / time.Minute) },
	}
	tt, err = tt.Clone()
	if err != nil {
		return "", "", "", fmt.Errorf("render mail: %w", err)
	}
	tt.Funcs(funcs)
	var b bytes.Buffer
	if err := tt.ExecuteTemplate(&b, "subject", data); err != nil {
		return "", "", "", fmt.Errorf("render mail subject %s: %w", key, err)
	}
	// A subject is one header line: collapse any line breaks a value (a
	// name) might have smuggled in.
	subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := tt.ExecuteTemplate(&b, "text", data); err != nil {
		return "", "", "", fmt.Errorf("render mail text %s: %w", key, err)
	}
	text = strings.TrimSpace(b.String()) + "\n"

	ht, err = ht.Clone()
	if err != nil {
		return "", "", "", fmt.Errorf("render mail: %w", err)
	}
	ht.Funcs(funcs)
	b.Reset()
	if err := ht.ExecuteTemplate(&b, "layout", struct {
		Lang    string
		Subject string
		Data    any
	}{lang, subject, data}); err != nil {
		return "", "", "", fmt.Errorf("render mail html %s: %w", key, err)
	}
	return subject, text, b.String(), nil
}

func formatTime(t time.Time, lang string) string {
	if lang == "ko" {
		return fmt.Sprintf("%d년 %d월 %d일 %s (%s)", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"), t.Format("MST"))
	}
	return t.Format("January 2, 2006 15:04 MST")
}

func roleName(role, lang string) string {
	if lang == "ko" {
		switch role {
		case "owner":
			return "소유자"
		case "admin":
			return "관리자"
		case "member":
			return "멤버"
		case "guest":
			return "게스트"
		}
		return role
	}
	switch role {
	case "owner":
		return "an owner"
	case "admin":
		return "an administrator"
	case "member":
		return "a member"
	case "guest":
		return "a guest"
	}
	return role
}
