package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// refreshCookieName is the refresh cookie of the contract (Path=/api/v1/auth).
const refreshCookieName = "nexus_refresh"

// authResponse is the AuthResponse of the contract.
type authResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	User        struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Role  string `json:"role"`
	} `json:"user"`
}

// credentials of the owner the generator creates through /api/v1/setup.
type credentials struct {
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	Password string `json:"password"`
}

var benchOwner = credentials{Email: "bench@example.com", Name: "Bench", Password: "bench-password-123"}

// newHTTPClient returns a keep-alive client sized for conns concurrent
// connections to one loopback host.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil, // never proxy 127.0.0.1
			DisableCompression:  true,
			MaxIdleConns:        conns + 16,
			MaxIdleConnsPerHost: conns + 16,
			IdleConnTimeout:     90 * time.Second,
		},
		// The API never redirects; treat a redirect as the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// drain reads and closes a response body so the connection is reused.
func drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// refreshCookie extracts the non-empty nexus_refresh cookie value from the
// Set-Cookie headers of a response.
func refreshCookie(h http.Header) (string, bool) {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == refreshCookieName && c.Value != "" && c.MaxAge >= 0 {
			return c.Value, true
		}
	}
	return "", false
}

// apiError is a non-success answer of the API, with the contract's error body.
type apiError struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration
	Body       string
}

func (e *apiError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("HTTP %d: %.200s", e.Status, strings.TrimSpace(e.Body))
}

func newAPIError(resp *http.Response, body []byte) *apiError {
	e := &apiError{Status: resp.StatusCode, Body: string(body)}
	var eb struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &eb) == nil {
		e.Code, e.Message = eb.Error.Code, eb.Error.Message
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// postJSON posts v as JSON and decodes a wantStatus answer into out. It
// returns the response headers (for Set-Cookie).
func postJSON(ctx context.Context, c *http.Client, url string, v any, wantStatus int, out any) (http.Header, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != wantStatus {
		return resp.Header, newAPIError(resp, rb)
	}
	if out != nil {
		if err := json.Unmarshal(rb, out); err != nil {
			return resp.Header, fmt.Errorf("decode %s answer: %w", url, err)
		}
	}
	return resp.Header, nil
}

// setupOwner creates the first (owner) account and returns its access token.
func setupOwner(ctx context.Context, c *http.Client, base string) (string, error) {
	var ar authResponse
	if _, err := postJSON(ctx, c, base+"/api/v1/setup", benchOwner, http.StatusCreated, &ar); err != nil {
		return "", fmt.Errorf("POST /api/v1/setup: %w", err)
	}
	if ar.AccessToken == "" {
		return "", fmt.Errorf("POST /api/v1/setup: 201 without access_token")
	}
	return ar.AccessToken, nil
}

// login signs the bench owner in and returns the access token and the
// refresh cookie value.
func login(ctx context.Context, c *http.Client, base string) (token, cookie string, err error) {
	var ar authResponse
	h, err := postJSON(ctx, c, base+"/api/v1/auth/login",
		credentials{Email: benchOwner.Email, Password: benchOwner.Password}, http.StatusOK, &ar)
	if err != nil {
		return "", "", err
	}
	cookie, ok := refreshCookie(h)
	if !ok {
		return "", "", fmt.Errorf("login answered 200 without a %s cookie", refreshCookieName)
	}
	return ar.AccessToken, cookie, nil
}

// loginRetrying is login that waits out 429s (honouring Retry-After) for up
// to a minute; it is used to build the session pool, not for measurement.
func loginRetrying(ctx context.Context, c *http.Client, base string) (string, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		_, cookie, err := login(ctx, c, base)
		if err == nil {
			return cookie, nil
		}
		ae, ok := err.(*apiError)
		if !ok || ae.Status != http.StatusTooManyRequests || time.Now().After(deadline) {
			return "", fmt.Errorf("POST /api/v1/auth/login: %w", err)
		}
		wait := ae.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
	}
}

// createAccessToken creates a read-only personal access token for the bench
// owner (POST /api/v1/me/tokens, with the owner's session access token) and
// returns the token.
func createAccessToken(ctx context.Context, c *http.Client, base, access string) (string, error) {
	body, err := json.Marshal(map[string]any{"name": "loadgen", "scopes": []string{"read"}, "expires_in_days": 1})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/me/tokens", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /api/v1/me/tokens: %w", newAPIError(resp, rb))
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(rb, &out); err != nil || !strings.HasPrefix(out.Token, "nxp_") {
		return "", fmt.Errorf("POST /api/v1/me/tokens: unexpected body %.200s", rb)
	}
	return out.Token, nil
}

// getMe checks that a token works for GET /api/v1/me.
func getMe(ctx context.Context, c *http.Client, base, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/me", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api/v1/me: %w", newAPIError(resp, body))
	}
	var u struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(body, &u); err != nil || u.Email != benchOwner.Email {
		return fmt.Errorf("GET /api/v1/me: unexpected body %.200s", body)
	}
	return nil
}

// get performs a plain GET and discards the body (warm-up traffic).
func get(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	drain(resp)
	return resp.StatusCode, nil
}
