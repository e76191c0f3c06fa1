package api_test

import (
	"strings"
	"testing"

	"nexus/app"
)

// The editor's live preview renders like publishing (links resolved from the
// document's space, sanitized) and stores nothing; it needs view access.
func TestKBPreview(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, memberTok := h.accessUser(app.RoleMember, "Park Jihoon")
	member := bearer(memberTok)
	private := h.kbSpace(owner, "Leadership", "members")
	h.kbDoc(owner, private, "", "온보딩 가이드", "hello")
	doc := h.kbDoc(owner, private, "", "Plans", "old")["id"].(string)

	body := "# 안녕 Hello\n\nSee [[온보딩 가이드]] and [[Nowhere]].\n\n<script>alert(1)</script>"
	out := h.kbDo("POST", "/api/v1/documents/preview", map[string]any{"body": body, "document_id": doc}, owner, 200)
	html := out["html"].(string)
	if !strings.Contains(html, "/kb/doc/") || !strings.Contains(html, "wikilink missing") {
		t.Fatalf("links not resolved like a publish: %s", html)
	}
	if strings.Contains(html, "<script") {
		t.Fatalf("preview not sanitized: %s", html)
	}
	toc, _ := out["toc"].([]any)
	if len(toc) != 1 || toc[0].(map[string]any)["text"] != "안녕 Hello" {
		t.Fatalf("toc = %v", out["toc"])
	}
	// Nothing was published: the document still has its old text.
	if got := h.kbDo("GET", "/api/v1/documents/"+doc, nil, owner, 200)["body"]; got != "old" {
		t.Fatalf("preview changed the document: body %q", got)
	}
	checkError(t, "preview of a document one cannot see", h.request("POST", "/api/v1/documents/preview",
		map[string]any{"body": "x", "document_id": doc}, member), 404, "not_found", "", "")
	// Without a document the body still renders (a page not created yet).
	if out := h.kbDo("POST", "/api/v1/documents/preview", map[string]any{"body": "**굵게**"}, member, 200); !strings.Contains(out["html"].(string), "<strong>굵게</strong>") {
		t.Fatalf("preview without a document: %v", out)
	}
}

// The tag page lists only documents the reader can see.
func TestKBDocumentsByTag(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, memberTok := h.accessUser(app.RoleMember, "Park Jihoon")
	member := bearer(memberTok)
	org := h.kbSpace(owner, "Wiki", "org")
	private := h.kbSpace(owner, "Leadership", "members")
	for _, d := range []struct{ space, title string }{{org, "Public runbook"}, {private, "Secret runbook"}, {org, "Untagged"}} {
		req := map[string]any{"space_id": d.space, "title": d.title, "body": "x"}
		if d.title != "Untagged" {
			req["tags"] = []string{"운영", "Runbook"}
		}
		h.kbDo("POST", "/api/v1/documents", req, owner, 201)
	}
	titles := func(who header, tag string) []string {
		var out []string
		for _, it := range kbItems(h.kbDo("GET", "/api/v1/documents?tag="+tag, nil, who, 200)) {
			out = append(out, it["title"].(string))
		}
		return out
	}
	if got := titles(owner, "runbook"); len(got) != 2 {
		t.Fatalf("owner, tag runbook: %v", got)
	}
	if got := titles(member, "%EC%9A%B4%EC%98%81"); len(got) != 1 || got[0] != "Public runbook" {
		t.Fatalf("member, tag 운영: %v, want only the visible document", got)
	}
	checkError(t, "no tag", h.request("GET", "/api/v1/documents", nil, member), 400, "invalid", "tag", "")
}
