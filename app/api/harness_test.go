package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/auth"
	"nexus/store"
)

// clock is a settable time shared by the store and the auth service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// authStore adapts the real store to auth.Store, with an optional hook
// that lets a test make a lookup fail or panic.
type authStore struct {
	*store.Store
	onFind func(email string)
}

func (a authStore) FindUserByEmail(ctx context.Context, email string) (*app.User, error) {
	if a.onFind != nil {
		a.onFind(email)
	}
	return a.Store.FindUserByEmail(ctx, email)
}

func (a authStore) Update(ctx context.Context, fn func(auth.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type options struct {
	ipPerMinute  int
	freeFailures int
	bodyLimit    int
	uploadLimit  int // largest multipart body; default 26 MiB
	publicURL    string
	skipMigrate  bool
	noProxy      bool // do not trust the test client as a proxy
	onFind       func(email string)
}

type harness struct {
	t       *testing.T
	srv     *api.Server
	store   *store.Store
	clock   *clock
	logs    *bytes.Buffer
	signKey []byte
}

var testUI = fstest.MapFS{
	"index.html":            {Data: []byte(`<!doctype html><html><head><script type="module" src="/assets/app-3f2a.js"></script></head><body><div id="root"></div></body></html>`)},
	"assets/app-3f2a.js":    {Data: []byte(strings.Repeat("console.log('nexus');\n", 200))},
	"assets/style-91bc.css": {Data: []byte("body{margin:0}")},
	"favicon.svg":           {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
}

func newHarness(t *testing.T, o options) *harness {
	t.Helper()
	if o.ipPerMinute == 0 {
		o.ipPerMinute = 10000
	}
	if o.freeFailures == 0 {
		o.freeFailures = 5
	}
	if o.bodyLimit == 0 {
		o.bodyLimit = 64 << 10
	}
	if o.uploadLimit == 0 {
		o.uploadLimit = 26 << 20
	}
	clk := &clock{t: time.Now().UTC()}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if !o.skipMigrate {
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	key := bytes.Repeat([]byte{7}, 32)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: logs}, nil))
	deps := buildDeps(t, st, clk, key, o, log)
	var proxies []*net.IPNet
	if !o.noProxy {
		_, testClient, _ := net.ParseCIDR("0.0.0.0/32")
		proxies = append(proxies, testClient)
	}
	srv, err := api.New(api.Config{
		BodyLimit: o.bodyLimit, BodyLimitText: "64KiB", UploadLimit: o.uploadLimit, UploadLimitText: "25MiB", ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second,
		IdleTimeout: 5 * time.Second, PublicURL: o.publicURL,
		// app.Test connects from 0.0.0.0; trusting it lets tests choose the
		// client address with X-Forwarded-For.
		TrustedProxies: proxies, LogRequests: true,
	}, deps)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: srv, store: st, clock: clk, logs: logs, signKey: key}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// response is a finished request with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.body)
	}
	return m
}

func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r response) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

type header map[string]string

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := h.srv.App().Test(req, -1)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{Response: resp, body: body}
}

// request sends body (a string is sent as is, anything else as JSON).
func (h *harness) request(method, path string, body any, hdr header) response {
	h.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	return h.do(req)
}

const (
	ownerEmail    = "owner@example.com"
	ownerPassword = "correct horse battery"
)

// setup creates the owner through the API and returns the response.
func (h *harness) setup() response {
	h.t.Helper()
	r := h.request("POST", "/api/v1/setup", map[string]string{"email": ownerEmail, "name": "김민지", "password": ownerPassword}, nil)
	if r.StatusCode != http.StatusCreated {
		h.t.Fatalf("setup: %d %s", r.StatusCode, r.body)
	}
	return r
}

func (h *harness) login(email, password string, hdr header) response {
	h.t.Helper()
	return h.request("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, hdr)
}

func (h *harness) refresh(token string) response {
	h.t.Helper()
	hdr := header{}
	if token != "" {
		hdr["Cookie"] = "nexus_refresh=" + token
	}
	return h.request("POST", "/api/v1/auth/refresh", nil, hdr)
}

func (h *harness) me(access string) response {
	h.t.Helper()
	return h.request("GET", "/api/v1/me", nil, header{"Authorization": "Bearer " + access})
}

func accessToken(t *testing.T, r response) string {
	t.Helper()
	tok, _ := r.json(t)["access_token"].(string)
	if tok == "" {
		t.Fatalf("no access token in %s", r.body)
	}
	return tok
}

func refreshToken(t *testing.T, r response) string {
	t.Helper()
	c := r.cookie("nexus_refresh")
	if c == nil || c.Value == "" {
		t.Fatalf("no refresh cookie in response %d %s", r.StatusCode, r.body)
	}
	return c.Value
}

func (h *harness) audit(action string) []app.AuditEntry {
	h.t.Helper()
	entries, err := h.store.FindAuditEntries(context.Background(), store.AuditFilter{Action: action})
	if err != nil {
		h.t.Fatal(err)
	}
	return entries
}

var errDiskOnFire = errors.New("disk on fire at /var/lib/nexus/nexus.db")
