package api_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"nexus/app"
)

func TestProfileUpdate(t *testing.T) {
	h := newHarness(t, options{})
	_, access := h.accUser("kim@example.com", "Kim", app.RoleMember)
	me := h.accWant(h.me(access), 200, "me")
	v := me["version"]

	body := h.accWant(h.request("PATCH", "/api/v1/me", map[string]any{"name": "  김하늘 ", "language": "ko",
		"timezone": "Asia/Seoul", "version": v}, accBearer(access)), 200, "update")
	if body["name"] != "김하늘" || body["language"] != "ko" || body["timezone"] != "Asia/Seoul" ||
		body["version"] != v.(float64)+1 || body["mfa_enrollment_required"] != false {
		t.Fatalf("after update: %v", body)
	}
	// Someone (another tab) working from the old version gets a conflict
	// with the current one.
	d := h.accError(h.request("PATCH", "/api/v1/me", map[string]any{"name": "Old tab", "version": v}, accBearer(access)),
		409, "conflict", "version_conflict", "stale version")
	if d["current_version"] != body["version"] {
		t.Fatalf("details = %v", d)
	}
	invalid := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"timezone": "Mars/Olympus", "version": body["version"]}, "timezone"},
		{map[string]any{"timezone": "Local", "version": body["version"]}, "timezone"},
		{map[string]any{"language": "fr", "version": body["version"]}, "language"},
		{map[string]any{"name": " ", "version": body["version"]}, "name"},
		{map[string]any{"name": strings.Repeat("가", 101), "version": body["version"]}, "name"},
		{map[string]any{"name": "X"}, "version"},
	}
	for _, tt := range invalid {
		d := h.accError(h.request("PATCH", "/api/v1/me", tt.body, accBearer(access)), 400, "invalid", "", "invalid "+tt.field)
		if d["field"] != tt.field {
			t.Errorf("%v: details %v, want field %s", tt.body, d, tt.field)
		}
	}
	// Empty language and time zone mean "follow the browser".
	body = h.accWant(h.request("PATCH", "/api/v1/me", map[string]any{"language": "", "timezone": "", "version": body["version"]},
		accBearer(access)), 200, "clear")
	if body["language"] != "" || body["timezone"] != "" {
		t.Fatalf("after clearing: %v", body)
	}
	if got := h.accWant(h.me(access), 200, "me"); got["name"] != "김하늘" || got["version"] != body["version"] {
		t.Fatalf("GET /me after updates: %v", got)
	}
	if a := h.audit(app.ActionUserProfileUpdated); len(a) != 2 || len(a[1].Details["fields"].([]any)) != 3 {
		t.Fatalf("profile audit = %+v", a)
	}
}

func accPNG(t *testing.T, w, h int) []byte {
	t.Helper()
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

func accJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// accUpload sends a file as multipart/form-data to PUT /me/avatar.
func (h *harness) accUpload(access, filename, ctype string, data []byte) response {
	h.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	hdr := make(map[string][]string)
	hdr["Content-Disposition"] = []string{`form-data; name="file"; filename="` + filename + `"`}
	hdr["Content-Type"] = []string{ctype}
	part, err := mw.CreatePart(hdr)
	if err != nil {
		h.t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	req := httptest.NewRequest("PUT", "/api/v1/me/avatar", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+access)
	return h.do(req)
}

func TestAvatar(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 8 << 20})
	userID, access := h.accUser("kim@example.com", "Kim", app.RoleMember)
	_, other := h.accUser("lee@example.com", "Lee", app.RoleGuest)

	body := h.accWant(h.accUpload(access, "me.png", "image/png", accPNG(t, 300, 200)), 200, "PNG upload")
	avatarURL, _ := body["avatar_url"].(string)
	if !strings.HasPrefix(avatarURL, "/api/v1/users/"+userID+"/avatar?v=") {
		t.Fatalf("avatar_url = %q", avatarURL)
	}
	// Any signed-in user may fetch it; it is a 256×256 PNG.
	r := h.request("GET", avatarURL, nil, accBearer(other))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		r.Header.Get("Cache-Control") != "private, max-age=86400" {
		t.Fatalf("GET avatar: %d %v", r.StatusCode, r.Header)
	}
	img, err := png.Decode(bytes.NewReader(r.body))
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 256 {
		t.Fatalf("avatar image: %v %v", err, img)
	}
	h.accError(h.request("GET", avatarURL, nil, nil), 401, "unauthorized", "", "anonymous avatar")

	// JPEG (declared as anything: the content decides) is accepted too.
	h.clock.advance(time.Second)
	body = h.accWant(h.accUpload(access, "photo.bin", "application/octet-stream", accJPEG(t, 64, 128)), 200, "JPEG upload")
	if body["avatar_url"] == avatarURL {
		t.Fatalf("the avatar URL did not change with the picture: %v", body)
	}
	r = h.request("GET", body["avatar_url"].(string), nil, accBearer(access))
	if img, err := png.Decode(bytes.NewReader(r.body)); err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("JPEG avatar served as: %v %v", err, r.Header)
	}

	refused := []struct {
		name, filename, ctype string
		data                  []byte
	}{
		{"SVG", "a.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"SVG named png", "a.png", "image/png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`)},
		{"HTML", "a.png", "image/png", []byte(`<!DOCTYPE html><html><body><script>alert(1)</script></body></html>`)},
		{"text", "a.jpg", "image/jpeg", []byte("just some text, not an image at all")},
	}
	for _, tt := range refused {
		d := h.accError(h.accUpload(access, tt.filename, tt.ctype, tt.data), 415, "unsupported_media_type", "unsupported_type", tt.name)
		if d["field"] != "file" {
			t.Errorf("%s: details %v", tt.name, d)
		}
	}
	// A PNG header with damaged data is refused as undecodable.
	broken := accPNG(t, 10, 10)
	h.accError(h.accUpload(access, "b.png", "image/png", broken[:60]), 400, "invalid", "undecodable", "truncated PNG")
	// More than 5 MiB.
	big := append(accPNG(t, 8, 8), bytes.Repeat([]byte{0}, 5<<20)...)
	h.accError(h.accUpload(access, "big.png", "image/png", big), 413, "too_large", "", "oversize")
	// Not multipart at all.
	h.accError(h.request("PUT", "/api/v1/me/avatar", `{"file":"x"}`, accBearer(access)), 415, "unsupported_media_type", "", "JSON body")

	body = h.accWant(h.request("DELETE", "/api/v1/me/avatar", nil, accBearer(access)), 200, "delete avatar")
	if _, ok := body["avatar_url"]; ok {
		t.Fatalf("avatar_url after delete: %v", body)
	}
	h.accError(h.request("GET", "/api/v1/users/"+userID+"/avatar", nil, accBearer(other)), 404, "not_found", "", "deleted avatar")
}

func TestChangePassword(t *testing.T) {
	h := newHarness(t, options{})
	h.accInsertUser("kim@example.com", "Kim", app.RoleMember)
	first := h.accSignIn("kim@example.com")
	other := h.accSignIn("kim@example.com")
	access := accessToken(t, first)

	change := func(current, next string, signOut bool) response {
		return h.request("POST", "/api/v1/me/password", map[string]any{"current_password": current, "new_password": next,
			"sign_out_other_sessions": signOut}, accBearer(access))
	}
	d := h.accError(change("wrong password", "a brand new passphrase", false), 400, "invalid", "wrong_password", "wrong current")
	if d["field"] != "current_password" {
		t.Fatalf("details = %v", d)
	}
	d = h.accError(change(accPassword, "iloveyou", false), 400, "invalid", "common_password", "common new password")
	if d["field"] != "new_password" {
		t.Fatalf("details = %v", d)
	}
	h.accWant(change(accPassword, "a brand new passphrase", true), 204, "change")
	// This session goes on; the other one ended.
	h.accWant(h.me(access), 200, "current session")
	if r := h.refresh(refreshToken(t, other)); r.StatusCode != 401 {
		t.Fatalf("other session after sign-out: %d", r.StatusCode)
	}
	if r := h.refresh(refreshToken(t, first)); r.StatusCode != 200 {
		t.Fatalf("current session's refresh: %d", r.StatusCode)
	}
	if r := h.login("kim@example.com", accPassword, nil); r.StatusCode != 401 {
		t.Fatalf("old password still works: %d", r.StatusCode)
	}
	m := h.accLastMail("kim@example.com")
	if m.Kind != "password_changed" || !strings.Contains(m.Text, "was changed") || !strings.Contains(m.Text, "signed out") {
		t.Fatalf("notice:\n%s", m.Text)
	}
	a := h.audit(app.ActionUserPasswordChanged)
	if len(a) != 2 || a[0].Result != app.AuditSuccess || a[0].Details["sessions_ended"] != float64(1) || a[1].Result != app.AuditFailure {
		t.Fatalf("password audit = %+v", a)
	}

	// Wrong current passwords are limited per account.
	var last response
	for i := 0; i < 8; i++ {
		if last = change("guess "+string(rune('a'+i)), "another new passphrase", false); last.StatusCode == 429 {
			break
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("guessing the current password: %d %s, want 429", last.StatusCode, last.body)
	}
}

func TestChangeEmail(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	_, access := h.accUser("kim@example.com", "김하늘", app.RoleMember)
	v := h.accWant(h.me(access), 200, "me")["version"]
	h.accWant(h.request("PATCH", "/api/v1/me", map[string]any{"language": "ko", "version": v}, accBearer(access)), 200, "Korean")

	h.accError(h.request("POST", "/api/v1/me/email", map[string]string{"password": "nope nope nope", "email": "new@example.com"},
		accBearer(access)), 400, "invalid", "wrong_password", "wrong password")
	h.accError(h.request("POST", "/api/v1/me/email", map[string]string{"password": accPassword, "email": ownerEmail},
		accBearer(access)), 409, "conflict", "", "taken address")
	body := h.accWant(h.request("POST", "/api/v1/me/email", map[string]string{"password": accPassword, "email": "New@Example.com"},
		accBearer(access)), 200, "change email")
	if body["email"] != "new@example.com" {
		t.Fatalf("after change: %v", body)
	}
	// The old address is told, in Korean.
	m := h.accLastMail("kim@example.com")
	if m.Kind != "email_changed" || m.Language != "ko" || m.Subject != "Nexus 이메일 주소가 변경되었습니다" ||
		!strings.Contains(m.Text, "kim@example.com에서 new@example.com(으)로 변경되었습니다") {
		t.Fatalf("notice: %s\n%s", m.Subject, m.Text)
	}
	h.accSignIn("new@example.com")
	if a := h.audit(app.ActionUserEmailChanged); len(a) != 2 || a[0].Details["from"] != "kim@example.com" || a[0].Details["to"] != "new@example.com" {
		t.Fatalf("email audit = %+v", a)
	}
	_ = owner
}

// accResetToken asks for a reset link for email and returns its token.
func (h *harness) accResetToken(email string) string {
	h.t.Helper()
	h.accWant(h.request("POST", "/api/v1/auth/password/forgot", map[string]string{"email": email}, nil), 202, "forgot "+email)
	link := accLinkIn(h.t, h.accLastMail(email), "/reset-password?token=")
	u, err := url.Parse(link)
	if err != nil {
		h.t.Fatal(err)
	}
	return u.Query().Get("token")
}

func TestPasswordReset(t *testing.T) {
	h := newHarness(t, options{})
	h.accInsertUser("kim@example.com", "Kim", app.RoleMember)
	login := h.accSignIn("kim@example.com")

	// Unknown and known addresses get the same answer; only the known one
	// gets mail.
	unknown := h.request("POST", "/api/v1/auth/password/forgot", map[string]string{"email": "nobody@example.com"}, nil)
	before := len(h.accMails())
	token := h.accResetToken("kim@example.com")
	if unknown.StatusCode != 202 || string(unknown.body) != "{}" || len(h.accMails()) != before+1 {
		t.Fatalf("unknown address: %d %s (mails %d → %d)", unknown.StatusCode, unknown.body, before, len(h.accMails()))
	}
	for _, m := range h.accMails() {
		if m.To == "nobody@example.com" {
			t.Fatal("a mail was written for an unknown address")
		}
	}
	m := h.accLastMail("kim@example.com")
	if m.Kind != "password_reset" || m.Subject != "Reset your Nexus password" || !strings.Contains(m.Text, "for 30 minutes") ||
		!strings.Contains(m.Text, "http://example.com/reset-password?token=") {
		t.Fatalf("reset mail:\n%s", m.Text)
	}
	if a := h.audit(app.ActionUserPasswordResetRequested); len(a) != 2 || a[0].Result != app.AuditSuccess || a[1].Details["reason"] != "unknown_account" {
		t.Fatalf("request audit = %+v", a)
	}

	h.accError(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "123456789"}, nil),
		400, "invalid", "common_password", "common password")
	h.accWant(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "a brand new passphrase"}, nil),
		204, "reset")
	// Every session ended.
	if r := h.me(accessToken(t, login)); r.StatusCode != 401 {
		t.Fatalf("access token after reset: %d", r.StatusCode)
	}
	if r := h.refresh(refreshToken(t, login)); r.StatusCode != 401 {
		t.Fatalf("refresh after reset: %d", r.StatusCode)
	}
	if r := h.login("kim@example.com", "a brand new passphrase", nil); r.StatusCode != 200 {
		t.Fatalf("new password: %d", r.StatusCode)
	}
	// Reused link.
	h.accError(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "yet another passphrase"}, nil),
		400, "invalid", "token_invalid", "reused link")
	if m := h.accLastMail("kim@example.com"); m.Kind != "password_changed" || !strings.Contains(m.Text, "reset with a link") {
		t.Fatalf("notice after reset:\n%s", m.Text)
	}

	// Expired link (30 minutes).
	h.clock.advance(2 * time.Minute) // past the one-minute wait the last requests started
	token = h.accResetToken("kim@example.com")
	h.clock.advance(30*time.Minute + time.Second)
	h.accError(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "yet another passphrase"}, nil),
		400, "invalid", "token_invalid", "expired link")
	// A newer link replaces the older one.
	h.clock.advance(5 * time.Minute)
	older := h.accResetToken("kim@example.com")
	h.clock.advance(5 * time.Minute)
	newer := h.accResetToken("kim@example.com")
	h.accError(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": older, "password": "yet another passphrase"}, nil),
		400, "invalid", "token_invalid", "replaced link")
	h.accWant(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": newer, "password": "yet another passphrase"}, nil),
		204, "newest link")
	h.accError(h.request("POST", "/api/v1/auth/password/reset", map[string]string{"token": "made-up", "password": "yet another passphrase"}, nil),
		400, "invalid", "token_invalid", "unknown link")
	if a := h.audit(app.ActionUserPasswordReset); len(a) != 2 || a[1].Details["sessions_ended"] != float64(1) {
		t.Fatalf("reset audit = %+v", a)
	}
}

func TestForgotPasswordIsRateLimited(t *testing.T) {
	h := newHarness(t, options{})
	h.accInsertUser("kim@example.com", "Kim", app.RoleMember)
	forgot := func(email, ip string) response {
		return h.request("POST", "/api/v1/auth/password/forgot", map[string]string{"email": email}, header{"X-Forwarded-For": ip})
	}
	// Per address, known or not, from any IP: three, then a wait.
	for _, email := range []string{"kim@example.com", "nobody@example.com"} {
		for i := 0; i < 3; i++ {
			h.accWant(forgot(email, "192.0.2."+string(rune('1'+i))), 202, email)
		}
		r := forgot(email, "192.0.2.9")
		h.accError(r, 429, "rate_limited", "", "fourth request for "+email)
		if r.Header.Get("Retry-After") != "60" {
			t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
	}
	if n := len(h.accMails()); n != 3 {
		t.Fatalf("mails = %d, want 3", n)
	}
	// Per IP: ten a minute.
	var last response
	for i := 0; i < 12; i++ {
		if last = forgot("someone"+string(rune('a'+i))+"@example.com", "198.51.100.1"); last.StatusCode == 429 {
			break
		}
	}
	h.accError(last, 429, "rate_limited", "", "many addresses from one IP")
	// The wait ends.
	h.clock.advance(2 * time.Minute)
	h.accWant(forgot("kim@example.com", "192.0.2.1"), 202, "after the wait")
}
