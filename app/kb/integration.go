package kb

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"nexus/app"
	"nexus/app/authz"
)

// CreateFromMessage turns a chat message into a document at the top level
// of a space (edit on the space), for chat's "promote to knowledge base".
// The body keeps the message's markdown as written and ends with a link to
// the message.
func (s *Service) CreateFromMessage(ctx context.Context, p *app.Principal, spaceID, title, body, sourceURL string) (string, error) {
	if sourceURL != "" {
		if !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		// A relative /chat/… path is not auto-linked, so write a real link,
		// labelled in the promoter's language.
		label := "Original message in chat"
		if p.User.Language == "ko" {
			label = "채팅의 원본 메시지"
		}
		body += "\n---\n\n[" + label + "](" + sourceURL + ")\n"
	}
	if strings.TrimSpace(title) == "" {
		title = firstLine(body)
	}
	d, err := s.CreateDocument(ctx, p, DocumentInput{SpaceID: spaceID, Title: title, Body: body, Message: "From chat"})
	if err != nil {
		return "", err
	}
	return d.ID, nil
}

func firstLine(body string) string {
	for _, line := range strings.Split(body, "\n") {
		if t := Excerpt(line, 80); t != "" {
			return t
		}
	}
	return "Untitled"
}

// Preview describes a document for a link preview card in chat: title,
// the start of its text and its space's name. ok is false when the
// document does not exist or p may not see it (the card is then not
// shown, revealing nothing).
func (s *Service) Preview(ctx context.Context, p *app.Principal, docID string) (title, excerpt, spaceName string, ok bool) {
	d, sp, err := s.loadDocument(ctx, p, docID, authz.View)
	if err != nil {
		return "", "", "", false
	}
	return d.Title, Excerpt(d.Body, 200), sp.Name, true
}

var (
	mdFence  = regexp.MustCompile("(?s)```.*?```")
	mdImage  = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink   = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdWiki   = regexp.MustCompile(`\[\[([^\]|]*)(?:\|([^\]]*))?\]\]`)
	mdMarks  = regexp.MustCompile("(?m)^\\s{0,3}(?:#{1,6}\\s+|>\\s?|[-*+]\\s+(?:\\[[ xX]\\]\\s+)?|\\d+[.)]\\s+)")
	mdInline = regexp.MustCompile("[*_`~]+")
	mdSpace  = regexp.MustCompile(`\s+`)
)

// Excerpt is the start of a markdown text as plain text, at most max
// characters.
func Excerpt(body string, max int) string {
	t := mdFence.ReplaceAllString(body, " ")
	t = mdImage.ReplaceAllString(t, "$1")
	t = mdWiki.ReplaceAllStringFunc(t, func(m string) string {
		sub := mdWiki.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[2]
		}
		return sub[1]
	})
	t = mdLink.ReplaceAllString(t, "$1")
	t = mdMarks.ReplaceAllString(t, "")
	t = mdInline.ReplaceAllString(t, "")
	t = strings.TrimSpace(mdSpace.ReplaceAllString(t, " "))
	if utf8.RuneCountInString(t) > max {
		t = strings.TrimSpace(string([]rune(t)[:max])) + "…"
	}
	return t
}

// CanSeeEvent reports whether p may see an event about a knowledge-base
// resource right now: a space ("space") or a document ("document", also
// when it is in the trash) that p may view. The realtime gateway asks it
// for every event and connection, so it reads nothing but the resource and
// the permission check; a purged document is seen by no one.
func (s *Service) CanSeeEvent(ctx context.Context, p *app.Principal, resourceType, resourceID string) (bool, error) {
	spaceID := resourceID
	switch resourceType {
	case authz.Space:
	case "document":
		d, err := s.store.FindDocumentByID(ctx, resourceID)
		if app.IsNotFound(err) {
			return false, nil
		} else if err != nil {
			return false, err
		}
		spaceID = d.SpaceID
	default:
		return false, nil
	}
	sp, err := s.store.FindSpaceByID(ctx, spaceID)
	if app.IsNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return s.authz.Can(ctx, p, authz.View, sp.Resource())
}
