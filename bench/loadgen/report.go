package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// Targets of issue 2 (Performance section), on a 2-core machine.
const (
	targetStartup    = 500 * time.Millisecond
	targetIdleRSS    = 60_000_000 // bytes (60 MB)
	targetMeRate     = 10_000     // req/s
	targetMeP99      = 10 * time.Millisecond
	targetRefresh    = 3_000 // req/s
	targetLogin      = 20    // req/s
	targetTokenCost  = 1.10  // a personal access token request may cost at most 10% more server CPU than a JWT one (issue 3)
	paceTolerance    = 0.99  // a fixed-rate run passes when it achieves ≥ 99% of the offered rate
	mb               = 1_000_000
	maxErrorsPrinted = 5
	noisyCPU         = 0.25 // "other" cores above which a row is flagged as disturbed
)

type errorCount struct {
	Message string `json:"message"`
	Count   int    `json:"count"`
}

// loadResult is one row of the load table.
type loadResult struct {
	Endpoint    string
	Rate        int // offered req/s; 0 = as fast as the workers go
	Concurrency int
	Sessions    int
	Duration    time.Duration // configured
	Elapsed     time.Duration // first request sent → last answer received

	Requests   uint64
	OK         uint64
	Throughput float64 // successful (200) answers per second
	Success    float64 // OK / Requests
	P50, P95   time.Duration
	P99, Max   time.Duration

	ServerCPU        float64 // cores used by the server during the run
	ServerCPUSeconds float64 // CPU time the server used during the run
	GenCPU           float64 // cores used by this generator during the run
	OtherCPU         float64 // cores busy with anything else (other processes, interrupts)

	StatusCodes map[string]int
	Errors      []errorCount
	Notes       []string

	Target string
	Pass   bool
}

func (lr loadResult) mode() string {
	if lr.Rate > 0 {
		return fmt.Sprintf("rate %d/s", lr.Rate)
	}
	return "max"
}

// judge sets Target and Pass for a row against its endpoint's target.
//
//   - fixed-rate rows pass when every answer was 200, at least 99% of the
//     offered rate was achieved and (for /me) p99 stayed within the bound;
//   - max rows pass when every answer was 200 and the throughput reached the
//     target (latency at saturation is queueing, so it is shown, not judged).
func (lr *loadResult) judge(minRate int, maxP99 time.Duration) {
	allOK := lr.Requests > 0 && lr.OK == lr.Requests
	var parts []string
	pass := allOK
	if lr.Rate > 0 {
		parts = append(parts, fmt.Sprintf("≥%d/s", min(minRate, lr.Rate)))
		need := float64(min(minRate, lr.Rate)) * paceTolerance
		pass = pass && lr.Throughput >= need
	} else {
		parts = append(parts, fmt.Sprintf("≥%d/s", minRate))
		pass = pass && lr.Throughput >= float64(minRate)
	}
	if maxP99 > 0 && lr.Rate > 0 {
		parts = append(parts, "p99≤"+fmtDur(maxP99))
		pass = pass && lr.P99 <= maxP99
	}
	parts = append(parts, "100% ok")
	lr.Target = strings.Join(parts, ", ")
	lr.Pass = pass
}

// startupResult summarises the start-to-ready runs.
type startupResult struct {
	Runs     []time.Duration
	Stops    []time.Duration // SIGTERM → exit
	StopErrs []string
	Min      time.Duration
	Median   time.Duration
	Max      time.Duration
	Pass     bool
}

func summariseStartup(runs, stops []time.Duration) startupResult {
	sr := startupResult{Runs: runs, Stops: stops}
	if len(runs) == 0 {
		return sr
	}
	sr.Min, sr.Median, sr.Max = minMedianMax(runs)
	sr.Pass = sr.Max <= targetStartup
	return sr
}

// minMedianMax of a non-empty sample; the median of an even sample is the
// mean of the two middle values.
func minMedianMax(ds []time.Duration) (lo, med, hi time.Duration) {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return s[0], med, s[n-1]
}

// memoryResult is VmRSS (and the peak, VmHWM) at one moment.
type memoryResult struct {
	RSS  uint64
	HWM  uint64
	Err  string
	Pass bool
}

// report is everything one run of the generator measured.
type report struct {
	Started     time.Time
	Binary      string
	Version     string
	CPUs        int
	Settings    string
	Background  float64 // cores busy on the machine during 1 s before the run (-1 unknown)
	Startup     startupResult
	IdleStart   memoryResult
	IdleAfter   memoryResult
	Load        []loadResult
	TokenCost   []tokenCost // GET /api/v1/me with a personal access token vs a JWT
	Problems    []string    // harness-level problems (e.g. unclean shutdown)
	Error       string      // the error that ended the run early, if any
	Interrupted bool
}

func (r *report) allPass() bool {
	if r.Interrupted || r.Error != "" || !r.Startup.Pass || !r.IdleStart.Pass || len(r.Load) == 0 {
		return false
	}
	for _, lr := range r.Load {
		if !lr.Pass {
			return false
		}
	}
	for _, tc := range r.TokenCost {
		if tc.Known && !tc.Pass {
			return false
		}
	}
	return true
}

// tokenCost compares what GET /api/v1/me costs the server with a personal
// access token and with a session's JWT, run at the same settings: server
// CPU time per successful request. (Throughput alone would also move with
// the generator, which shares the machine.)
type tokenCost struct {
	Mode      string
	JWTMicros float64 // server CPU µs per 200 answer with the JWT
	PATMicros float64 // the same with the personal access token
	Ratio     float64 // PATMicros / JWTMicros
	Known     bool    // false when the server's CPU time could not be read
	Pass      bool
}

func cpuPerRequest(lr loadResult) float64 {
	if lr.OK == 0 || lr.ServerCPUSeconds <= 0 {
		return 0
	}
	return lr.ServerCPUSeconds / float64(lr.OK) * 1e6
}

func compareTokenCost(jwt, pat loadResult) tokenCost {
	tc := tokenCost{Mode: jwt.mode(), JWTMicros: cpuPerRequest(jwt), PATMicros: cpuPerRequest(pat)}
	if tc.JWTMicros > 0 && tc.PATMicros > 0 {
		tc.Known = true
		tc.Ratio = tc.PATMicros / tc.JWTMicros
		tc.Pass = tc.Ratio <= targetTokenCost && jwt.OK == jwt.Requests && pat.OK == pat.Requests
	}
	return tc
}

func verdict(pass bool) string {
	if pass {
		return "PASS"
	}
	return "FAIL"
}

// fmtDur prints a latency with a precision that suits its size.
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

func fmtMB(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/mb) }

func fmtRate(r float64) string {
	if r >= 100 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1f", r)
}

func fmtPct(f float64) string {
	// Round down, so that one failure in a million never shows as 100%.
	return fmt.Sprintf("%.2f%%", math.Floor(f*10000+1e-9)/100)
}

// render writes the human-readable report.
func render(w io.Writer, r *report) {
	fmt.Fprintf(w, "\nNexus load test — %s\n", r.Started.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(w, "binary   %s", r.Binary)
	if r.Version != "" {
		fmt.Fprintf(w, " (%s)", r.Version)
	}
	fmt.Fprintf(w, "\nmachine  %d CPUs, shared by the server and this generator\n", r.CPUs)
	fmt.Fprintf(w, "settings %s\n", r.Settings)
	if r.Background >= 0 {
		fmt.Fprintf(w, "before   %.2f of %d cores were busy with other work in the second before the run\n", r.Background, r.CPUs)
	}
	if r.Interrupted {
		fmt.Fprintf(w, "\n*** interrupted: the figures below are partial ***\n")
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Startup.Runs) > 0 || r.IdleStart.RSS > 0 || r.IdleStart.Err != "" {
		fmt.Fprintf(w, "\nServer\n")
		fmt.Fprintln(tw, "  measure\tvalue\ttarget\tresult")
	}
	if n := len(r.Startup.Runs); n > 0 {
		fmt.Fprintf(tw, "  start to ready, empty data dir (%d runs)\tmin %s  median %s  max %s\t≤ %s (every run)\t%s\n",
			n, fmtDur(r.Startup.Min), fmtDur(r.Startup.Median), fmtDur(r.Startup.Max), fmtDur(targetStartup), verdict(r.Startup.Pass))
	}
	if len(r.Startup.Stops) > 0 {
		lo, med, hi := minMedianMax(r.Startup.Stops)
		fmt.Fprintf(tw, "  SIGTERM to exit (same runs)\tmin %s  median %s  max %s\t-\t-\n", fmtDur(lo), fmtDur(med), fmtDur(hi))
	}
	writeMem := func(label string, m memoryResult, judged bool) {
		if m.Err != "" {
			fmt.Fprintf(tw, "  %s\t(%s)\t\t\n", label, m.Err)
			return
		}
		if m.RSS == 0 {
			return
		}
		target, res := "-", "-"
		if judged {
			target, res = "≤ "+fmtMB(targetIdleRSS), verdict(m.Pass)
		}
		fmt.Fprintf(tw, "  %s\t%s (peak %s)\t%s\t%s\n", label, fmtMB(m.RSS), fmtMB(m.HWM), target, res)
	}
	writeMem("idle RSS after start and warm-up", r.IdleStart, true)
	writeMem("idle RSS after the load phases", r.IdleAfter, false)
	tw.Flush()

	if len(r.Load) > 0 {
		fmt.Fprintf(w, "\nLoad (latency = send to last byte; req/s = 200 answers per second;\n      cpu = cores busy with the server / this generator / anything else, of %d)\n", r.CPUs)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		width, twidth := len("endpoint"), len("target")
		for _, lr := range r.Load {
			width = max(width, len(lr.Endpoint))
			twidth = max(twidth, utf8.RuneCountInString(lr.Target))
		}
		// Right-aligned numbers; text columns padded by hand to stay left-aligned.
		left := func(s string, w int) string { return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s))) }
		fmt.Fprintf(tw, "%s\tmode\tconc\trequests\treq/s\tsuccess\tp50\tp95\tp99\tmax\tsrv cpu\tgen cpu\tother\t%s\tresult\t\n",
			left("endpoint", width), left("target", twidth))
		for _, lr := range r.Load {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t\n",
				left(lr.Endpoint, width), lr.mode(), lr.Concurrency, lr.Requests, fmtRate(lr.Throughput), fmtPct(lr.Success),
				fmtDur(lr.P50), fmtDur(lr.P95), fmtDur(lr.P99), fmtDur(lr.Max), lr.ServerCPU, lr.GenCPU, lr.OtherCPU,
				left(lr.Target, twidth), verdict(lr.Pass))
		}
		tw.Flush()
		for _, lr := range r.Load {
			if lr.OK == lr.Requests && len(lr.Notes) == 0 {
				continue
			}
			fmt.Fprintf(w, "  %s %s: %d of %d requests failed; status codes %s\n",
				lr.Endpoint, lr.mode(), lr.Requests-lr.OK, lr.Requests, fmtCodes(lr.StatusCodes))
			for i, e := range lr.Errors {
				if i == maxErrorsPrinted {
					fmt.Fprintf(w, "      … %d more distinct errors\n", len(lr.Errors)-i)
					break
				}
				fmt.Fprintf(w, "      %7d × %s\n", e.Count, e.Message)
			}
			for _, n := range lr.Notes {
				fmt.Fprintf(w, "      note: %s\n", n)
			}
		}
	}
	if len(r.TokenCost) > 0 {
		fmt.Fprintf(w, "\nPersonal access token vs JWT (server CPU per GET /api/v1/me answered 200; target: at most +%.0f%%)\n",
			(targetTokenCost-1)*100)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  mode\tJWT\tPAT\tdifference\tresult")
		for _, tc := range r.TokenCost {
			if !tc.Known {
				fmt.Fprintf(tw, "  %s\t-\t-\t(server CPU time unknown)\t-\n", tc.Mode)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%.1fµs\t%.1fµs\t%+.1f%%\t%s\n", tc.Mode, tc.JWTMicros, tc.PATMicros, (tc.Ratio-1)*100, verdict(tc.Pass))
		}
		tw.Flush()
	}
	for _, lr := range r.Load {
		if lr.OtherCPU > noisyCPU {
			fmt.Fprintf(w, "\nnote: other work used more than %.2f cores during some runs (column \"other\"); those figures\n"+
				"      understate what the server can do on an otherwise idle machine. Re-run when the machine is quiet.\n", noisyCPU)
			break
		}
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "\nproblem: %s\n", p)
	}
	overall := "some targets missed (see FAIL rows)"
	switch {
	case r.Interrupted:
		overall = "interrupted; partial figures"
	case r.Error != "":
		overall = "the run stopped early: " + r.Error
	case r.allPass():
		overall = "all targets met"
	}
	fmt.Fprintf(w, "\nOverall: %s\n", overall)
}

func fmtCodes(codes map[string]int) string {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, codes[k])
	}
	return strings.Join(parts, " ")
}

// JSON form: durations in milliseconds, sizes in bytes.

type jsonLoad struct {
	Endpoint    string         `json:"endpoint"`
	Mode        string         `json:"mode"`
	OfferedRate int            `json:"offered_rate"`
	Concurrency int            `json:"concurrency"`
	Sessions    int            `json:"sessions,omitempty"`
	ElapsedMS   float64        `json:"elapsed_ms"`
	Requests    uint64         `json:"requests"`
	OK          uint64         `json:"ok"`
	Throughput  float64        `json:"throughput_rps"`
	Success     float64        `json:"success_ratio"`
	P50MS       float64        `json:"p50_ms"`
	P95MS       float64        `json:"p95_ms"`
	P99MS       float64        `json:"p99_ms"`
	MaxMS       float64        `json:"max_ms"`
	ServerCPU   float64        `json:"server_cpu_cores"`
	GenCPU      float64        `json:"generator_cpu_cores"`
	OtherCPU    float64        `json:"other_cpu_cores"`
	StatusCodes map[string]int `json:"status_codes"`
	Errors      []errorCount   `json:"errors,omitempty"`
	Notes       []string       `json:"notes,omitempty"`
	Target      string         `json:"target"`
	Pass        bool           `json:"pass"`
}

type jsonCost struct {
	Mode      string  `json:"mode"`
	JWTMicros float64 `json:"jwt_server_cpu_us_per_request"`
	PATMicros float64 `json:"pat_server_cpu_us_per_request"`
	Ratio     float64 `json:"ratio"`
	Target    float64 `json:"target_ratio"`
	Known     bool    `json:"known"`
	Pass      bool    `json:"pass"`
}

type jsonMem struct {
	RSSBytes uint64 `json:"rss_bytes"`
	HWMBytes uint64 `json:"peak_rss_bytes"`
	Error    string `json:"error,omitempty"`
}

type jsonReport struct {
	Started    time.Time `json:"started"`
	Binary     string    `json:"binary"`
	Version    string    `json:"version,omitempty"`
	CPUs       int       `json:"cpus"`
	Background float64   `json:"background_cpu_cores_before"`
	Settings   string    `json:"settings"`
	Startup    struct {
		RunsMS   []float64 `json:"runs_ms"`
		StopsMS  []float64 `json:"sigterm_to_exit_ms"`
		MinMS    float64   `json:"min_ms"`
		MedianMS float64   `json:"median_ms"`
		MaxMS    float64   `json:"max_ms"`
		TargetMS float64   `json:"target_ms"`
		Pass     bool      `json:"pass"`
	} `json:"startup"`
	IdleRSSAfterStart jsonMem    `json:"idle_rss_after_start"`
	IdleRSSAfterLoad  jsonMem    `json:"idle_rss_after_load"`
	IdleRSSTarget     uint64     `json:"idle_rss_target_bytes"`
	IdleRSSPass       bool       `json:"idle_rss_pass"`
	Load              []jsonLoad `json:"load"`
	TokenVsJWT        []jsonCost `json:"token_vs_jwt,omitempty"`
	Problems          []string   `json:"problems,omitempty"`
	Error             string     `json:"error,omitempty"`
	Interrupted       bool       `json:"interrupted,omitempty"`
	AllPass           bool       `json:"all_pass"`
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func writeJSON(w io.Writer, r *report) error {
	var j jsonReport
	j.Started, j.Binary, j.Version, j.CPUs, j.Settings, j.Background = r.Started, r.Binary, r.Version, r.CPUs, r.Settings, r.Background
	for _, d := range r.Startup.Runs {
		j.Startup.RunsMS = append(j.Startup.RunsMS, ms(d))
	}
	for _, d := range r.Startup.Stops {
		j.Startup.StopsMS = append(j.Startup.StopsMS, ms(d))
	}
	j.Startup.MinMS, j.Startup.MedianMS, j.Startup.MaxMS = ms(r.Startup.Min), ms(r.Startup.Median), ms(r.Startup.Max)
	j.Startup.TargetMS, j.Startup.Pass = ms(targetStartup), r.Startup.Pass
	j.IdleRSSAfterStart = jsonMem{r.IdleStart.RSS, r.IdleStart.HWM, r.IdleStart.Err}
	j.IdleRSSAfterLoad = jsonMem{r.IdleAfter.RSS, r.IdleAfter.HWM, r.IdleAfter.Err}
	j.IdleRSSTarget, j.IdleRSSPass = targetIdleRSS, r.IdleStart.Pass
	for _, lr := range r.Load {
		j.Load = append(j.Load, jsonLoad{
			Endpoint: lr.Endpoint, Mode: lr.mode(), OfferedRate: lr.Rate, Concurrency: lr.Concurrency,
			Sessions: lr.Sessions, ElapsedMS: ms(lr.Elapsed), Requests: lr.Requests, OK: lr.OK,
			Throughput: math.Round(lr.Throughput*10) / 10, Success: lr.Success,
			P50MS: ms(lr.P50), P95MS: ms(lr.P95), P99MS: ms(lr.P99), MaxMS: ms(lr.Max),
			ServerCPU: lr.ServerCPU, GenCPU: lr.GenCPU, OtherCPU: lr.OtherCPU, StatusCodes: lr.StatusCodes,
			Errors: lr.Errors, Notes: lr.Notes, Target: lr.Target, Pass: lr.Pass,
		})
	}
	for _, tc := range r.TokenCost {
		j.TokenVsJWT = append(j.TokenVsJWT, jsonCost{Mode: tc.Mode, JWTMicros: math.Round(tc.JWTMicros*10) / 10,
			PATMicros: math.Round(tc.PATMicros*10) / 10, Ratio: math.Round(tc.Ratio*1000) / 1000, Target: targetTokenCost,
			Known: tc.Known, Pass: tc.Pass})
	}
	j.Problems, j.Error, j.Interrupted, j.AllPass = r.Problems, r.Error, r.Interrupted, r.allPass()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}
