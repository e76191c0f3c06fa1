package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/valyala/fasthttp"
)

// api is a client of one server's REST API.
type api struct {
	base string
	hc   *http.Client
	// posts is a leaner client for the one request the throughput phases
	// send flat out: the generator shares the machine with the server, and
	// net/http's per-request goroutines and allocations cost it about a
	// fifth of its own CPU there, which the server would otherwise have.
	posts *fasthttp.HostClient
}

func newAPI(base string, conns int) *api {
	return &api{base: base, posts: &fasthttp.HostClient{Addr: strings.TrimPrefix(base, "http://"), MaxConns: conns,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, NoDefaultUserAgentHeader: true}, hc: &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConns: conns + 16,
			MaxIdleConnsPerHost: conns + 16, IdleConnTimeout: 90 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// httpError is a non-success answer.
type httpError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d %.300s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// do sends a request (body as JSON when not nil) and decodes a 2xx answer
// into out. It returns the time the request took.
func (a *api) do(ctx context.Context, method, path, token string, body, out any, hdr map[string]string) (time.Duration, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := a.hc.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return elapsed, &httpError{Method: method, Path: path, Status: resp.StatusCode, Body: string(rb)}
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			return elapsed, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return elapsed, nil
}

type signIn struct {
	AccessToken string `json:"access_token"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
}

const ownerEmail, ownerPassword = "wsload-owner@example.com", "wsload-owner-Password-1!"

func (a *api) setup(ctx context.Context) (signIn, error) {
	var out signIn
	_, err := a.do(ctx, "POST", "/api/v1/setup", "", map[string]string{"email": ownerEmail, "name": "부하 시험 관리자",
		"password": ownerPassword}, &out, nil)
	return out, err
}

// register signs a new member up (the server runs with open registration).
// Each simulated person comes from their own address (X-Forwarded-For,
// with the generator trusted as a proxy): the sign-up limit is per client.
func (a *api) register(ctx context.Context, i int) (signIn, error) {
	var out signIn
	ip := fmt.Sprintf("10.%d.%d.%d", 1+i/65536%250, i/256%256, i%256)
	_, err := a.do(ctx, "POST", "/api/v1/auth/register", "", map[string]string{
		"email": fmt.Sprintf("wsload-%05d@example.com", i), "name": fmt.Sprintf("사용자 %05d", i),
		"password": fmt.Sprintf("wsload-Password-%05d!", i)}, &out, map[string]string{"X-Forwarded-For": ip})
	return out, err
}

type idJSON struct {
	ID string `json:"id"`
}

func (a *api) createChannel(ctx context.Context, token, name string) (string, error) {
	var out idJSON
	_, err := a.do(ctx, "POST", "/api/v1/channels", token, map[string]string{"name": name, "visibility": "public",
		"topic": "부하 시험 channel"}, &out, nil)
	return out.ID, err
}

func (a *api) join(ctx context.Context, token, channelID string) error {
	_, err := a.do(ctx, "POST", "/api/v1/channels/"+channelID+"/join", token, nil, nil, nil)
	return err
}

// accessToken creates a personal access token (read and write) for the
// signed-in member: it survives restarts of the server, so a seeded data
// directory can be reused without signing everyone in again (argon2id).
func (a *api) accessToken(ctx context.Context, session string, days int) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	_, err := a.do(ctx, "POST", "/api/v1/me/tokens", session, map[string]any{"name": "wsload",
		"scopes": []string{"read", "write"}, "expires_in_days": days}, &out, nil)
	return out.Token, err
}

func (a *api) ticket(ctx context.Context, token string) (string, error) {
	var out struct {
		Ticket string `json:"ticket"`
	}
	_, err := a.do(ctx, "POST", "/api/v1/ws/ticket", token, nil, &out, nil)
	return out.Ticket, err
}

// post sends a message whose body carries the send time, so receivers can
// compute post → deliver latency.
func (a *api) post(ctx context.Context, token, channelID string, n int64) (time.Duration, error) {
	body, err := json.Marshal(map[string]string{"body": fmt.Sprintf("%s%d:%d 부하 시험 메시지 — load test message", marker, time.Now().UnixNano(), n)})
	if err != nil {
		return 0, err
	}
	path := "/api/v1/channels/" + channelID + "/messages"
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(a.base + path)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.SetBodyRaw(body)
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) > 30*time.Second {
		deadline = time.Now().Add(30 * time.Second)
	}
	start := time.Now()
	err = a.posts.DoDeadline(req, resp, deadline)
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("POST %s: %w", path, err)
	}
	if st := resp.StatusCode(); st < 200 || st > 299 {
		return elapsed, &httpError{Method: "POST", Path: path, Status: st, Body: string(resp.Body())}
	}
	return elapsed, nil
}

type messagePage struct {
	Items []struct {
		ID  string `json:"id"`
		Seq int64  `json:"seq"`
	} `json:"items"`
}

func (a *api) messages(ctx context.Context, token, channelID, before string) (messagePage, time.Duration, error) {
	var out messagePage
	path := "/api/v1/channels/" + channelID + "/messages?limit=30"
	if before != "" {
		path += "&before=" + before
	}
	d, err := a.do(ctx, "GET", path, token, nil, &out, nil)
	return out, d, err
}

func (a *api) channel(ctx context.Context, token, channelID string) (time.Duration, error) {
	return a.do(ctx, "GET", "/api/v1/channels/"+channelID, token, nil, nil, nil)
}

func (a *api) members(ctx context.Context, token, channelID string) (time.Duration, error) {
	return a.do(ctx, "GET", "/api/v1/channels/"+channelID+"/members?limit=50", token, nil, nil, nil)
}

func (a *api) markRead(ctx context.Context, token, channelID string, seq int64) (time.Duration, error) {
	return a.do(ctx, "POST", "/api/v1/channels/"+channelID+"/read", token, map[string]int64{"seq": seq}, nil, nil)
}

func (a *api) unread(ctx context.Context, token string) (time.Duration, error) {
	return a.do(ctx, "GET", "/api/v1/unread", token, nil, nil, nil)
}

// metric reads one unlabelled sample from /metrics.
func (a *api) metric(ctx context.Context, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			_, err := fmt.Sscan(v, &f)
			return f, err
		}
	}
	return 0, fmt.Errorf("metric %s not found", name)
}
