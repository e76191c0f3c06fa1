package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nexus/app"
)

// filesHarness is a harness whose upload limit (26 MiB) admits
// attachments of the default 25 MiB.
func filesHarness(t *testing.T) *harness {
	return newHarness(t, options{})
}

// uploadForm builds a multipart body; fieldsFirst puts owner_type and
// owner_id before the file, as the UI sends them.
func uploadForm(t testing.TB, ownerType, ownerID, filename string, data []byte, fieldsFirst bool) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fields := func() {
		mw.WriteField("owner_type", ownerType)
		mw.WriteField("owner_id", ownerID)
	}
	if fieldsFirst {
		fields()
	}
	// The client's declared type is a lie on purpose: it is never used.
	hdr := map[string][]string{
		"Content-Disposition": {`form-data; name="file"; filename="` + strings.ReplaceAll(filename, `"`, `\"`) + `"`},
		"Content-Type":        {"image/svg+xml"},
	}
	part, err := mw.CreatePart(hdr)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	if !fieldsFirst {
		fields()
	}
	mw.Close()
	return &b, mw.FormDataContentType()
}

func (h *harness) upload(access string, owner *fakeOwner, filename string, data []byte) response {
	h.t.Helper()
	body, ct := uploadForm(h.t, fakeOwnerType, owner.id, filename, data, true)
	req := httptest.NewRequest("POST", "/api/v1/attachments", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+access)
	return h.do(req)
}

func (h *harness) get(access, path string, hdr header) response {
	h.t.Helper()
	if hdr == nil {
		hdr = header{}
	}
	hdr["Authorization"] = "Bearer " + access
	return h.request("GET", path, nil, hdr)
}

func wantStatus(t *testing.T, r response, status int, what string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.StatusCode, status, r.body)
	}
}

func testPNG(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testJPEG(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 3), 100, uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipLike is content mimetype recognises as a zip archive.
func zipLike(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, "PK\x03\x04")
	return b
}

func TestAttachmentRoundTripKorean(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "김민지")
	owner := newFakeOwner([]string{uid})

	text := []byte("분기 보고서\n매출은 전년 대비 12% 증가했습니다. Revenue grew 12% year over year.\n")
	r := h.upload(access, owner, "2024년 4분기 보고서 (최종).txt", text)
	wantStatus(t, r, http.StatusCreated, "upload")
	a := r.json(t)
	id := a["id"].(string)
	if a["name"] != "2024년 4분기 보고서 (최종).txt" || a["content_type"] != "text/plain; charset=utf-8" ||
		a["size"] != float64(len(text)) || a["owner_type"] != fakeOwnerType || a["owner_id"] != owner.id ||
		a["uploaded_by"] != uid || a["inline"] != true || a["url"] != "/api/v1/attachments/"+id+"/content" {
		t.Fatalf("upload answer: %s", r.body)
	}
	if _, ok := a["thumbnail_url"]; ok {
		t.Fatal("a text file got a thumbnail")
	}
	if m := h.get(access, "/api/v1/attachments/"+id, nil); m.StatusCode != 200 || m.json(t)["name"] != a["name"] {
		t.Fatalf("metadata: %d %s", m.StatusCode, m.body)
	}

	d := h.get(access, "/api/v1/attachments/"+id+"/content", nil)
	wantStatus(t, d, 200, "download")
	if !bytes.Equal(d.body, text) {
		t.Fatalf("downloaded %q", d.body)
	}
	wantDisposition := `inline; filename="2024_ 4__ ___ (__).txt"; filename*=UTF-8''2024%EB%85%84%204%EB%B6%84%EA%B8%B0%20%EB%B3%B4%EA%B3%A0%EC%84%9C%20%28%EC%B5%9C%EC%A2%85%29.txt`
	for k, want := range map[string]string{
		"Content-Type":            "text/plain; charset=utf-8",
		"Content-Disposition":     wantDisposition,
		"Content-Security-Policy": "sandbox; default-src 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, no-cache",
		"Accept-Ranges":           "bytes",
	} {
		if got := d.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// The real name decodes back byte for byte.
	_, enc, _ := strings.Cut(d.Header.Get("Content-Disposition"), "UTF-8''")
	if name, _ := url.PathUnescape(enc); name != "2024년 4분기 보고서 (최종).txt" {
		t.Errorf("filename* decodes to %q", name)
	}
	etag := d.Header.Get("ETag")
	if len(etag) != 66 {
		t.Fatalf("ETag %q", etag)
	}
	nm := h.get(access, "/api/v1/attachments/"+id+"/content", header{"If-None-Match": etag})
	wantStatus(t, nm, http.StatusNotModified, "conditional download")

	// A binary file with a Korean name downloads as an attachment.
	data := zipLike(300_000, 1)
	r = h.upload(access, owner, "자료 모음.zip", data)
	wantStatus(t, r, http.StatusCreated, "zip upload")
	zid := r.json(t)["id"].(string)
	if r.json(t)["content_type"] != "application/zip" || r.json(t)["inline"] != false {
		t.Fatalf("zip: %s", r.body)
	}
	d = h.get(access, "/api/v1/attachments/"+zid+"/content", nil)
	wantStatus(t, d, 200, "zip download")
	if !bytes.Equal(d.body, data) {
		t.Fatal("zip content differs")
	}
	if cd := d.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") || !strings.Contains(cd, "UTF-8''%EC%9E%90%EB%A3%8C%20%EB%AA%A8%EC%9D%8C.zip") {
		t.Errorf("zip disposition %q", cd)
	}
	// ?download forces a save even for inline types.
	if d := h.get(access, "/api/v1/attachments/"+id+"/content?download=1", nil); !strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download=1 disposition %q", d.Header.Get("Content-Disposition"))
	}

	// The listing has both, oldest first.
	l := h.get(access, "/api/v1/attachments?owner_type="+fakeOwnerType+"&owner_id="+owner.id, nil)
	wantStatus(t, l, 200, "list")
	items := l.json(t)["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("list: %s", l.body)
	}

	// Stored encrypted: the text is not in any file of the blob store.
	filepath.WalkDir(blobsOf(h).Dir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			raw, _ := os.ReadFile(path)
			if bytes.Contains(raw, []byte("Revenue grew")) {
				t.Errorf("plaintext in %s", path)
			}
		}
		return nil
	})
}

func TestAttachmentTypesAreSniffed(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Lee")
	owner := newFakeOwner([]string{uid})

	refused := []struct {
		name, file string
		data       []byte
		status     int
	}{
		{"SVG", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>`), 415},
		{"SVG named png", "logo.png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 415},
		{"HTML", "page.html", []byte(`<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>`), 415},
		{"HTML named txt", "notes.txt", []byte(`<html><head><script>alert(1)</script></head></html>`), 415},
		{"text pretending to be an image", "photo.png", []byte("just some text, not a picture at all"), 415},
		{"text pretending to be a PDF", "report.pdf", []byte("%PDX not really a pdf, just text"), 415},
		{"GIF polyglot", "anim.gif", append([]byte("GIF89a"), []byte(`<script>alert(1)</script>`)...), 400},
		{"truncated PNG", "cut.png", testPNG(t, 50, 50)[:60], 400},
		{"executable", "setup.exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), 415},
		{"empty", "empty.txt", nil, 400},
	}
	for _, c := range refused {
		r := h.upload(access, owner, c.file, c.data)
		if r.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.StatusCode, c.status, r.body)
		}
	}
	if n := countAttachments(h); n != 0 {
		t.Fatalf("%d refused uploads were stored", n)
	}

	// A PNG called .exe is a PNG, and its name says so.
	r := h.upload(access, owner, "photo.exe", testPNG(t, 40, 30))
	wantStatus(t, r, http.StatusCreated, "PNG named exe")
	if a := r.json(t); a["content_type"] != "image/png" || a["name"] != "photo.exe.png" || a["inline"] != true {
		t.Fatalf("PNG named exe: %s", r.body)
	}
	// Names are sanitized; Hangul stays.
	r = h.upload(access, owner, `..\..\etc/시스템 설정‮gnp.txt`, []byte("hello"))
	wantStatus(t, r, http.StatusCreated, "odd name")
	if a := r.json(t); a["name"] != "시스템 설정gnp.txt" {
		t.Fatalf("sanitized name %q", a["name"])
	}
	// Markdown and CSV keep their kind but are served as plain text.
	r = h.upload(access, owner, "README.md", []byte("# 제목\n\n본문 *강조*\n"))
	wantStatus(t, r, http.StatusCreated, "markdown")
	if a := r.json(t); a["content_type"] != "text/markdown; charset=utf-8" {
		t.Fatalf("markdown type %q", a["content_type"])
	}
	d := h.get(access, "/api/v1/attachments/"+r.json(t)["id"].(string)+"/content", nil)
	if d.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("markdown served as %q", d.Header.Get("Content-Type"))
	}
}

func countAttachments(h *harness) int { return h.accCount(`SELECT count(*) FROM attachments`) }

func TestAttachmentSizeLimit(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Park")
	owner := newFakeOwner([]string{uid})
	for _, n := range []int{testAttachmentMax + 1, testAttachmentMax + 200<<10} {
		r := h.upload(access, owner, "big.zip", zipLike(n, 2))
		wantStatus(t, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("%d bytes", n))
		if r.errorCode(t) != "too_large" {
			t.Fatalf("code %q", r.errorCode(t))
		}
	}
	if n := countAttachments(h); n != 0 {
		t.Fatalf("%d oversize uploads stored", n)
	}
	tmp, _ := os.ReadDir(filepath.Join(blobsOf(h).Dir(), "tmp"))
	if len(tmp) != 0 {
		t.Fatalf("%d temporary files left", len(tmp))
	}
	// Exactly the limit is fine.
	r := h.upload(access, owner, "limit.zip", zipLike(testAttachmentMax, 3))
	wantStatus(t, r, http.StatusCreated, "upload at the limit")
}

func TestAttachmentPermissions(t *testing.T) {
	h := filesHarness(t)
	writerID, writer := h.accessUser(app.RoleMember, "Writer")
	readerID, reader := h.accessUser(app.RoleMember, "Reader")
	_, outsider := h.accessUser(app.RoleMember, "Outsider")
	_, guest := h.accessUser(app.RoleGuest, "Guest")
	owner := newFakeOwner([]string{writerID}, readerID)

	r := h.upload(writer, owner, "diagram.png", testPNG(t, 640, 480))
	wantStatus(t, r, http.StatusCreated, "writer uploads")
	id := r.json(t)["id"].(string)
	base := "/api/v1/attachments/" + id

	for _, who := range []string{outsider, guest} {
		for _, path := range []string{base, base + "/content", base + "/thumbnail"} {
			if r := h.get(who, path, nil); r.StatusCode != 404 || r.errorCode(t) != "not_found" {
				t.Errorf("outsider GET %s: %d %s", path, r.StatusCode, r.body)
			}
		}
		if r := h.request("DELETE", base, nil, bearer(who)); r.StatusCode != 404 {
			t.Errorf("outsider DELETE: %d", r.StatusCode)
		}
		if r := h.get(who, "/api/v1/attachments?owner_type="+fakeOwnerType+"&owner_id="+owner.id, nil); r.StatusCode != 404 {
			t.Errorf("outsider list: %d", r.StatusCode)
		}
		if r := h.upload(who, owner, "x.txt", []byte("x")); r.StatusCode != 404 {
			t.Errorf("outsider upload: %d %s", r.StatusCode, r.body)
		}
	}
	// Readers read, but neither add nor delete.
	for _, path := range []string{base, base + "/content", base + "/thumbnail"} {
		wantStatus(t, h.get(reader, path, nil), 200, "reader GET "+path)
	}
	wantStatus(t, h.upload(reader, owner, "x.txt", []byte("x")), 403, "reader upload")
	wantStatus(t, h.request("DELETE", base, nil, bearer(reader)), 403, "reader delete")
	// Unknown owners and owner types look alike.
	wantStatus(t, h.upload(writer, &fakeOwner{id: app.NewID()}, "x.txt", []byte("x")), 404, "unknown owner")
	body, ct := uploadForm(t, "space-station", owner.id, "x.txt", []byte("x"), true)
	req := httptest.NewRequest("POST", "/api/v1/attachments", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+writer)
	wantStatus(t, h.do(req), 404, "unknown owner type")
	// No token, no file.
	wantStatus(t, h.request("GET", base+"/content", nil, nil), 401, "anonymous")

	// The writer deletes; then it is gone for everyone.
	wantStatus(t, h.request("DELETE", base, nil, bearer(writer)), 204, "writer delete")
	for _, who := range []string{writer, reader} {
		wantStatus(t, h.get(who, base+"/content", nil), 404, "after delete")
	}
	wantStatus(t, h.request("DELETE", base, nil, bearer(writer)), 404, "second delete")

	// Both changes are in the outbox, addressed to the owner.
	created := h.accCount(`SELECT count(*) FROM outbox WHERE type = 'attachment.created' AND resource_type = ? AND resource_id = ?`,
		fakeOwnerType, owner.id)
	deleted := h.accCount(`SELECT count(*) FROM outbox WHERE type = 'attachment.deleted' AND resource_type = ?
		AND json_extract(data, '$.attachment_id') = ?`, fakeOwnerType, id)
	if created != 1 || deleted != 1 {
		t.Fatalf("outbox: %d created, %d deleted", created, deleted)
	}
}

// A form may send the file before the owner fields.
func TestAttachmentFieldsAfterFile(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Choi")
	owner := newFakeOwner([]string{uid})
	body, ct := uploadForm(t, fakeOwnerType, owner.id, "뒤에 온 필드.txt", []byte("내용"), false)
	req := httptest.NewRequest("POST", "/api/v1/attachments", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+access)
	r := h.do(req)
	wantStatus(t, r, http.StatusCreated, "fields after file")
	if r.json(t)["name"] != "뒤에 온 필드.txt" {
		t.Fatalf("name %v", r.json(t)["name"])
	}
	// Not multipart at all.
	wantStatus(t, h.request("POST", "/api/v1/attachments", map[string]string{"file": "x"}, bearer(access)), 415, "JSON upload")
}

func TestAttachmentRanges(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Jung")
	owner := newFakeOwner([]string{uid})
	data := zipLike(200_000, 4) // several 64 KiB segments
	r := h.upload(access, owner, "ranges.zip", data)
	wantStatus(t, r, http.StatusCreated, "upload")
	path := "/api/v1/attachments/" + r.json(t)["id"].(string) + "/content"
	size := len(data)
	for _, c := range []struct {
		rng        string
		status     int
		start, end int // inclusive
	}{
		{"bytes=0-9", 206, 0, 9},
		{"bytes=65530-65545", 206, 65530, 65545}, // across a segment boundary
		{"bytes=100000-150000", 206, 100000, 150000},
		{"bytes=-50", 206, size - 50, size - 1},
		{"bytes=199990-", 206, 199990, size - 1},
		{"bytes=199990-999999", 206, 199990, size - 1},
		{"bytes=0-9,20-29", 200, 0, size - 1}, // several ranges: the whole file
		{"items=0-9", 200, 0, size - 1},       // another unit: ignored
		{"bytes=200000-", 416, 0, 0},
		{"bytes=300000-300010", 416, 0, 0},
		{"bytes=abc", 416, 0, 0},
		{"bytes=9-2", 416, 0, 0},
		{"bytes=-0", 416, 0, 0},
	} {
		d := h.get(access, path, header{"Range": c.rng})
		if d.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.rng, d.StatusCode, c.status)
			continue
		}
		switch c.status {
		case 206:
			if !bytes.Equal(d.body, data[c.start:c.end+1]) {
				t.Errorf("%s: wrong bytes (%d)", c.rng, len(d.body))
			}
			if want := fmt.Sprintf("bytes %d-%d/%d", c.start, c.end, size); d.Header.Get("Content-Range") != want {
				t.Errorf("%s: Content-Range %q, want %q", c.rng, d.Header.Get("Content-Range"), want)
			}
		case 200:
			if !bytes.Equal(d.body, data) {
				t.Errorf("%s: not the whole file", c.rng)
			}
		case 416:
			if d.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", size) {
				t.Errorf("%s: Content-Range %q", c.rng, d.Header.Get("Content-Range"))
			}
		}
	}
	// HEAD answers like GET without the body.
	hd := h.request("HEAD", path, nil, bearer(access))
	if hd.StatusCode != 200 || len(hd.body) != 0 || hd.Header.Get("Content-Length") != fmt.Sprint(size) {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", hd.StatusCode, len(hd.body), hd.Header.Get("Content-Length"))
	}
	// If-Range with another version's tag: the whole file.
	d := h.get(access, path, header{"Range": "bytes=0-9", "If-Range": `"0000"`})
	if d.StatusCode != 200 || len(d.body) != size {
		t.Errorf("If-Range mismatch: %d, %d bytes", d.StatusCode, len(d.body))
	}
}

func TestAttachmentThumbnails(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Han")
	owner := newFakeOwner([]string{uid})
	for _, c := range []struct {
		file       string
		data       []byte
		thumbType  string
		wantW, wan int
	}{
		{"wide.png", testPNG(t, 1000, 500), "image/png", 320, 160},
		{"사진.jpg", testJPEG(t, 600, 900), "image/jpeg", 213, 320},
		{"small.png", testPNG(t, 20, 10), "image/png", 20, 10},
	} {
		r := h.upload(access, owner, c.file, c.data)
		wantStatus(t, r, http.StatusCreated, c.file)
		a := r.json(t)
		turl, _ := a["thumbnail_url"].(string)
		if turl == "" {
			t.Fatalf("%s: no thumbnail_url in %s", c.file, r.body)
		}
		d := h.get(access, turl, nil)
		wantStatus(t, d, 200, c.file+" thumbnail")
		if d.Header.Get("Content-Type") != c.thumbType {
			t.Errorf("%s: thumbnail type %q", c.file, d.Header.Get("Content-Type"))
		}
		img, format, err := image.Decode(bytes.NewReader(d.body))
		if err != nil {
			t.Fatalf("%s: thumbnail does not decode: %v", c.file, err)
		}
		if b := img.Bounds(); b.Dx() != c.wantW || b.Dy() != c.wan || "image/"+format != c.thumbType {
			t.Errorf("%s: thumbnail %dx%d %s", c.file, b.Dx(), b.Dy(), format)
		}
	}
	r := h.upload(access, owner, "notes.txt", []byte("no picture"))
	wantStatus(t, r, http.StatusCreated, "text")
	wantStatus(t, h.get(access, "/api/v1/attachments/"+r.json(t)["id"].(string)+"/thumbnail", nil), 404, "text thumbnail")
}

// TestAttachmentThumbnailUpright: a phone photo stored sideways with EXIF
// orientation 6 gets an upright (portrait) thumbnail, as browsers show the
// original.
func TestAttachmentThumbnailUpright(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Seo")
	owner := newFakeOwner([]string{uid})
	// As stored: 600×300, left half red, right half blue. Upright (turned a
	// quarter clockwise): 300×600, red on top, blue below.
	img := image.NewRGBA(image.Rect(0, 0, 600, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 600; x++ {
			c := color.RGBA{220, 20, 20, 255}
			if x >= 300 {
				c = color.RGBA{20, 20, 220, 255}
			}
			img.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	app1 := []byte("\xff\xe1\x00\x22Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	photo := append(append([]byte{0xff, 0xd8}, app1...), enc.Bytes()[2:]...)
	r := h.upload(access, owner, "세로 사진.jpg", photo)
	wantStatus(t, r, http.StatusCreated, "photo")
	d := h.get(access, r.json(t)["thumbnail_url"].(string), nil)
	wantStatus(t, d, 200, "thumbnail")
	thumb, err := jpeg.Decode(bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	b := thumb.Bounds()
	if b.Dx() != 160 || b.Dy() != 320 {
		t.Fatalf("thumbnail %dx%d, want 160x320 (portrait)", b.Dx(), b.Dy())
	}
	top, bottom := thumb.At(80, 40), thumb.At(80, 280)
	if r, _, bl, _ := top.RGBA(); r < bl {
		t.Errorf("top of the thumbnail is %v, want red", top)
	}
	if r, _, bl, _ := bottom.RGBA(); bl < r {
		t.Errorf("bottom of the thumbnail is %v, want blue", bottom)
	}
	// The original is served as uploaded: browsers turn it themselves.
	orig := h.get(access, r.json(t)["url"].(string), nil)
	if !bytes.Equal(orig.body, photo) {
		t.Error("the original changed")
	}
}

func TestAttachmentDedup(t *testing.T) {
	h := filesHarness(t)
	uid, access := h.accessUser(app.RoleMember, "Yoon")
	owner := newFakeOwner([]string{uid})
	data := zipLike(150_000, 5)
	a := h.upload(access, owner, "one.zip", data)
	b := h.upload(access, owner, "two.zip", data)
	wantStatus(t, a, 201, "first")
	wantStatus(t, b, 201, "second")
	if a.json(t)["id"] == b.json(t)["id"] {
		t.Fatal("one attachment for two uploads")
	}
	blobsRows := h.accCount(`SELECT count(*) FROM blobs`)
	files := 0
	filepath.WalkDir(blobsOf(h).Dir(), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if blobsRows != 1 || files != 1 {
		t.Fatalf("%d blob rows, %d files for the same content", blobsRows, files)
	}
}

func TestHighlightCSS(t *testing.T) {
	h := newHarness(t, options{})
	r := h.request("GET", "/api/v1/render/highlight.css", nil, nil)
	wantStatus(t, r, 200, "css")
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") || !bytes.Contains(r.body, []byte(".chroma")) {
		t.Fatalf("css: %s %.80s", r.Header.Get("Content-Type"), r.body)
	}
}
