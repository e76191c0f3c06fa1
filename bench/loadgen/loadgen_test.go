package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestRefreshCookie(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   string
		ok     bool
	}{
		{"rotated", http.Header{"Set-Cookie": {"nexus_refresh=abc.DEF_123; Path=/api/v1/auth; HttpOnly; SameSite=Strict; Max-Age=604800"}}, "abc.DEF_123", true},
		{"among others", http.Header{"Set-Cookie": {"other=1; Path=/", "nexus_refresh=tok; Path=/api/v1/auth; HttpOnly"}}, "tok", true},
		{"cleared", http.Header{"Set-Cookie": {"nexus_refresh=; Path=/api/v1/auth; Max-Age=0"}}, "", false},
		{"expired with value", http.Header{"Set-Cookie": {"nexus_refresh=old; Path=/api/v1/auth; Max-Age=0"}}, "", false},
		{"absent", http.Header{"Content-Type": {"application/json"}}, "", false},
		{"similar name", http.Header{"Set-Cookie": {"nexus_refresh_x=tok"}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := refreshCookie(tt.header)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("refreshCookie = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMinMedianMax(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		in          []time.Duration
		lo, med, hi time.Duration
	}{
		{ms(5), 5 * time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		{ms(30, 10, 20), 10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond},
		{ms(40, 10, 30, 20), 10 * time.Millisecond, 25 * time.Millisecond, 40 * time.Millisecond},
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		lo, med, hi := minMedianMax(tt.in)
		if lo != tt.lo || med != tt.med || hi != tt.hi {
			t.Errorf("minMedianMax(%v) = %v %v %v; want %v %v %v", in, lo, med, hi, tt.lo, tt.med, tt.hi)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("minMedianMax reordered its input")
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	durs := map[time.Duration]string{
		0:                         "0",
		420 * time.Microsecond:    "0.42ms",
		9876 * time.Microsecond:   "9.88ms",
		123456 * time.Microsecond: "123ms",
		45678 * time.Microsecond:  "45.7ms",
		2500 * time.Millisecond:   "2.50s",
	}
	for d, want := range durs {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q; want %q", d, got, want)
		}
	}
	pcts := map[float64]string{1: "100.00%", 0.999999: "99.99%", 0.5: "50.00%", 0.9999: "99.99%", 0: "0.00%"}
	for f, want := range pcts {
		if got := fmtPct(f); got != want {
			t.Errorf("fmtPct(%v) = %q; want %q", f, got, want)
		}
	}
	if got := fmtMB(42_300_000); got != "42.3 MB" {
		t.Errorf("fmtMB = %q", got)
	}
}

func TestCollector(t *testing.T) {
	c := newCollector()
	t0 := time.Now()
	for i := 0; i < 100; i++ {
		c.add(&vegeta.Result{Code: 200, Timestamp: t0.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Duration(i+1) * 100 * time.Microsecond})
	}
	c.add(&vegeta.Result{Code: 401, Error: "401 Unauthorized", Timestamp: t0.Add(500 * time.Millisecond), Latency: time.Millisecond})
	c.add(&vegeta.Result{Code: 0, Error: "connection refused", Timestamp: t0.Add(600 * time.Millisecond), Latency: time.Millisecond})
	c.add(&vegeta.Result{Code: 302, Timestamp: t0.Add(700 * time.Millisecond), Latency: time.Millisecond})
	lr := c.result(loadResult{Endpoint: "GET /x", Concurrency: 2})
	if lr.Requests != 103 || lr.OK != 100 {
		t.Fatalf("requests/ok = %d/%d; want 103/100", lr.Requests, lr.OK)
	}
	if lr.StatusCodes["no response"] != 1 || lr.StatusCodes["401"] != 1 || lr.StatusCodes["302"] != 1 {
		t.Errorf("status codes = %v", lr.StatusCodes)
	}
	if len(lr.Errors) != 3 {
		t.Errorf("errors = %v; want 3 distinct (401, refused, HTTP 302)", lr.Errors)
	}
	if lr.Max != 10*time.Millisecond {
		t.Errorf("max = %v", lr.Max)
	}
	if lr.P50 < 4*time.Millisecond || lr.P50 > 6*time.Millisecond {
		t.Errorf("p50 = %v; want ≈ 5ms", lr.P50)
	}
	// 100 OK over the window from the first send (t0) to the last answer (t0+990ms+10ms).
	if lr.Throughput < 99 || lr.Throughput > 101 {
		t.Errorf("throughput = %v; want ≈ 100/s", lr.Throughput)
	}
}

func TestJudge(t *testing.T) {
	base := loadResult{Requests: 1000, OK: 1000, P99: 5 * time.Millisecond}
	tests := []struct {
		name string
		lr   loadResult
		want bool
	}{
		{"rate met", with(base, func(l *loadResult) { l.Rate = 10000; l.Throughput = 9950 }), true},
		{"rate short", with(base, func(l *loadResult) { l.Rate = 10000; l.Throughput = 9000 }), false},
		{"p99 too slow", with(base, func(l *loadResult) { l.Rate = 10000; l.Throughput = 10000; l.P99 = 11 * time.Millisecond }), false},
		{"one error", with(base, func(l *loadResult) { l.Rate = 10000; l.Throughput = 10000; l.OK = 999 }), false},
		{"max met, slow p99 not judged", with(base, func(l *loadResult) { l.Throughput = 12000; l.P99 = 50 * time.Millisecond }), true},
		{"max short", with(base, func(l *loadResult) { l.Throughput = 9999 }), false},
		{"no requests", loadResult{Rate: 10000}, false},
	}
	for _, tt := range tests {
		lr := tt.lr
		lr.judge(targetMeRate, targetMeP99)
		if lr.Pass != tt.want {
			t.Errorf("%s: pass = %v; want %v (target %s)", tt.name, lr.Pass, tt.want, lr.Target)
		}
	}
}

func with(lr loadResult, f func(*loadResult)) loadResult { f(&lr); return lr }

func TestRenderTable(t *testing.T) {
	rep := &report{
		Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Binary: "/x/bin/nexus", Version: "nexus v0.1.0", CPUs: 2, Background: 0.1,
		Startup:   summariseStartup([]time.Duration{100 * time.Millisecond, 120 * time.Millisecond, 110 * time.Millisecond}, []time.Duration{20 * time.Millisecond}),
		IdleStart: memoryResult{RSS: 30_000_000, HWM: 31_000_000, Pass: true},
		IdleAfter: memoryResult{RSS: 50_000_000, HWM: 90_000_000},
	}
	ok := loadResult{Endpoint: "GET /api/v1/me", Rate: 10000, Concurrency: 50, Requests: 100000, OK: 100000, Throughput: 9990, Success: 1, P50: 300 * time.Microsecond, P95: time.Millisecond, P99: 2 * time.Millisecond, Max: 20 * time.Millisecond}
	ok.judge(targetMeRate, targetMeP99)
	bad := loadResult{Endpoint: "POST /api/v1/auth/refresh", Concurrency: 50, Requests: 10, OK: 9, Throughput: 9, Success: 0.9,
		StatusCodes: map[string]int{"200": 9, "401": 1}, Errors: []errorCount{{"401 Unauthorized", 1}}}
	bad.judge(targetRefresh, 0)
	rep.Load = []loadResult{ok, bad}

	var buf bytes.Buffer
	render(&buf, rep)
	out := buf.String()
	for _, want := range []string{
		"min 100ms", "median 110ms", "max 120ms", "30.0 MB (peak 31.0 MB)", "50.0 MB",
		"endpoint", "p99", "GET /api/v1/me", "rate 10000/s", "9990", "100.00%", "2.00ms", "PASS",
		"POST /api/v1/auth/refresh", "max", "90.00%", "FAIL", "1 of 10 requests failed", "200×9 401×1", "1 × 401 Unauthorized",
		"some targets missed", "0.10 of 2 cores were busy",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	buf.Reset()
	if err := writeJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"p99_ms": 2`, `"throughput_rps": 9990`, `"all_pass": false`, `"median_ms": 110`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestParseFlagsQuick(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseFlags([]string{"--quick", "--sessions", "8"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if c.duration != 2*time.Second || c.sessions != 8 || c.startRuns != 3 || c.concurrency != 50 {
		t.Errorf("quick config = %+v", c)
	}
	if _, err := parseFlags([]string{"--concurrency", "0"}, &stderr); err == nil {
		t.Error("--concurrency 0 accepted")
	}
}

func TestTokenCostComparison(t *testing.T) {
	jwt := loadResult{Endpoint: "GET /api/v1/me", Rate: 10000, Requests: 100000, OK: 100000, ServerCPUSeconds: 10} // 100 µs each
	tests := []struct {
		name      string
		patCPU    float64
		patOK     uint64
		wantRatio float64
		wantPass  bool
		wantKnown bool
	}{
		{"cheaper", 9, 100000, 0.9, true, true},
		{"10% more is the limit", 11, 100000, 1.1, true, true},
		{"too expensive", 11.5, 100000, 1.15, false, true},
		{"errors fail it", 9, 99999, 0.9, false, true},
		{"CPU unknown", 0, 100000, 0, false, false},
	}
	for _, tt := range tests {
		pat := loadResult{Endpoint: "GET /api/v1/me (PAT)", Rate: 10000, Requests: 100000, OK: tt.patOK, ServerCPUSeconds: tt.patCPU}
		tc := compareTokenCost(jwt, pat)
		if tc.Known != tt.wantKnown || tc.Pass != tt.wantPass || (tc.Ratio-tt.wantRatio) > 0.01 || (tt.wantRatio-tc.Ratio) > 0.01 {
			t.Errorf("%s: %+v; want ratio %.2f pass %v known %v", tt.name, tc, tt.wantRatio, tt.wantPass, tt.wantKnown)
		}
	}
	rep := &report{CPUs: 2, TokenCost: []tokenCost{compareTokenCost(jwt, loadResult{Rate: 10000, Requests: 100000, OK: 100000, ServerCPUSeconds: 10.5})}}
	var buf bytes.Buffer
	render(&buf, rep)
	for _, want := range []string{"Personal access token vs JWT", "rate 10000/s", "100.0µs", "105.0µs", "+5.0%", "PASS"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
	buf.Reset()
	if err := writeJSON(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"ratio": 1.05`) || !strings.Contains(buf.String(), `"pat_server_cpu_us_per_request": 105`) {
		t.Errorf("JSON lacks the comparison:\n%s", buf.String())
	}
}
