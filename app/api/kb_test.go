package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"nexus/app"
)

// --- helpers ---

// kbDo sends a request and checks its status, returning the JSON body
// (nil for bodies that are not JSON).
func (h *harness) kbDo(method, path string, body any, who header, status int) map[string]any {
	h.t.Helper()
	return h.expect(h.request(method, path, body, who), status, method+" "+path)
}

func (h *harness) kbSpace(who header, name, visibility string) string {
	h.t.Helper()
	sp := h.kbDo("POST", "/api/v1/spaces", map[string]any{"name": name, "visibility": visibility}, who, 201)
	return sp["id"].(string)
}

func (h *harness) kbDoc(who header, spaceID, parentID, title, body string) map[string]any {
	h.t.Helper()
	req := map[string]any{"space_id": spaceID, "title": title, "body": body}
	if parentID != "" {
		req["parent_id"] = parentID
	}
	return h.kbDo("POST", "/api/v1/documents", req, who, 201)
}

func (h *harness) kbGrant(who header, spaceID, userID, role string) {
	h.t.Helper()
	h.kbDo("POST", "/api/v1/spaces/"+spaceID+"/members", map[string]any{"user_id": userID, "role": role}, who, 200)
}

func kbItems(m map[string]any) []map[string]any {
	raw, _ := m["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, it := range raw {
		out = append(out, it.(map[string]any))
	}
	return out
}

func kbIDs(m map[string]any) []string {
	var out []string
	for _, it := range kbItems(m) {
		out = append(out, it["id"].(string))
	}
	return out
}

func kbErrDetails(t *testing.T, r response) map[string]any {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	return d
}

func (h *harness) kbEvents(typ string) []app.Event {
	h.t.Helper()
	events, err := h.store.OutboxEvents(context.Background(), 0, 10000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []app.Event
	for _, e := range events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// --- spaces and permissions ---

func TestKBSpacePermissions(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	memberID, memberTok := h.accessUser(app.RoleMember, "이서연")
	member := bearer(memberTok)
	guestID, guestTok := h.accessUser(app.RoleGuest, "Guest Gwen")
	guest := bearer(guestTok)
	otherID, otherTok := h.accessUser(app.RoleMember, "Park Jihoon")
	other := bearer(otherTok)

	org := h.kbSpace(owner, "회사 위키", "org")
	private := h.kbSpace(owner, "Leadership", "members")
	orgDoc := h.kbDoc(owner, org, "", "Handbook", "Welcome")["id"].(string)
	privDoc := h.kbDoc(owner, private, "", "Plans", "secret")["id"].(string)

	// Listing shows only what each may see.
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, owner, 200)); len(got) != 2 {
		t.Fatalf("owner sees %v", got)
	}
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, member, 200)); !reflect.DeepEqual(got, []string{org}) {
		t.Fatalf("member sees %v, want only the org-wide space", got)
	}
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, guest, 200)); len(got) != 0 {
		t.Fatalf("guest sees %v, want nothing", got)
	}
	// A guest cannot see an org-wide space; a member without a grant cannot
	// see a members-only one: both answer 404, as if they did not exist.
	checkError(t, "guest org space", h.request("GET", "/api/v1/spaces/"+org, nil, guest), 404, "not_found", "", "")
	checkError(t, "guest org doc", h.request("GET", "/api/v1/documents/"+orgDoc, nil, guest), 404, "not_found", "", "")
	checkError(t, "guest tree", h.request("GET", "/api/v1/spaces/"+org+"/tree", nil, guest), 404, "not_found", "", "")
	checkError(t, "member private space", h.request("GET", "/api/v1/spaces/"+private, nil, member), 404, "not_found", "", "")
	checkError(t, "member private doc", h.request("GET", "/api/v1/documents/"+privDoc, nil, member), 404, "not_found", "", "")
	checkError(t, "member private versions", h.request("GET", "/api/v1/documents/"+privDoc+"/versions", nil, member), 404, "not_found", "", "")
	checkError(t, "member private export", h.request("GET", "/api/v1/documents/"+privDoc+"/export.md", nil, member), 404, "not_found", "", "")
	checkError(t, "member private zip", h.request("GET", "/api/v1/spaces/"+private+"/export.zip", nil, member), 404, "not_found", "", "")
	// Guests cannot create spaces.
	checkError(t, "guest creates space", h.request("POST", "/api/v1/spaces", map[string]any{"name": "x"}, guest), 403, "forbidden", "", "")

	// A member of the org sees org-wide documents as a viewer: no edits.
	h.kbDo("GET", "/api/v1/documents/"+orgDoc, nil, member, 200)
	checkError(t, "viewer edits", h.request("PUT", "/api/v1/documents/"+orgDoc,
		map[string]any{"body": "x", "version": 1}, member), 403, "forbidden", "", "")
	checkError(t, "viewer creates", h.request("POST", "/api/v1/documents",
		map[string]any{"space_id": org, "title": "x"}, member), 403, "forbidden", "", "")
	checkError(t, "viewer deletes", h.request("DELETE", "/api/v1/documents/"+orgDoc, nil, member), 403, "forbidden", "", "")
	checkError(t, "viewer shares", h.request("POST", "/api/v1/documents/"+orgDoc+"/shares", map[string]any{}, member), 403, "forbidden", "", "")
	checkError(t, "viewer drafts", h.request("PUT", "/api/v1/documents/"+orgDoc+"/draft",
		map[string]any{"title": "x", "body": "y", "base_version": 1}, member), 403, "forbidden", "", "")

	// A guest added as viewer sees that space, and only that one.
	h.kbGrant(owner, private, guestID, "viewer")
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, guest, 200)); !reflect.DeepEqual(got, []string{private}) {
		t.Fatalf("guest sees %v, want only the space they were added to", got)
	}
	h.kbDo("GET", "/api/v1/documents/"+privDoc, nil, guest, 200)
	checkError(t, "guest viewer edits", h.request("PUT", "/api/v1/documents/"+privDoc,
		map[string]any{"body": "x", "version": 1}, guest), 403, "forbidden", "", "")

	// An editor edits but does not manage members or settings.
	h.kbGrant(owner, private, memberID, "editor")
	h.kbDo("PUT", "/api/v1/documents/"+privDoc, map[string]any{"body": "edited", "version": 1}, member, 200)
	checkError(t, "editor adds member", h.request("POST", "/api/v1/spaces/"+private+"/members",
		map[string]any{"user_id": otherID, "role": "viewer"}, member), 403, "forbidden", "", "")
	checkError(t, "editor renames space", h.request("PATCH", "/api/v1/spaces/"+private,
		map[string]any{"name": "x", "version": 1}, member), 403, "forbidden", "", "")
	checkError(t, "editor archives", h.request("POST", "/api/v1/spaces/"+private+"/archive", nil, member), 403, "forbidden", "", "")
	members := h.kbDo("GET", "/api/v1/spaces/"+private+"/members", nil, member, 200)
	if n := len(kbItems(members)); n != 3 {
		t.Fatalf("members = %v", members)
	}
	// Editors may not delete for good (managers may).
	h.kbDo("DELETE", "/api/v1/documents/"+privDoc, nil, member, 204)
	checkError(t, "editor purges", h.request("DELETE", "/api/v1/trash/"+privDoc, nil, member), 403, "forbidden", "", "")
	h.kbDo("POST", "/api/v1/trash/"+privDoc+"/restore", nil, member, 200)

	// Moving to a space without edit rights: 404 when it cannot be seen,
	// 403 when it can be seen but not edited; nothing moves.
	mine := h.kbSpace(other, "Other's space", "members")
	checkError(t, "move to invisible space", h.request("POST", "/api/v1/documents/"+privDoc+"/move",
		map[string]any{"space_id": mine}, member), 404, "not_found", "", "")
	checkError(t, "move to read-only space", h.request("POST", "/api/v1/documents/"+privDoc+"/move",
		map[string]any{"space_id": org}, member), 403, "forbidden", "", "")
	// Needs edit on both sides: a viewer of the source cannot take it away.
	h.kbGrant(other, mine, memberID, "editor")
	checkError(t, "move from read-only space", h.request("POST", "/api/v1/documents/"+orgDoc+"/move",
		map[string]any{"space_id": mine}, member), 403, "forbidden", "", "")
	h.kbDo("POST", "/api/v1/documents/"+privDoc+"/move", map[string]any{"space_id": mine}, member, 200)
	// Permissions are those of the new space now: the guest (viewer of the
	// old space) no longer sees it; its new owner does.
	checkError(t, "guest after move", h.request("GET", "/api/v1/documents/"+privDoc, nil, guest), 404, "not_found", "", "")
	h.kbDo("GET", "/api/v1/documents/"+privDoc, nil, other, 200)

	// Removing a member takes access away at once.
	h.kbDo("DELETE", "/api/v1/spaces/"+private+"/members/"+guestID, nil, owner, 204)
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, guest, 200)); len(got) != 0 {
		t.Fatalf("guest after removal sees %v", got)
	}
	checkError(t, "remove non-member", h.request("DELETE", "/api/v1/spaces/"+private+"/members/"+guestID, nil, owner), 404, "not_found", "", "")
	if n := len(h.audit(app.ActionAccessGranted)); n != 3 {
		t.Fatalf("access.granted audit rows = %d", n)
	}
	if n := len(h.audit(app.ActionAccessRevoked)); n != 1 {
		t.Fatalf("access.revoked audit rows = %d", n)
	}

	// Archive: read-only and out of the list; restore brings it back.
	h.kbDo("POST", "/api/v1/spaces/"+org+"/archive", nil, owner, 200)
	for _, id := range kbIDs(h.kbDo("GET", "/api/v1/spaces", nil, member, 200)) {
		if id == org {
			t.Fatal("archived space still listed")
		}
	}
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces?archived=true", nil, owner, 200)); !reflect.DeepEqual(got, []string{org}) {
		t.Fatalf("archived list = %v", got)
	}
	checkError(t, "edit in archived space", h.request("PUT", "/api/v1/documents/"+orgDoc,
		map[string]any{"body": "x", "version": 1}, owner), 409, "conflict", "", "archived")
	h.kbDo("GET", "/api/v1/documents/"+orgDoc, nil, member, 200)
	h.kbDo("POST", "/api/v1/spaces/"+org+"/restore", nil, owner, 200)

	// Space edits: optimistic concurrency; visibility change audited.
	sp := h.kbDo("GET", "/api/v1/spaces/"+org, nil, owner, 200)
	v := sp["version"].(float64)
	h.kbDo("PATCH", "/api/v1/spaces/"+org, map[string]any{"visibility": "members", "icon": "📘", "version": v}, owner, 200)
	stale := h.request("PATCH", "/api/v1/spaces/"+org, map[string]any{"name": "x", "version": v}, owner)
	checkError(t, "stale space", stale, 409, "conflict", "", "")
	if d := kbErrDetails(t, stale); d["current_version"] != v+1 {
		t.Fatalf("stale details = %v", d)
	}
	if n := len(h.audit(app.ActionKBSpaceVisibilityChanged)); n != 1 {
		t.Fatalf("visibility audit rows = %d", n)
	}
	checkError(t, "member after visibility change", h.request("GET", "/api/v1/documents/"+orgDoc, nil, member), 404, "not_found", "", "")
	for _, typ := range []string{app.EventSpaceCreated, app.EventSpaceUpdated, app.EventSpaceArchived, app.EventSpaceRestored,
		app.EventDocumentCreated, app.EventDocumentUpdated, app.EventDocumentMoved, app.EventDocumentDeleted, app.EventDocumentRestored} {
		if len(h.kbEvents(typ)) == 0 {
			t.Errorf("no %s event in the outbox", typ)
		}
	}
}

// --- content ---

const (
	kbKoreanTitle = "분기별 회의록: 2분기 계획 & Q2 Plan"
	kbKoreanBody  = "# 개요\n\n이번 분기 **목표**는 다음과 같습니다.\n\n- [x] 검색 개선\n- [ ] 한국어 형태소 분석\n\n```go\nfmt.Println(\"안녕하세요\")\n```\n\n| 항목 | 담당 |\n|---|---|\n| 설계 | 김민지 |\n\n끝.  \nTrailing spaces kept.\n\n\n"
)

func TestKBKoreanRoundTrip(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "한국어 공간", "org")
	created := h.kbDo("POST", "/api/v1/documents", map[string]any{"space_id": sp, "title": kbKoreanTitle, "body": kbKoreanBody,
		"tags": []string{"  회의록 ", "#Planning", "회의록", "분기 계획"}, "status": "draft"}, owner, 201)
	id := created["id"].(string)
	doc := h.kbDo("GET", "/api/v1/documents/"+id, nil, owner, 200)
	if doc["title"] != kbKoreanTitle || doc["body"] != kbKoreanBody || doc["status"] != "draft" || doc["version"] != float64(1) {
		t.Fatalf("document did not round-trip: %q %q", doc["title"], doc["body"])
	}
	if tags := fmt.Sprint(doc["tags"]); tags != "[planning 분기 계획 회의록]" {
		t.Fatalf("tags = %s", tags)
	}
	html := doc["html"].(string)
	for _, want := range []string{"<h1", "개요", "<table>", "type=\"checkbox\"", "안녕하세요"} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q: %s", want, html)
		}
	}
	if toc := doc["toc"].([]any); len(toc) != 1 || toc[0].(map[string]any)["text"] != "개요" {
		t.Fatalf("toc = %v", doc["toc"])
	}
	if cb := doc["created_by"].(map[string]any); cb["name"] != "김민지" {
		t.Fatalf("created_by = %v", cb)
	}

	// Markdown export: front matter and the body byte for byte.
	r := h.request("GET", "/api/v1/documents/"+id+"/export.md", nil, owner)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("export.md: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''"+url.PathEscape("분기별 회의록_ 2분기 계획 & Q2 Plan.md")) {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	md := string(r.body)
	if !strings.HasPrefix(md, "---\ntitle: '"+kbKoreanTitle+"'\nstatus: draft\ntags:\n  - planning\n  - 분기 계획\n  - 회의록\n---\n\n") ||
		!strings.HasSuffix(md, kbKoreanBody) {
		t.Fatalf("export.md =\n%s", md)
	}

	// Standalone HTML export.
	r = h.request("GET", "/api/v1/documents/"+id+"/export.html", nil, owner)
	if r.StatusCode != 200 || !bytes.Contains(r.body, []byte(`<html lang="ko">`)) || !bytes.Contains(r.body, []byte("<style>")) ||
		!bytes.Contains(r.body, []byte("분기별 회의록")) {
		t.Fatalf("export.html: %d %s", r.StatusCode, r.body)
	}

	// Import the Markdown file into another space: the same document.
	other := h.kbSpace(owner, "Archive", "org")
	res := h.kbImport(owner, other, "회의록.md", r2b(md), 201)
	docs := res["documents"].([]any)
	if len(docs) != 1 {
		t.Fatalf("import = %v", res)
	}
	imported := h.kbDo("GET", "/api/v1/documents/"+docs[0].(map[string]any)["id"].(string), nil, owner, 200)
	if imported["title"] != kbKoreanTitle || imported["body"] != kbKoreanBody || fmt.Sprint(imported["tags"]) != "[planning 분기 계획 회의록]" ||
		imported["status"] != "draft" {
		t.Fatalf("imported = %q %q %v %v", imported["title"], imported["body"], imported["tags"], imported["status"])
	}

	// A whole space as a zip, and back: names, folders and content intact.
	child := h.kbDoc(owner, sp, id, "하위 문서 / Child", "자식 본문\n")["id"].(string)
	h.kbDoc(owner, sp, child, "손자", "손자 본문")
	h.kbDoc(owner, sp, "", "English notes", "Plain *English* body.\n")
	zr := h.request("GET", "/api/v1/spaces/"+sp+"/export.zip", nil, owner)
	if zr.StatusCode != 200 || zr.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export.zip: %d", zr.StatusCode)
	}
	z, err := zip.NewReader(bytes.NewReader(zr.body), int64(len(zr.body)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	want := []string{"분기별 회의록_ 2분기 계획 & Q2 Plan.md", "분기별 회의록_ 2분기 계획 & Q2 Plan/하위 문서 _ Child.md",
		"분기별 회의록_ 2분기 계획 & Q2 Plan/하위 문서 _ Child/손자.md", "English notes.md"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("zip entries = %q, want %q", names, want)
	}
	if len(h.audit(app.ActionKBSpaceExported)) != 1 {
		t.Fatal("space export not audited")
	}
	target := h.kbSpace(owner, "복원", "org")
	res = h.kbImport(owner, target, "space.zip", zr.body, 201)
	if n := len(res["documents"].([]any)); n != 4 {
		t.Fatalf("zip import = %v", res)
	}
	tree := kbItems(h.kbDo("GET", "/api/v1/spaces/"+target+"/tree", nil, owner, 200))
	var got []string
	for _, n := range tree {
		got = append(got, fmt.Sprintf("%v:%s", n["depth"], n["title"]))
	}
	if want := []string{"0:" + kbKoreanTitle, "1:하위 문서 / Child", "2:손자", "0:English notes"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("imported tree = %q, want %q", got, want)
	}
	first := h.kbDo("GET", "/api/v1/documents/"+tree[0]["id"].(string), nil, owner, 200)
	if first["body"] != kbKoreanBody || first["title"] != kbKoreanTitle {
		t.Fatalf("zip round trip changed the document: %q", first["body"])
	}
	if len(h.audit(app.ActionKBImported)) != 2 {
		t.Fatal("imports not audited")
	}
}

func r2b(s string) []byte { return []byte(s) }

// kbImport uploads a file to POST /spaces/:id/import.
func (h *harness) kbImport(who header, spaceID, name string, content []byte, status int) map[string]any {
	h.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		h.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req := httptest.NewRequest("POST", "/api/v1/spaces/"+spaceID+"/import", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range who {
		req.Header.Set(k, v)
	}
	return h.expect(h.do(req), status, "import "+name)
}

func TestKBStoredScriptNeverRendered(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "XSS", "org")
	body := "<script>alert('body')</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(2))\n\n" +
		"[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==)\n\n<a href=\"#\" onclick=\"alert(4)\">x</a>\n\n" +
		"[[<script>alert(5)</script>]]\n\n<svg onload=alert(6)></svg>\n\n<iframe src=\"https://evil.example\"></iframe>\n"
	id := h.kbDoc(owner, sp, "", "<script>alert('title')</script>", body)["id"].(string)
	doc := h.kbDo("GET", "/api/v1/documents/"+id, nil, owner, 200)
	html := strings.ToLower(doc["html"].(string))
	for _, bad := range []string{"<script", "onerror", "onclick", "onload", "javascript:", "data:text", "<iframe", "<svg"} {
		if strings.Contains(html, bad) {
			t.Errorf("rendered html contains %q: %s", bad, html)
		}
	}
	if doc["body"] != body {
		t.Fatal("the stored markdown must stay as written")
	}
	// The public page and the HTML export use the same renderer.
	share := h.kbDo("POST", "/api/v1/documents/"+id+"/shares", map[string]any{}, owner, 201)
	page := h.request("GET", "/s/"+share["token"].(string), nil, nil)
	exp := h.request("GET", "/api/v1/documents/"+id+"/export.html", nil, owner)
	for name, r := range map[string]response{"share page": page, "html export": exp} {
		low := strings.ToLower(string(r.body))
		for _, bad := range []string{"<script", "onerror=", "onclick=", "javascript:"} {
			if strings.Contains(low, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestKBStalePublishConflicts(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, edTok := h.accessUser(app.RoleMember, "이서연")
	editor := bearer(edTok)
	sp := h.kbSpace(owner, "Team", "org")
	edID := h.accessUserID(edTok)
	h.kbGrant(owner, sp, edID, "editor")
	id := h.kbDoc(owner, sp, "", "계획", "첫 줄\n")["id"].(string)

	// Both start from version 1; the editor publishes first.
	h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "첫 줄\n편집자의 줄\n", "version": 1, "message": "추가"}, editor, 200)
	r := h.request("PUT", "/api/v1/documents/"+id, map[string]any{"title": "내 제목", "body": "첫 줄\n내 줄\n", "version": 1}, owner)
	checkError(t, "stale publish", r, 409, "conflict", "", "")
	d := kbErrDetails(t, r)
	cur, _ := d["current"].(map[string]any)
	if d["current_version"] != float64(2) || cur["body"] != "첫 줄\n편집자의 줄\n" || cur["title"] != "계획" {
		t.Fatalf("conflict details = %v", d)
	}
	// Nothing was overwritten.
	doc := h.kbDo("GET", "/api/v1/documents/"+id, nil, owner, 200)
	if doc["body"] != "첫 줄\n편집자의 줄\n" || doc["version"] != float64(2) {
		t.Fatalf("after conflict: %v", doc["body"])
	}
	// Merged and published against the current version.
	h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "첫 줄\n편집자의 줄\n내 줄\n", "version": 2}, owner, 200)
	// Publishing the same content again adds no version.
	same := h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "첫 줄\n편집자의 줄\n내 줄\n", "version": 3}, owner, 200)
	if same["version"] != float64(3) || len(kbItems(h.kbDo("GET", "/api/v1/documents/"+id+"/versions", nil, owner, 200))) != 3 {
		t.Fatalf("no-op publish made a version: %v", same["version"])
	}
	checkError(t, "missing version", h.request("PUT", "/api/v1/documents/"+id, map[string]any{"body": "x"}, owner), 400, "invalid", "version", "")
}

// accessUserID reads the user ID of an access token through /me.
func (h *harness) accessUserID(access string) string {
	h.t.Helper()
	me := h.me(access).json(h.t)
	if u, ok := me["user"].(map[string]any); ok {
		return u["id"].(string)
	}
	return me["id"].(string)
}

func TestKBVersionsDiffAndRestore(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "Docs", "org")
	id := h.kbDoc(owner, sp, "", "Notes", "# 회의록\n참석자: 김민지, 이서연\nThe quick brown fox\n끝\n")["id"].(string)
	h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "# 회의록\n참석자: 김민지, 박지훈\nThe quick red fox jumps\nNew line\n끝\n",
		"tags": []string{"minutes"}, "version": 1, "message": "second pass"}, owner, 200)

	list := h.kbDo("GET", "/api/v1/documents/"+id+"/versions", nil, owner, 200)
	items := kbItems(list)
	if len(items) != 2 || items[0]["version"] != float64(2) || items[0]["message"] != "second pass" ||
		items[0]["author"].(map[string]any)["name"] != "김민지" || items[1]["version"] != float64(1) {
		t.Fatalf("versions = %v", list)
	}
	v1 := h.kbDo("GET", "/api/v1/documents/"+id+"/versions/1", nil, owner, 200)
	if !strings.HasPrefix(v1["body"].(string), "# 회의록\n참석자: 김민지, 이서연") || !strings.Contains(v1["html"].(string), "brown") {
		t.Fatalf("version 1 = %v", v1)
	}
	checkError(t, "unknown version", h.request("GET", "/api/v1/documents/"+id+"/versions/9", nil, owner), 404, "not_found", "", "")

	diff := h.kbDo("GET", "/api/v1/documents/"+id+"/diff?from=1&to=2", nil, owner, 200)
	raw, _ := json.Marshal(diff["lines"])
	want := `[{"op":"equal","text":"# 회의록","old_line":1,"new_line":1},` +
		`{"op":"delete","text":"참석자: 김민지, 이서연","old_line":2,"words":[{"op":"equal","text":"참석자: 김민지, "},{"op":"delete","text":"이서연"}]},` +
		`{"op":"delete","text":"The quick brown fox","old_line":3,"words":[{"op":"equal","text":"The quick "},{"op":"delete","text":"brown"},{"op":"equal","text":" fox"}]},` +
		`{"op":"insert","text":"참석자: 김민지, 박지훈","new_line":2,"words":[{"op":"equal","text":"참석자: 김민지, "},{"op":"insert","text":"박지훈"}]},` +
		`{"op":"insert","text":"The quick red fox jumps","new_line":3,"words":[{"op":"equal","text":"The quick "},{"op":"insert","text":"red"},{"op":"equal","text":" fox"},{"op":"insert","text":" jumps"}]},` +
		`{"op":"insert","text":"New line","new_line":4},` +
		`{"op":"equal","text":"끝","old_line":4,"new_line":5}]`
	var gotLines, wantLines any
	json.Unmarshal(raw, &gotLines)
	if err := json.Unmarshal([]byte(want), &wantLines); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotLines, wantLines) {
		t.Fatalf("diff lines =\n%s\nwant\n%s", raw, want)
	}
	if st := diff["stats"].(map[string]any); st["insertions"] != float64(3) || st["deletions"] != float64(2) {
		t.Fatalf("stats = %v", st)
	}
	// Either order works (a reverse diff).
	rev := h.kbDo("GET", "/api/v1/documents/"+id+"/diff?from=2&to=1", nil, owner, 200)
	if st := rev["stats"].(map[string]any); st["insertions"] != float64(2) || st["deletions"] != float64(3) {
		t.Fatalf("reverse stats = %v", st)
	}
	checkError(t, "diff unknown", h.request("GET", "/api/v1/documents/"+id+"/diff?from=1&to=7", nil, owner), 400, "invalid", "to", "")

	// Restore version 1: a new version 3 with version 1's content.
	restored := h.kbDo("POST", "/api/v1/documents/"+id+"/restore", map[string]any{"version": 1}, owner, 200)
	if restored["version"] != float64(3) || !strings.Contains(restored["body"].(string), "이서연") || len(restored["tags"].([]any)) != 0 {
		t.Fatalf("restored = %v", restored)
	}
	items = kbItems(h.kbDo("GET", "/api/v1/documents/"+id+"/versions", nil, owner, 200))
	if len(items) != 3 || items[0]["message"] != "Restored version 1" {
		t.Fatalf("versions after restore = %v", items)
	}
}

func TestKBDrafts(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, edTok := h.accessUser(app.RoleMember, "Editor Ed")
	editor := bearer(edTok)
	sp := h.kbSpace(owner, "Drafts", "org")
	h.kbGrant(owner, sp, h.accessUserID(edTok), "editor")
	id := h.kbDoc(owner, sp, "", "Doc", "v1")["id"].(string)
	path := "/api/v1/documents/" + id + "/draft"

	checkError(t, "no draft yet", h.request("GET", path, nil, owner), 404, "not_found", "", "")
	d := h.kbDo("PUT", path, map[string]any{"title": "Doc 초안", "body": "자동 저장된 본문", "base_version": 1}, owner, 200)
	if d["stale"] != false || d["base_version"] != float64(1) {
		t.Fatalf("draft = %v", d)
	}
	// Closing the tab loses nothing: the draft is on the server.
	got := h.kbDo("GET", path, nil, owner, 200)
	if got["title"] != "Doc 초안" || got["body"] != "자동 저장된 본문" {
		t.Fatalf("draft read back = %v", got)
	}
	if h.kbDo("GET", "/api/v1/documents/"+id, nil, owner, 200)["has_draft"] != true {
		t.Fatal("has_draft not set")
	}
	// Drafts are per user.
	checkError(t, "someone else's draft", h.request("GET", path, nil, editor), 404, "not_found", "", "")
	h.kbDo("PUT", path, map[string]any{"title": "Doc", "body": "editor's", "base_version": 1}, editor, 200)
	h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "editor published", "version": 1}, editor, 200)
	// The owner's draft now says it is stale; publishing it conflicts.
	if got := h.kbDo("GET", path, nil, owner, 200); got["stale"] != true || got["current_version"] != float64(2) {
		t.Fatalf("stale draft = %v", got)
	}
	checkError(t, "stale draft publish", h.request("PUT", "/api/v1/documents/"+id,
		map[string]any{"body": "자동 저장된 본문", "version": 1}, owner), 409, "conflict", "", "")
	// Publishing clears the publisher's draft only.
	checkError(t, "editor's draft cleared", h.request("GET", path, nil, editor), 404, "not_found", "", "")
	h.kbDo("PUT", "/api/v1/documents/"+id, map[string]any{"body": "merged", "version": 2}, owner, 200)
	checkError(t, "owner's draft cleared", h.request("GET", path, nil, owner), 404, "not_found", "", "")
	checkError(t, "bad base", h.request("PUT", path, map[string]any{"title": "x", "body": "y", "base_version": 9}, owner), 400, "invalid", "base_version", "")
	h.kbDo("PUT", path, map[string]any{"title": "x", "body": "y", "base_version": 3}, owner, 200)
	h.kbDo("DELETE", path, nil, owner, 204)
	checkError(t, "discarded", h.request("DELETE", path, nil, owner), 404, "not_found", "", "")
}

// --- share links ---

func TestKBShareLinkLifecycle(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "Public docs", "members")
	root := h.kbDoc(owner, sp, "", "사용 설명서", "# 시작하기\n\n[[설치]]를 먼저 읽으세요.\n")["id"].(string)
	child := h.kbDoc(owner, sp, root, "설치", "설치 방법\n")["id"].(string)
	other := h.kbDoc(owner, sp, "", "Internal", "do not share")["id"].(string)

	// Only the root.
	sh := h.kbDo("POST", "/api/v1/documents/"+root+"/shares", map[string]any{}, owner, 201)
	token := sh["token"].(string)
	if len(token) != 43 || !strings.HasSuffix(sh["url"].(string), "/s/"+token) || sh["active"] != true {
		t.Fatalf("share = %v", sh)
	}
	page := h.request("GET", "/s/"+token, nil, nil)
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.Header.Get("X-Robots-Tag"), "noindex") || page.Header.Get("Referrer-Policy") != "no-referrer" ||
		!bytes.Contains(page.body, []byte("시작하기")) || !bytes.Contains(page.body, []byte(`href="/s/share.css"`)) ||
		bytes.Contains(page.body, []byte("<script")) || bytes.Contains(page.body, []byte("style=")) {
		t.Fatalf("share page: %d %v\n%s", page.StatusCode, page.Header, page.body)
	}
	// Links to documents outside the share are not followed.
	if bytes.Contains(page.body, []byte(child)) {
		t.Fatal("a root-only share links to its child")
	}
	if r := h.request("GET", "/s/"+token+"?doc="+child, nil, nil); r.StatusCode != 404 {
		t.Fatalf("child through a root-only share: %d", r.StatusCode)
	}
	css := h.request("GET", "/s/share.css", nil, nil)
	if css.StatusCode != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("share.css: %d", css.StatusCode)
	}

	// With children: navigation and child pages; never other documents.
	withKids := h.kbDo("POST", "/api/v1/documents/"+root+"/shares", map[string]any{"include_children": true}, owner, 201)
	tk := withKids["token"].(string)
	page = h.request("GET", "/s/"+tk, nil, nil)
	if !bytes.Contains(page.body, []byte(`href="/s/`+tk+`?doc=`+child+`"`)) {
		t.Fatalf("no child navigation:\n%s", page.body)
	}
	if r := h.request("GET", "/s/"+tk+"?doc="+child, nil, nil); r.StatusCode != 200 || !bytes.Contains(r.body, []byte("설치 방법")) {
		t.Fatalf("child page: %d", r.StatusCode)
	}
	if r := h.request("GET", "/s/"+tk+"?doc="+other, nil, nil); r.StatusCode != 404 {
		t.Fatalf("unshared document through a share: %d", r.StatusCode)
	}

	// View counts.
	shares := kbItems(h.kbDo("GET", "/api/v1/documents/"+root+"/shares", nil, owner, 200))
	if len(shares) != 2 || shares[1]["view_count"] != float64(1) || shares[0]["view_count"] != float64(2) || shares[0]["token"] != nil {
		t.Fatalf("shares = %v", shares)
	}

	// Expiry.
	exp := h.kbDo("POST", "/api/v1/documents/"+root+"/shares",
		map[string]any{"expires_at": h.clock.now().Add(time.Hour).Format(time.RFC3339)}, owner, 201)
	et := exp["token"].(string)
	if r := h.request("GET", "/s/"+et, nil, nil); r.StatusCode != 200 {
		t.Fatalf("before expiry: %d", r.StatusCode)
	}
	h.clock.advance(2 * time.Hour)
	owner = bearer(accessToken(t, h.login(ownerEmail, ownerPassword, nil)))
	if r := h.request("GET", "/s/"+et, nil, nil); r.StatusCode != 404 || !bytes.Contains(r.body, []byte("<html")) {
		t.Fatalf("after expiry: %d %s", r.StatusCode, r.body)
	}
	checkError(t, "expiry in the past", h.request("POST", "/api/v1/documents/"+root+"/shares",
		map[string]any{"expires_at": h.clock.now().Add(-time.Minute).Format(time.RFC3339)}, owner), 400, "invalid", "expires_at", "")

	// Revocation is immediate and audited.
	h.kbDo("DELETE", "/api/v1/shares/"+sh["id"].(string), nil, owner, 204)
	if r := h.request("GET", "/s/"+token, nil, nil); r.StatusCode != 404 {
		t.Fatalf("revoked link: %d", r.StatusCode)
	}
	if len(h.audit(app.ActionKBShareCreated)) != 3 || len(h.audit(app.ActionKBShareRevoked)) != 1 {
		t.Fatal("share audit rows missing")
	}

	// The admin switch kills every link at once, and creating new ones.
	settings := h.kbDo("GET", "/api/v1/settings/kb", nil, owner, 200)
	if settings["public_sharing"] != true {
		t.Fatalf("settings = %v", settings)
	}
	h.kbDo("PATCH", "/api/v1/settings/kb", map[string]any{"public_sharing": false, "version": settings["version"]}, owner, 200)
	if r := h.request("GET", "/s/"+tk, nil, nil); r.StatusCode != 404 {
		t.Fatalf("link with sharing off: %d", r.StatusCode)
	}
	checkError(t, "share with sharing off", h.request("POST", "/api/v1/documents/"+root+"/shares", map[string]any{}, owner),
		403, "forbidden", "", "")
	h.kbDo("PATCH", "/api/v1/settings/kb", map[string]any{"public_sharing": true, "version": settings["version"].(float64) + 1}, owner, 200)
	if r := h.request("GET", "/s/"+tk, nil, nil); r.StatusCode != 200 {
		t.Fatalf("link with sharing back on: %d", r.StatusCode)
	}
	_, memTok := h.accessUser(app.RoleMember, "Member")
	checkError(t, "member settings", h.request("PATCH", "/api/v1/settings/kb", map[string]any{"public_sharing": false, "version": 3},
		bearer(memTok)), 403, "forbidden", "", "")

	// A trashed document's links stop working.
	h.kbDo("DELETE", "/api/v1/documents/"+root, nil, owner, 204)
	if r := h.request("GET", "/s/"+tk, nil, nil); r.StatusCode != 404 {
		t.Fatalf("link to a trashed document: %d", r.StatusCode)
	}
	for _, bad := range []string{"/s/short", "/s/" + strings.Repeat("A", 43)} {
		if r := h.request("GET", bad, nil, nil); r.StatusCode != 404 {
			t.Fatalf("%s: %d", bad, r.StatusCode)
		}
	}
}

// --- import limits ---

func kbZip(t *testing.T, entries ...func(*zip.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		e(zw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func kbZipFile(name string, content []byte) func(*zip.Writer) {
	return func(zw *zip.Writer) {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		w.Write(content)
	}
}

func TestKBImportRefusesDangerousZips(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 1 << 20})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "Imports", "org")
	ok := kbZipFile("fine.md", []byte("fine"))
	zeros := func(n int) []byte { return make([]byte, n) }
	cases := []struct {
		name   string
		zip    []byte
		reason string
	}{
		{"traversal", kbZip(t, ok, kbZipFile("../../etc/evil.md", []byte("x"))), "path_traversal"},
		{"nested traversal", kbZip(t, kbZipFile("docs/../../evil.md", []byte("x"))), "path_traversal"},
		{"absolute", kbZip(t, kbZipFile("/etc/passwd.md", []byte("x"))), "absolute_path"},
		{"windows absolute", kbZip(t, kbZipFile("C:\\evil.md", []byte("x"))), "absolute_path"},
		{"backslash traversal", kbZip(t, kbZipFile("..\\evil.md", []byte("x"))), "path_traversal"},
		{"symlink", kbZip(t, ok, func(zw *zip.Writer) {
			fh := &zip.FileHeader{Name: "link.md"}
			fh.SetMode(fs.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(fh)
			w.Write([]byte("/etc/passwd"))
		}), "symlink"},
		{"bomb", kbZip(t, kbZipFile("bomb.md", zeros(30<<20))), "too_large"},
		{"ratio", kbZip(t, kbZipFile("dense.md", zeros(5<<20))), "compression_ratio"},
		{"too many entries", kbZip(t, func(zw *zip.Writer) {
			for i := 0; i < 2001; i++ {
				kbZipFile(fmt.Sprintf("d%d.md", i), []byte("x"))(zw)
			}
		}), "too_many_entries"},
		{"not a zip", []byte("PK\x03\x04 garbage"), "bad_zip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.request("GET", "/api/v1/spaces/"+sp+"/tree", nil, owner)
			before := len(kbItems(r.json(t)))
			res := h.kbImport(owner, sp, tc.name+".zip", tc.zip, 400)
			d, _ := res["error"].(map[string]any)["details"].(map[string]any)
			if d["reason"] != tc.reason {
				t.Fatalf("reason = %v, want %s (%v)", d["reason"], tc.reason, res)
			}
			after := len(kbItems(h.request("GET", "/api/v1/spaces/"+sp+"/tree", nil, owner).json(t)))
			if after != before {
				t.Fatalf("a refused import created %d documents", after-before)
			}
		})
	}
	// A zip from Korean Windows (CP949 names, no UTF-8 flag) keeps its names.
	cp949 := kbZip(t, func(zw *zip.Writer) {
		// "회의록.md" in CP949.
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "\xc8\xb8\xc0\xc7\xb7\xcf.md", NonUTF8: true, Method: zip.Deflate})
		w.Write([]byte("본문"))
	})
	res := h.kbImport(owner, sp, "windows.zip", cp949, 201)
	if docs := res["documents"].([]any); len(docs) != 1 || docs[0].(map[string]any)["title"] != "회의록" {
		t.Fatalf("CP949 import = %v", res)
	}
	// Folders without a file become parents; system files are skipped.
	res = h.kbImport(owner, sp, "mac.zip", kbZip(t, kbZipFile("폴더/문서.md", []byte("x")), kbZipFile("__MACOSX/._문서.md", []byte("x")),
		kbZipFile(".DS_Store", []byte("x"))), 201)
	if docs := res["documents"].([]any); len(docs) != 2 || docs[0].(map[string]any)["title"] != "폴더" || len(res["skipped"].([]any)) != 2 {
		t.Fatalf("folder import = %v", res)
	}
	h.kbImport(owner, sp, "notes.txt", []byte("x"), 400)
}

// --- trash ---

func TestKBTrashRestoreAndPurge(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "Trash", "org")
	parent := h.kbDoc(owner, sp, "", "Parent", "p")["id"].(string)
	child := h.kbDoc(owner, sp, parent, "Child", "c")["id"].(string)
	keep := h.kbDoc(owner, sp, "", "Keep", "k")["id"].(string)
	share := h.kbDo("POST", "/api/v1/documents/"+parent+"/shares", map[string]any{}, owner, 201)

	h.kbDo("DELETE", "/api/v1/documents/"+parent, nil, owner, 204)
	if got := kbIDs(h.kbDo("GET", "/api/v1/spaces/"+sp+"/tree", nil, owner, 200)); !reflect.DeepEqual(got, []string{keep}) {
		t.Fatalf("tree after delete = %v", got)
	}
	checkError(t, "trashed child", h.request("GET", "/api/v1/documents/"+child, nil, owner), 404, "not_found", "", "")
	trash := kbItems(h.kbDo("GET", "/api/v1/trash?space_id="+sp, nil, owner, 200))
	if len(trash) != 1 || trash[0]["id"] != parent || trash[0]["descendant_count"] != float64(1) ||
		trash[0]["deleted_by"].(map[string]any)["name"] != "김민지" {
		t.Fatalf("trash = %v", trash)
	}
	// Restore brings back the subtree, at the end of the space.
	h.kbDo("POST", "/api/v1/trash/"+parent+"/restore", nil, owner, 200)
	tree := kbItems(h.kbDo("GET", "/api/v1/spaces/"+sp+"/tree", nil, owner, 200))
	if len(tree) != 3 || tree[0]["id"] != keep || tree[1]["id"] != parent || tree[2]["id"] != child {
		t.Fatalf("tree after restore = %v", tree)
	}
	checkError(t, "restore live", h.request("POST", "/api/v1/trash/"+parent+"/restore", nil, owner), 404, "not_found", "", "")

	// Past the retention, restoring is refused; the purge deletes for good.
	h.kbDo("DELETE", "/api/v1/documents/"+child, nil, owner, 204)
	h.clock.advance(time.Second)
	h.kbDo("DELETE", "/api/v1/documents/"+parent, nil, owner, 204)
	h.clock.advance(kbTrashRetention + time.Hour)
	owner = bearer(accessToken(t, h.login(ownerEmail, ownerPassword, nil)))
	checkError(t, "restore after retention", h.request("POST", "/api/v1/trash/"+parent+"/restore", nil, owner), 409, "conflict", "", "")
	// Both are listed (trashed at different times); a manager may purge
	// by hand, and purging a document takes everything under it.
	if got := kbItems(h.kbDo("GET", "/api/v1/trash", nil, owner, 200)); len(got) != 2 {
		t.Fatalf("trash = %v", got)
	}
	h.kbDo("DELETE", "/api/v1/trash/"+parent, nil, owner, 204)
	if got := kbItems(h.kbDo("GET", "/api/v1/trash", nil, owner, 200)); len(got) != 0 {
		t.Fatalf("trash after purge = %v", got)
	}
	checkError(t, "purged child", h.request("POST", "/api/v1/trash/"+child+"/restore", nil, owner), 404, "not_found", "", "")
	if r := h.request("GET", "/s/"+share["token"].(string), nil, nil); r.StatusCode != 404 {
		t.Fatal("share of a purged document still answers")
	}
	if len(h.audit(app.ActionKBDocumentPurged)) != 1 || len(h.kbEvents(app.EventDocumentPurged)) != 1 {
		t.Fatal("purge not audited or published")
	}
}

// --- tree ordering ---

// Many random moves (reorder, re-parent) must leave the tree exactly as a
// simple in-memory model says.
func TestKBTreeOrderingAfterManyMoves(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	sp := h.kbSpace(owner, "Tree", "org")
	type node struct {
		id       string
		children []string
	}
	parentOf := map[string]string{}
	kids := map[string][]string{"": nil}
	var all []string
	for i := 0; i < 12; i++ {
		id := h.kbDoc(owner, sp, "", fmt.Sprintf("문서 %02d", i), "")["id"].(string)
		all = append(all, id)
		parentOf[id] = ""
		kids[""] = append(kids[""], id)
	}
	remove := func(list []string, id string) []string {
		for i, x := range list {
			if x == id {
				return append(list[:i:i], list[i+1:]...)
			}
		}
		return list
	}
	indexOf := func(list []string, id string) int {
		for i, x := range list {
			if x == id {
				return i
			}
		}
		return -1
	}
	isUnder := func(id, ancestor string) bool {
		for cur := id; cur != ""; cur = parentOf[cur] {
			if cur == ancestor {
				return true
			}
		}
		return false
	}
	var flatten func(parent string, out *[]string)
	flatten = func(parent string, out *[]string) {
		for _, id := range kids[parent] {
			*out = append(*out, id)
			flatten(id, out)
		}
	}
	seed := uint64(7)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	for step := 0; step < 150; step++ {
		id := all[rnd(len(all))]
		newParent := ""
		if rnd(3) == 0 {
			newParent = all[rnd(len(all))]
			if isUnder(newParent, id) {
				newParent = ""
			}
		}
		siblings := remove(append([]string(nil), kids[newParent]...), id)
		req := map[string]any{"parent_id": nil}
		if newParent != "" {
			req["parent_id"] = newParent
		}
		pos := len(siblings)
		if len(siblings) > 0 {
			switch rnd(3) {
			case 0:
				pos = rnd(len(siblings))
				req["before_id"] = siblings[pos]
			case 1:
				a := rnd(len(siblings))
				req["after_id"] = siblings[a]
				pos = a + 1
			}
		}
		h.kbDo("POST", "/api/v1/documents/"+id+"/move", req, owner, 200)
		kids[parentOf[id]] = remove(kids[parentOf[id]], id)
		parentOf[id] = newParent
		kids[newParent] = append(siblings[:pos:pos], append([]string{id}, siblings[pos:]...)...)
		if step%10 == 9 || step == 149 {
			var want []string
			flatten("", &want)
			got := kbIDs(h.kbDo("GET", "/api/v1/spaces/"+sp+"/tree", nil, owner, 200))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("step %d: tree order differs\n got %v\nwant %v", step, got, want)
			}
		}
	}
	_ = indexOf
	// A document cannot go under its own descendant.
	var parent, childOf string
	for id, p := range parentOf {
		if p != "" {
			parent, childOf = p, id
			break
		}
	}
	if parent != "" {
		checkError(t, "cycle", h.request("POST", "/api/v1/documents/"+parent+"/move", map[string]any{"parent_id": childOf}, owner),
			400, "invalid", "parent_id", "")
	}
	checkError(t, "both anchors", h.request("POST", "/api/v1/documents/"+all[0]+"/move",
		map[string]any{"before_id": all[1], "after_id": all[2]}, owner), 400, "invalid", "before_id", "")
}

// --- links, mentions, tags, categories, templates ---

func TestKBLinksMentionsTagsCategoriesTemplates(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	memberID, memTok := h.accessUser(app.RoleMember, "이서연")
	member := bearer(memTok)
	sp := h.kbSpace(owner, "Wiki", "org")
	secret := h.kbSpace(owner, "Secret", "members")

	// [[Links]]: to a document that exists and to one created later.
	target := h.kbDoc(owner, sp, "", "설치 가이드", "")["id"].(string)
	src := h.kbDoc(owner, sp, "", "Start", "See [[설치 가이드]] and [[Later Page]]. Ask @이서연 or @nobody.")
	srcID := src["id"].(string)
	if !strings.Contains(src["html"].(string), `href="/kb/doc/`+target+`"`) || !strings.Contains(src["html"].(string), `data-user-id="`+memberID+`"`) {
		t.Fatalf("links or mentions not rendered: %s", src["html"])
	}
	if bl := h.kbDo("GET", "/api/v1/documents/"+target, nil, owner, 200)["backlinks"].([]any); len(bl) != 1 || bl[0].(map[string]any)["id"] != srcID {
		t.Fatalf("backlinks = %v", bl)
	}
	later := h.kbDoc(owner, sp, "", "Later Page", "")["id"].(string)
	if bl := kbItems(h.kbDo("GET", "/api/v1/documents/"+later+"/backlinks", nil, owner, 200)); len(bl) != 1 || bl[0]["id"] != srcID {
		t.Fatalf("backlinks of a page created after the link = %v", bl)
	}
	created := h.kbEvents(app.EventDocumentCreated)
	var mentioned any
	for _, e := range created {
		if e.ResourceID == srcID {
			mentioned = e.Data["mentioned"]
		}
	}
	if fmt.Sprint(mentioned) != "["+memberID+"]" {
		t.Fatalf("mentioned = %v", mentioned)
	}
	// Backlinks from a space the reader cannot see stay hidden.
	h.kbDoc(owner, secret, "", "Secret plan", "About [[설치 가이드]]")
	if bl := h.kbDo("GET", "/api/v1/documents/"+target, nil, member, 200)["backlinks"].([]any); len(bl) != 1 {
		t.Fatalf("member sees backlinks %v", bl)
	}
	if got := kbItems(h.kbDo("GET", "/api/v1/documents/search-titles?q="+url.QueryEscape("plan"), nil, member, 200)); len(got) != 0 {
		t.Fatalf("title search leaks %v", got)
	}
	if got := kbItems(h.kbDo("GET", "/api/v1/documents/search-titles?q="+url.QueryEscape("설치"), nil, member, 200)); len(got) != 1 {
		t.Fatalf("title search = %v", got)
	}
	ms := kbItems(h.kbDo("GET", "/api/v1/mentions/users?q="+url.QueryEscape("서연"), nil, owner, 200))
	if len(ms) != 1 || ms[0]["handle"] != "이서연" {
		t.Fatalf("mentionable = %v", ms)
	}

	// Tags: normalized, autocomplete counts only visible documents.
	h.kbDo("PUT", "/api/v1/documents/"+target, map[string]any{"tags": []string{"Setup", "설치"}, "version": 1}, owner, 200)
	secretDoc := h.kbDoc(owner, secret, "", "Hidden", "")["id"].(string)
	h.kbDo("PUT", "/api/v1/documents/"+secretDoc, map[string]any{"tags": []string{"setup"}, "version": 1}, owner, 200)
	if tags := kbItems(h.kbDo("GET", "/api/v1/tags?prefix=SE", nil, member, 200)); len(tags) != 1 || tags[0]["tag"] != "setup" || tags[0]["count"] != float64(1) {
		t.Fatalf("member tags = %v", tags)
	}
	if tags := kbItems(h.kbDo("GET", "/api/v1/tags?prefix=se", nil, owner, 200)); tags[0]["count"] != float64(2) {
		t.Fatalf("owner tags = %v", tags)
	}
	if tags := kbItems(h.kbDo("GET", "/api/v1/tags?prefix="+url.QueryEscape("설"), nil, member, 200)); len(tags) != 1 {
		t.Fatalf("korean tag prefix = %v", tags)
	}

	// Categories: administrators manage; counts follow visibility.
	checkError(t, "member category", h.request("POST", "/api/v1/categories", map[string]any{"name": "x"}, member), 403, "forbidden", "", "")
	eng := h.kbDo("POST", "/api/v1/categories", map[string]any{"name": "Engineering"}, owner, 201)["id"].(string)
	be := h.kbDo("POST", "/api/v1/categories", map[string]any{"name": "Backend", "parent_id": eng}, owner, 201)
	if be["path"] != "Engineering › Backend" || be["depth"] != float64(1) {
		t.Fatalf("category = %v", be)
	}
	checkError(t, "duplicate", h.request("POST", "/api/v1/categories", map[string]any{"name": "backend", "parent_id": eng}, owner), 409, "conflict", "name", "")
	h.kbDo("PUT", "/api/v1/documents/"+target, map[string]any{"category_id": be["id"], "version": 2}, owner, 200)
	h.kbDo("PUT", "/api/v1/documents/"+secretDoc, map[string]any{"category_id": be["id"], "version": 2}, owner, 200)
	doc := h.kbDo("GET", "/api/v1/documents/"+target, nil, member, 200)
	if c := doc["category"].(map[string]any); c["path"] != "Engineering › Backend" {
		t.Fatalf("document category = %v", c)
	}
	cats := kbItems(h.kbDo("GET", "/api/v1/categories", nil, member, 200))
	if len(cats) != 2 || cats[0]["total_count"] != float64(1) || cats[1]["document_count"] != float64(1) {
		t.Fatalf("member categories = %v", cats)
	}
	page := h.kbDo("GET", "/api/v1/categories/"+eng, nil, member, 200)
	if docs := page["documents"].([]any); len(docs) != 1 || len(page["children"].([]any)) != 1 {
		t.Fatalf("category page = %v", page)
	}
	checkError(t, "delete with children", h.request("DELETE", "/api/v1/categories/"+eng, nil, owner), 409, "conflict", "", "")
	checkError(t, "cycle", h.request("PATCH", "/api/v1/categories/"+eng, map[string]any{"parent_id": be["id"], "version": 1}, owner), 400, "invalid", "parent_id", "")

	// Templates: org-wide (admins) and per space (editors); placeholders.
	checkError(t, "member org template", h.request("POST", "/api/v1/templates", map[string]any{"name": "x"}, member), 403, "forbidden", "", "")
	tpl := h.kbDo("POST", "/api/v1/templates", map[string]any{"name": "회의록", "title": "{date} 회의록",
		"body": "# {title}\n\n작성자: {author}\n날짜: {date}\n"}, owner, 201)
	spTpl := h.kbDo("POST", "/api/v1/templates", map[string]any{"space_id": secret, "name": "Secret template", "body": "x"}, owner, 201)
	if list := kbItems(h.kbDo("GET", "/api/v1/templates", nil, member, 200)); len(list) != 1 || list[0]["id"] != tpl["id"] {
		t.Fatalf("member templates = %v", list)
	}
	fromTpl := h.kbDo("POST", "/api/v1/documents", map[string]any{"space_id": sp, "template_id": tpl["id"]}, owner, 201)
	today := h.clock.now().Format("2006-01-02")
	if fromTpl["title"] != today+" 회의록" || fromTpl["body"] != "# "+today+" 회의록\n\n작성자: 김민지\n날짜: "+today+"\n" {
		t.Fatalf("from template: %q %q", fromTpl["title"], fromTpl["body"])
	}
	checkError(t, "template of another space", h.request("POST", "/api/v1/documents",
		map[string]any{"space_id": sp, "template_id": spTpl["id"]}, owner), 400, "invalid", "template_id", "")
}

// --- attachments: documents, share links, export and import ---

func (h *harness) kbUpload(who header, docID, name string, data []byte) map[string]any {
	h.t.Helper()
	body, ct := uploadForm(h.t, "document", docID, name, data, true)
	req := httptest.NewRequest("POST", "/api/v1/attachments", body)
	req.Header.Set("Content-Type", ct)
	for k, v := range who {
		req.Header.Set(k, v)
	}
	return h.expect(h.do(req), 201, "upload "+name)
}

func TestKBAttachmentsShareExportImport(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 1 << 20})
	owner := bearer(accessToken(t, h.setup()))
	_, memTok := h.accessUser(app.RoleMember, "Outsider")
	member := bearer(memTok)
	sp := h.kbSpace(owner, "첨부 공간", "members")
	doc := h.kbDoc(owner, sp, "", "설계 문서", "초안")["id"].(string)
	other := h.kbDoc(owner, sp, "", "Other", "x")["id"].(string)
	png := testPNG(t, 40, 30)
	att := h.kbUpload(owner, doc, "스크린샷 1.png", png)
	attID := att["id"].(string)
	otherAtt := h.kbUpload(owner, other, "other.png", testPNG(t, 10, 10))["id"].(string)
	body := "# 설계\n\n![스크린샷](/api/v1/attachments/" + attID + "/content)\n"
	got := h.kbDo("PUT", "/api/v1/documents/"+doc, map[string]any{"body": body, "version": 1}, owner, 200)
	atts := got["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["name"] != "스크린샷 1.png" || atts[0].(map[string]any)["url"] != "/api/v1/attachments/"+attID+"/content" {
		t.Fatalf("attachments = %v", atts)
	}
	// The document's permissions decide who may read its files.
	checkError(t, "outsider reads a file", h.request("GET", "/api/v1/attachments/"+attID+"/content", nil, member), 404, "not_found", "", "")
	h.expect(h.request("GET", "/api/v1/attachments/"+attID+"/content", nil, owner), 200, "owner reads the file")

	// A share link serves the shared document's files, and only those.
	tok := h.kbDo("POST", "/api/v1/documents/"+doc+"/shares", map[string]any{}, owner, 201)["token"].(string)
	page := h.request("GET", "/s/"+tok, nil, nil)
	if !bytes.Contains(page.body, []byte(`src="/s/`+tok+`/attachments/`+attID+`"`)) || !bytes.Contains(page.body, []byte("스크린샷 1.png")) {
		t.Fatalf("share page does not point its image at the share:\n%s", page.body)
	}
	file := h.request("GET", "/s/"+tok+"/attachments/"+attID, nil, nil)
	if file.StatusCode != 200 || file.Header.Get("Content-Type") != "image/png" || !bytes.Equal(file.body, png) ||
		!strings.HasPrefix(file.Header.Get("Content-Disposition"), "inline") || !strings.Contains(file.Header.Get("Content-Security-Policy"), "sandbox") ||
		file.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("shared file: %d %v", file.StatusCode, file.Header)
	}
	part := h.request("GET", "/s/"+tok+"/attachments/"+attID, nil, header{"Range": "bytes=0-9"})
	if part.StatusCode != 206 || len(part.body) != 10 || part.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-9/%d", len(png)) {
		t.Fatalf("range: %d %v", part.StatusCode, part.Header)
	}
	if r := h.request("GET", "/s/"+tok+"/attachments/"+attID, nil, header{"Range": "bytes=99999-"}); r.StatusCode != 416 {
		t.Fatalf("bad range: %d", r.StatusCode)
	}
	if r := h.request("GET", "/s/"+tok+"/attachments/"+otherAtt, nil, nil); r.StatusCode != 404 {
		t.Fatalf("a file of another document through the share: %d", r.StatusCode)
	}

	// Export: the file beside the Markdown, the link made relative.
	zr := h.request("GET", "/api/v1/spaces/"+sp+"/export.zip", nil, owner)
	z, err := zip.NewReader(bytes.NewReader(zr.body), int64(len(zr.body)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, f := range z.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		entries[f.Name] = b
	}
	if !bytes.Equal(entries["설계 문서.assets/스크린샷 1.png"], png) {
		t.Fatalf("zip entries = %v", keys(entries))
	}
	rel := url.PathEscape("설계 문서.assets") + "/" + url.PathEscape("스크린샷 1.png")
	if !bytes.Contains(entries["설계 문서.md"], []byte("![스크린샷]("+rel+")")) {
		t.Fatalf("exported markdown:\n%s", entries["설계 문서.md"])
	}

	// Standalone HTML: the document's own image travels inside the file;
	// an image of another document stays a link (and is not read).
	withOther := h.kbDoc(owner, sp, "", "Two images", "![a](/api/v1/attachments/"+attID+"/content)\n\n![b](/api/v1/attachments/"+otherAtt+"/content)\n")["id"].(string)
	h.kbUpload(owner, withOther, "own.png", png)
	for _, tc := range []struct {
		doc       string
		embedded  bool
		linkStays string
	}{{doc, true, ""}, {withOther, false, otherAtt}} {
		r := h.request("GET", "/api/v1/documents/"+tc.doc+"/export.html", nil, owner)
		if r.StatusCode != 200 {
			t.Fatalf("export.html: %d %s", r.StatusCode, r.body)
		}
		dataURI := `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `"`
		if got := bytes.Contains(r.body, []byte(dataURI)); got != tc.embedded {
			t.Errorf("export.html of %s: image embedded %v, want %v", tc.doc, got, tc.embedded)
		}
		if tc.embedded && bytes.Contains(r.body, []byte("/api/v1/attachments/"+attID)) {
			t.Errorf("export.html still links the embedded image")
		}
		if tc.linkStays != "" && !bytes.Contains(r.body, []byte(`src="/api/v1/attachments/`+tc.linkStays+`/content"`)) {
			t.Errorf("export.html lost the link to another document's image")
		}
	}

	// Import: the file uploaded again and the link pointed at the copy.
	target := h.kbSpace(owner, "복사본", "org")
	res := h.kbImport(owner, target, "export.zip", zr.body, 201)
	if res["attachments"] != float64(2) || len(res["skipped"].([]any)) != 0 {
		t.Fatalf("import = %v", res)
	}
	var imported map[string]any
	for _, d := range res["documents"].([]any) {
		if d.(map[string]any)["title"] == "설계 문서" {
			imported = h.kbDo("GET", "/api/v1/documents/"+d.(map[string]any)["id"].(string), nil, owner, 200)
		}
	}
	newAtts := imported["attachments"].([]any)
	if len(newAtts) != 1 {
		t.Fatalf("imported attachments = %v", newAtts)
	}
	newID := newAtts[0].(map[string]any)["id"].(string)
	if imported["body"] != "# 설계\n\n![스크린샷](/api/v1/attachments/"+newID+"/content)\n" || imported["version"] != float64(2) {
		t.Fatalf("imported body = %q (version %v)", imported["body"], imported["version"])
	}
	if c := h.request("GET", "/api/v1/attachments/"+newID+"/content", nil, owner); !bytes.Equal(c.body, png) {
		t.Fatal("imported file differs")
	}

	// Revoked: the files stop too.
	shares := kbItems(h.kbDo("GET", "/api/v1/documents/"+doc+"/shares", nil, owner, 200))
	h.kbDo("DELETE", "/api/v1/shares/"+shares[0]["id"].(string), nil, owner, 204)
	if r := h.request("GET", "/s/"+tok+"/attachments/"+attID, nil, nil); r.StatusCode != 404 {
		t.Fatalf("file through a revoked link: %d", r.StatusCode)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
