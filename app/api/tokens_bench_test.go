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
	"nexus/store"
)

// benchServer serves the API on an in-memory listener, so a benchmark
// measures the server's work per request (routing, middleware,
// authentication, handler, JSON) without the cost of a network. It returns
// a keep-alive client, the owner's JWT access token and a personal access
// token of the owner.
//
// It wires the auth service as buildDeps does, and only it: buildDeps takes
// a *testing.T, and the other modules' services are not on GET /me's path
// when their features are off.
func benchServer(b *testing.B, apiRateLimit int) (client *fasthttp.HostClient, jwt, pat string) {
	b.Helper()
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	tokens, err := auth.NewTokens(key, 15*time.Minute, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	limiter := auth.NewLimiter(auth.LimiterConfig{IPPerMinute: 10000, FreeFailures: 5, BaseDelay: time.Second,
		MaxDelay: 15 * time.Minute, ForgetAfter: time.Hour}, time.Now)
	svc := auth.NewService(authStore{Store: st}, tokens, auth.NewHasher(2), limiter, auth.Config{
		AccessTokenTTL: 15 * time.Minute, RefreshIdleTimeout: 7 * 24 * time.Hour,
		RefreshAbsoluteLifetime: 30 * 24 * time.Hour, PasswordMinLength: 8,
	}, time.Now, log)
	srv, err := api.New(api.Config{BodyLimit: 64 << 10, BodyLimitText: "64KiB", ReadTimeout: 5 * time.Second,
		WriteTimeout: 5 * time.Second, IdleTimeout: 5 * time.Second, APIRateLimit: apiRateLimit},
		api.Deps{Auth: svc, Readiness: st, UI: testUI, Log: log, Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	ln := fasthttputil.NewInmemoryListener()
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown(time.Second) })
	client = &fasthttp.HostClient{Addr: "nexus.test", Dial: func(string) (net.Conn, error) { return ln.Dial() }, MaxConns: 64}

	post := func(path, bearer string, body any, out any) {
		b.Helper()
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		raw, _ := json.Marshal(body)
		req.SetRequestURI("http://nexus.test" + path)
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		req.SetBody(raw)
		if err := client.Do(req, resp); err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode() != 201 {
			b.Fatalf("POST %s: %d %s", path, resp.StatusCode(), resp.Body())
		}
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			b.Fatal(err)
		}
	}
	var setup struct {
		AccessToken string `json:"access_token"`
	}
	post("/api/v1/setup", "", map[string]string{"email": ownerEmail, "name": "Bench", "password": ownerPassword}, &setup)
	var created struct {
		Token string `json:"token"`
	}
	post("/api/v1/me/tokens", setup.AccessToken, map[string]any{"name": "bench", "scopes": []string{"read"}}, &created)
	return client, setup.AccessToken, created.Token
}

// BenchmarkMe compares GET /api/v1/me with a session's JWT and with a
// personal access token, with the per-user rate limit off and on. The issue
// asks that a token request cost at most 10% more than a JWT request.
func BenchmarkMe(b *testing.B) {
	for _, limit := range []struct {
		name  string
		perMn int
	}{{"", 0}, {"limited/", 1 << 30}} {
		for _, kind := range []string{"jwt", "pat"} {
			b.Run(limit.name+kind, func(b *testing.B) {
				client, jwt, pat := benchServer(b, limit.perMn)
				bearer := "Bearer " + jwt
				if kind == "pat" {
					bearer = "Bearer " + pat
				}
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				req.SetRequestURI("http://nexus.test/api/v1/me")
				req.Header.Set("Authorization", bearer)
				for b.Loop() {
					if err := client.Do(req, resp); err != nil {
						b.Fatal(err)
					}
					if resp.StatusCode() != 200 {
						b.Fatalf("GET /me: %d %s", resp.StatusCode(), resp.Body())
					}
				}
			})
		}
	}
}

// BenchmarkMeParallel is BenchmarkMe with requests from every core at once
// (one user, so every request hits the same rate-limit bucket): it shows
// contention, which the sequential benchmark cannot.
func BenchmarkMeParallel(b *testing.B) {
	for _, limit := range []struct {
		name  string
		perMn int
	}{{"", 0}, {"limited/", 1 << 30}} {
		for _, kind := range []string{"jwt", "pat"} {
			b.Run(limit.name+kind, func(b *testing.B) {
				client, jwt, pat := benchServer(b, limit.perMn)
				bearer := "Bearer " + jwt
				if kind == "pat" {
					bearer = "Bearer " + pat
				}
				b.SetParallelism(4)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
					defer fasthttp.ReleaseRequest(req)
					defer fasthttp.ReleaseResponse(resp)
					req.SetRequestURI("http://nexus.test/api/v1/me")
					req.Header.Set("Authorization", bearer)
					for pb.Next() {
						if err := client.Do(req, resp); err != nil {
							b.Error(err)
							return
						}
						if resp.StatusCode() != 200 {
							b.Errorf("GET /me: %d %s", resp.StatusCode(), resp.Body())
							return
						}
					}
				})
			})
		}
	}
}
