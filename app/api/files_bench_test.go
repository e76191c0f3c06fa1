package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"nexus/app/api"
	"nexus/app/auth"
	"nexus/app/files"
	"nexus/store"
	"nexus/store/blobs"
)

// benchFilesServer serves auth and attachments (with a fake owner the
// signed-in owner may write to) on an in-memory listener, with Fiber's
// body limit raised for uploads as serve needs it. It returns a client,
// an access token and the owner's ID.
func benchFilesServer(b *testing.B) (*fasthttp.HostClient, string, string) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	tokens, err := auth.NewTokens(bytes.Repeat([]byte{7}, 32), 15*time.Minute, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	limiter := auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 10000, FreeFailures: 5, BaseDelay: time.Second,
		MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, time.Now)
	svc := auth.NewService(authStore{Store: st}, tokens, auth.NewHasher(2), limiter, auth.Config{
		AccessTokenTTL: 15 * time.Minute, RefreshIdleTimeout: 7 * 24 * time.Hour,
		RefreshAbsoluteLifetime: 30 * 24 * time.Hour, PasswordMinLength: 8,
	}, time.Now, log)
	bs, err := blobs.Open(filepath.Join(b.TempDir(), "blobs"), bytes.Repeat([]byte{5}, blobs.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	fs := files.NewService(filesStore{st}, testBlobs{bs}, files.Config{MaxSize: testAttachmentMax}, log)
	fs.RegisterOwner(fakeOwnerType, authorizeFakeOwner)
	srv, err := api.New(api.Config{BodyLimit: 8 << 20, BodyLimitText: "8MiB", UploadLimit: testAttachmentMax + 1<<20, UploadLimitText: "25MiB", ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second},
		api.Deps{Auth: svc, Files: fs, Readiness: st, UI: testUI, Log: log, Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	ln := fasthttputil.NewInmemoryListener()
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown(time.Second) })
	client := &fasthttp.HostClient{Addr: "nexus.test", Dial: func(string) (net.Conn, error) { return ln.Dial() },
		MaxResponseBodySize: 64 << 20, ReadTimeout: 30 * time.Second}

	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	raw, _ := json.Marshal(map[string]string{"email": ownerEmail, "name": "Bench", "password": ownerPassword})
	req.SetRequestURI("http://nexus.test/api/v1/setup")
	req.Header.SetMethod("POST")
	req.Header.SetContentType("application/json")
	req.SetBody(raw)
	if err := client.Do(req, resp); err != nil || resp.StatusCode() != 201 {
		b.Fatalf("setup: %v %d %s", err, resp.StatusCode(), resp.Body())
	}
	var setup struct {
		AccessToken string `json:"access_token"`
		User        struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(resp.Body(), &setup); err != nil || setup.User.ID == "" {
		b.Fatalf("setup answer: %v %s", err, resp.Body())
	}
	return client, setup.AccessToken, setup.User.ID
}

const benchFileSize = 20 << 20

// BenchmarkAttachmentUpload20MiB: POST /api/v1/attachments with a 20 MiB
// file (new content every time, so nothing is deduplicated): multipart
// parsing, sniffing, SHA-256, AES-GCM, fsync, SQLite. MB/s is the figure
// the issue asks about (≥ 200).
func BenchmarkAttachmentUpload20MiB(b *testing.B) {
	client, token, userID := benchFilesServer(b)
	owner := newFakeOwner([]string{userID})
	data := zipLike(benchFileSize, 8)
	body, ct := uploadForm(b, fakeOwnerType, owner.id, "벤치마크 자료.zip", data, true)
	raw := body.Bytes()
	at := bytes.Index(raw, data[:64]) // where the file's bytes are in the body
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	b.SetBytes(benchFileSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		raw[at+100], raw[at+101], raw[at+102] = byte(i), byte(i>>8), byte(i>>16)
		req.Reset()
		req.SetRequestURI("http://nexus.test/api/v1/attachments")
		req.Header.SetMethod("POST")
		req.Header.SetContentType(ct)
		req.Header.Set("Authorization", "Bearer "+token)
		req.SetBodyRaw(raw)
		if err := client.Do(req, resp); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode() != 201 {
			b.Fatalf("upload: %d %s", resp.StatusCode(), resp.Body())
		}
	}
}

// BenchmarkAttachmentDownload20MiB: GET …/content of a 20 MiB attachment:
// permission check, decryption and authentication of every segment,
// streaming.
func BenchmarkAttachmentDownload20MiB(b *testing.B) {
	client, token, userID := benchFilesServer(b)
	owner := newFakeOwner([]string{userID})
	data := zipLike(benchFileSize, 9)
	body, ct := uploadForm(b, fakeOwnerType, owner.id, "download.zip", data, true)
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://nexus.test/api/v1/attachments")
	req.Header.SetMethod("POST")
	req.Header.SetContentType(ct)
	req.Header.Set("Authorization", "Bearer "+token)
	req.SetBody(body.Bytes())
	if err := client.Do(req, resp); err != nil || resp.StatusCode() != 201 {
		b.Fatalf("upload: %v %d %s", err, resp.StatusCode(), resp.Body())
	}
	var a struct {
		URL string `json:"url"`
	}
	json.Unmarshal(resp.Body(), &a)
	req.Reset()
	req.SetRequestURI("http://nexus.test" + a.URL)
	req.Header.Set("Authorization", "Bearer "+token)
	b.SetBytes(benchFileSize)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := client.Do(req, resp); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode() != 200 || len(resp.Body()) != benchFileSize {
			b.Fatalf("download: %d, %d bytes", resp.StatusCode(), len(resp.Body()))
		}
	}
}
