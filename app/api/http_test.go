package api_test

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestErrorShapesAndStatuses(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 4096})
	h.setup()
	login := "/api/v1/auth/login"
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		hdr        header
		wantStatus int
		wantCode   string
		wantField  string
		wantInMsg  string
	}{
		{"unknown api path", "GET", "/api/v1/nope", "", nil, 404, "not_found", "", "/api/v1/nope"},
		{"unknown api version", "POST", "/api/v2/auth/login", "", nil, 404, "not_found", "", ""},
		{"wrong content type", "POST", login, `{"email":"a@b.c","password":"x"}`, header{"Content-Type": "text/plain"}, 415, "unsupported_media_type", "", "application/json"},
		{"no content type", "POST", login, `{"email":"a@b.c","password":"x"}`, header{"Content-Type": ""}, 415, "unsupported_media_type", "", ""},
		{"malformed json", "POST", login, `{"email": "a@b.c",`, nil, 400, "invalid", "", "JSON"},
		{"syntax error", "POST", login, `{"email" "a@b.c"}`, nil, 400, "invalid", "", "byte"},
		{"unknown field", "POST", login, `{"email":"a@b.c","password":"x","remember":true}`, nil, 400, "invalid", "remember", "remember"},
		{"wrong type", "POST", login, `{"email":42,"password":"x"}`, nil, 400, "invalid", "email", "string"},
		{"not an object", "POST", login, `["a@b.c"]`, nil, 400, "invalid", "", "object"},
		{"empty body", "POST", login, ``, header{"Content-Type": "application/json"}, 400, "invalid", "", "empty"},
		{"trailing data", "POST", login, `{"email":"a@b.c","password":"x"} {}`, nil, 400, "invalid", "", "extra data"},
		{"method not allowed", "DELETE", "/healthz", "", nil, 405, "method_not_allowed", "", ""},
		{"json with charset", "POST", login, `{"email":"owner@example.com","password":"wrong password"}`, header{"Content-Type": "application/json; charset=utf-8"}, 401, "unauthorized", "", ""},
	}
	for _, tt := range tests {
		var body any
		if tt.body != "" {
			body = tt.body
		}
		r := h.request(tt.method, tt.path, body, tt.hdr)
		checkError(t, tt.name, r, tt.wantStatus, tt.wantCode, tt.wantField, tt.wantInMsg)
	}
}

// checkError asserts the documented error shape.
func checkError(t *testing.T, name string, r response, status int, code, field, inMsg string) {
	t.Helper()
	if r.StatusCode != status {
		t.Errorf("%s: status %d, want %d: %s", name, r.StatusCode, status, r.body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error Content-Type = %q", name, ct)
		return
	}
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok || e["code"] != code || e["message"] == "" {
		t.Errorf("%s: body = %s, want error.code %q with a message", name, r.body, code)
		return
	}
	if rid, _ := m["request_id"].(string); rid == "" || rid != r.Header.Get("X-Request-ID") {
		t.Errorf("%s: request_id %q does not match header %q", name, rid, r.Header.Get("X-Request-ID"))
	}
	if field != "" {
		if d, _ := e["details"].(map[string]any); d["field"] != field {
			t.Errorf("%s: details = %v, want field %q", name, e["details"], field)
		}
	}
	if !strings.Contains(e["message"].(string), inMsg) {
		t.Errorf("%s: message %q does not mention %q", name, e["message"], inMsg)
	}
}

// Uploads may be larger than other bodies: a JSON body over the API limit is
// refused even though the connection admits a larger upload.
func TestJSONBodyLimitBelowUploadLimit(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 4096})
	body := `{"email":"` + strings.Repeat("a", 8000) + `@b.c","password":"x"}`
	r := h.request("POST", "/api/v1/auth/login", body, nil)
	checkError(t, "json over the limit", r, 413, "too_large", "", "64KiB")
}

// The body limit is enforced while reading the request, before routing, so
// it is tested over a real connection rather than app.Test.
func TestBodyTooLarge(t *testing.T) {
	h := newHarness(t, options{bodyLimit: 4096, uploadLimit: 4096})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h.srv.Serve(ln)
	t.Cleanup(func() { h.srv.Shutdown(time.Second) })
	body := `{"email":"` + strings.Repeat("a", 8000) + `@b.c","password":"x"}`
	resp, err := http.Post("http://"+ln.Addr().String()+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkError(t, "too large", response{Response: resp, body: raw}, 413, "too_large", "", "limit")
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	h := newHarness(t, options{onFind: func(email string) {
		switch email {
		case "panic@example.com":
			panic("index out of range in handler")
		case "fail@example.com":
			panic(errDiskOnFire)
		}
	}})
	for _, email := range []string{"panic@example.com", "fail@example.com"} {
		r := h.login(email, "whatever password", header{"X-Request-ID": "req-" + strings.Split(email, "@")[0]})
		if r.StatusCode != 500 || r.errorCode(t) != "internal" {
			t.Fatalf("%s: %d %s, want 500 internal", email, r.StatusCode, r.body)
		}
		if strings.Contains(string(r.body), "disk on fire") || strings.Contains(string(r.body), "index out of range") ||
			strings.Contains(string(r.body), "/var/lib") {
			t.Fatalf("internal details leaked: %s", r.body)
		}
		rid := r.json(t)["request_id"]
		if rid != "req-"+strings.Split(email, "@")[0] || !strings.Contains(r.json(t)["error"].(map[string]any)["message"].(string), rid.(string)) {
			t.Fatalf("the message must carry the request ID %v: %s", rid, r.body)
		}
		if !strings.Contains(h.logs.String(), `"request_id":"`+rid.(string)+`"`) {
			t.Fatalf("the log has no line for request %v", rid)
		}
	}
	// The server survives.
	if r := h.request("GET", "/healthz", nil, nil); r.StatusCode != 200 {
		t.Fatal("server did not survive a panic")
	}
}

func TestRequestIDs(t *testing.T) {
	h := newHarness(t, options{})
	a := h.request("GET", "/healthz", nil, nil).Header.Get("X-Request-ID")
	b := h.request("GET", "/healthz", nil, nil).Header.Get("X-Request-ID")
	if a == "" || a == b {
		t.Fatalf("request IDs %q and %q must be present and distinct", a, b)
	}
	if got := h.request("GET", "/healthz", nil, header{"X-Request-ID": "proxy-abc-123"}).Header.Get("X-Request-ID"); got != "proxy-abc-123" {
		t.Fatalf("a sane incoming request ID must be kept, got %q", got)
	}
	if got := h.request("GET", "/healthz", nil, header{"X-Request-ID": "<script>"}).Header.Get("X-Request-ID"); got == "<script>" {
		t.Fatal("an unsafe incoming request ID was echoed")
	}
	if !strings.Contains(h.logs.String(), `"request_id":"proxy-abc-123"`) {
		t.Fatal("request log lines must carry the request ID")
	}
}

func TestCrossSiteWritesRefused(t *testing.T) {
	h := newHarness(t, options{})
	h.setup()
	body := map[string]string{"email": ownerEmail, "password": ownerPassword}
	tests := []struct {
		name string
		hdr  header
		want int
	}{
		{"cross-site fetch", header{"Sec-Fetch-Site": "cross-site"}, 403},
		{"same-site other origin", header{"Sec-Fetch-Site": "same-site"}, 403},
		{"foreign origin", header{"Origin": "https://evil.example"}, 403},
		{"null origin", header{"Origin": "null"}, 403},
		{"same origin browser", header{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, 200},
		{"non-browser client", nil, 200},
	}
	for _, tt := range tests {
		r := h.request("POST", "/api/v1/auth/login", body, tt.hdr)
		if r.StatusCode != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, r.StatusCode, r.body, tt.want)
		}
		if tt.want == 403 && r.errorCode(t) != "forbidden" {
			t.Errorf("%s: code %q", tt.name, r.errorCode(t))
		}
	}
	// Forwarded headers only count from a trusted proxy.
	direct := newHarness(t, options{noProxy: true})
	direct.setup()
	r0 := direct.request("POST", "/api/v1/auth/login", body, header{"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"})
	if r0.StatusCode != 403 {
		t.Fatalf("spoofed X-Forwarded-Host from an untrusted client: %d, want 403", r0.StatusCode)
	}
	if r := direct.request("POST", "/api/v1/auth/login", body, header{"Origin": "http://example.com"}); r.StatusCode != 200 {
		t.Fatalf("same origin by Host header: %d %s", r.StatusCode, r.body)
	}
	if r := direct.request("POST", "/api/v1/auth/login", body, header{"X-Forwarded-Proto": "https"}); r.cookie("nexus_refresh").Secure {
		t.Fatal("an untrusted X-Forwarded-Proto made the cookie Secure")
	}

	// A cross-site request cannot use the refresh cookie either.
	tok := refreshToken(t, h.login(ownerEmail, ownerPassword, nil))
	r := h.request("POST", "/api/v1/auth/refresh", nil, header{"Cookie": "nexus_refresh=" + tok, "Origin": "https://evil.example"})
	if r.StatusCode != 403 {
		t.Fatalf("cross-origin refresh: %d", r.StatusCode)
	}
	if r := h.refresh(tok); r.StatusCode != 200 {
		t.Fatalf("the refused cross-site call must not spend the token: %d", r.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, options{})
	for _, path := range []string{"/", "/api/v1/setup", "/healthz", "/api/v1/nope"} {
		r := h.request("GET", path, nil, nil)
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
		} {
			if got := r.Header.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
		csp := r.Header.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("%s: CSP allows unsafe scripts: %q", path, csp)
		}
	}
	if cc := h.request("GET", "/api/v1/setup", nil, nil).Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("API Cache-Control = %q, want no-store", cc)
	}
}

func TestSPAServing(t *testing.T) {
	h := newHarness(t, options{})
	for _, path := range []string{"/", "/login", "/some/deep/client/route", "/index.html"} {
		r := h.request("GET", path, nil, nil)
		if r.StatusCode != 200 || !strings.Contains(string(r.body), `<div id="root">`) {
			t.Fatalf("%s: %d %s, want index.html", path, r.StatusCode, r.body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", path, cc)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
	}
	js := h.request("GET", "/assets/app-3f2a.js", nil, nil)
	if js.StatusCode != 200 || js.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.Contains(js.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("hashed asset: %d %v", js.StatusCode, js.Header)
	}
	if r := h.request("GET", "/assets/missing-0000.js", nil, nil); r.StatusCode != 404 {
		t.Fatalf("missing asset: %d, want 404 (not index.html)", r.StatusCode)
	}
	etag := js.Header.Get("ETag")
	if r := h.request("GET", "/assets/app-3f2a.js", nil, header{"If-None-Match": etag}); r.StatusCode != 304 {
		t.Fatalf("conditional GET: %d, want 304", r.StatusCode)
	}
	req := httptest.NewRequest("GET", "/assets/app-3f2a.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	gz := h.do(req)
	if gz.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("no gzip for a large script: %v", gz.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(gz.body)))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != string(js.body) {
		t.Fatal("gzip body differs from the file")
	}
}

func TestHealthReadyAndMetrics(t *testing.T) {
	h := newHarness(t, options{})
	if r := h.request("GET", "/healthz", nil, nil); r.StatusCode != 200 || r.json(t)["status"] != "ok" {
		t.Fatalf("healthz: %d %s", r.StatusCode, r.body)
	}
	r := h.request("GET", "/readyz", nil, nil)
	m := r.json(t)
	_, latest, err := h.store.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 || m["status"] != "ready" || m["store"] != "ok" || m["migrations"] != "ok" || m["schema_version"] != float64(latest) {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.body)
	}
	h.setup()
	h.request("GET", "/api/v1/nope/123", nil, nil)
	metrics := string(h.request("GET", "/metrics", nil, nil).body)
	for _, want := range []string{
		`nexus_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`nexus_http_requests_total{method="POST",route="/api/v1/setup",status="201"} 1`,
		`nexus_http_requests_total{method="GET",route="/api/*",status="404"} 1`,
		`nexus_http_request_duration_seconds_bucket{method="GET",route="/readyz",le="+Inf"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, "/api/v1/nope/123") {
		t.Error("metrics are labelled with a raw path; use the route template")
	}

	// Shutting down: readyz turns 503 at once so load balancers move on.
	if err := h.srv.Shutdown(0); err != nil {
		t.Fatal(err)
	}
	if r := h.request("GET", "/readyz", nil, nil); r.StatusCode != 503 {
		t.Fatalf("readyz while draining: %d", r.StatusCode)
	}
}

func TestReadyzBeforeMigrations(t *testing.T) {
	h := newHarness(t, options{skipMigrate: true})
	r := h.request("GET", "/readyz", nil, nil)
	if r.StatusCode != 503 || r.json(t)["migrations"] != "pending" {
		t.Fatalf("unmigrated store: %d %s, want 503 pending", r.StatusCode, r.body)
	}
}

// Every registered route must be documented in docs/api/openapi.yaml, and
// every documented route must exist.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	h := newHarness(t, options{})
	param := regexp.MustCompile(`:([a-zA-Z_]+)`)
	registered := map[string]bool{}
	for _, r := range h.srv.Routes() {
		switch {
		case r.Method == "HEAD" || r.Method == "USE" || r.Method == "OPTIONS" || r.Method == "CONNECT" || r.Method == "TRACE":
			continue
		case r.Path == "/*" || r.Path == "/api/*" || r.Path == "/" && r.Method != "GET":
			continue // the SPA fallback and the JSON 404 catch-alls
		}
		registered[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
	}
	var missing, stale []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from docs/api/openapi.yaml: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("documented routes that do not exist: %v", stale)
	}
	if len(registered) < 9 {
		t.Fatalf("only %d routes found; the route listing is broken", len(registered))
	}
}

// Every $ref in the OpenAPI document points at something that exists.
func TestOpenAPIReferencesResolve(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	components, _ := doc["components"].(map[string]any)
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				n++
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				section, _ := components[parts[0]].(map[string]any)
				if len(parts) != 2 || section[parts[1]] == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if n < 50 {
		t.Fatalf("only %d references found; the walk is broken", n)
	}
}

// Every tag an operation uses is declared, so generated docs group them.
func TestOpenAPITagsDeclared(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "api", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tags  []struct{ Name string } `yaml:"tags"`
		Paths map[string]map[string]any
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, tg := range doc.Tags {
		declared[tg.Name] = true
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			m, _ := op.(map[string]any)
			tags, _ := m["tags"].([]any)
			for _, tg := range tags {
				if !declared[tg.(string)] {
					t.Errorf("%s %s uses undeclared tag %q", method, path, tg)
				}
			}
		}
	}
}
