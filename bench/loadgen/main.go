// Command loadgen is the Nexus load generator behind `make bench`.
//
// It starts the real nexus binary itself (on 127.0.0.1, a free port and a
// fresh temporary data directory), measures start-to-ready, idle memory and
// the throughput and latency of the hot API endpoints, stops the server and
// prints one table:
//
//	go build -o bin/nexus . && go run ./bench/loadgen --bin ./bin/nexus
//	go run ./bench/loadgen --bin ./bin/nexus --quick        # smoke test, ~20 s
//	go run ./bench/loadgen --bin ./bin/nexus --json > b.json
//
// Phases, in order:
//
//  1. start to ready: `nexus serve` on an empty data dir N times; time from
//     exec to the first 200 of GET /readyz (polled every 2 ms).
//  2. a fresh server for the load (with NEXUS_AUTH_LOGIN_IP_LIMIT and
//     NEXUS_AUTH_API_RATE_LIMIT raised so that neither the generator's
//     sign-ins nor its API calls are refused — the per-user limiter still
//     runs on every request): POST /api/v1/setup, a personal access token
//     (POST /api/v1/me/tokens), a short warm-up, an idle pause, then VmRSS
//     ("idle after start").
//  3. GET /api/v1/me through vegeta, at a fixed open-model rate and then
//     unthrottled, with --concurrency workers: each once with the owner's
//     session access token (JWT) and once with the personal access token,
//     at the same settings, and the server CPU per request of the two
//     compared (a token may cost at most 10% more).
//  4. POST /api/v1/auth/refresh over a pool of --sessions signed-in sessions;
//     every session is used by one request at a time and carries the rotated
//     cookie forward, so no refresh token is ever reused. Fixed rate, then max.
//  5. POST /api/v1/auth/login with a few closed-loop clients (argon2id bound).
//  6. an idle pause, then VmRSS again ("after load").
//
// The server is stopped with SIGTERM (SIGKILL after 5 s) and its directory
// removed on every exit path, Ctrl-C included. Exit status: 0 when the run
// completed (targets met or not), 1 on a harness error, 3 with --strict when a
// target was missed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

var errUsage = errors.New("usage")

// envList is a repeatable --server-env flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }

func (e *envList) Set(v string) error {
	k, _, ok := strings.Cut(v, "=")
	if !ok || !strings.HasPrefix(k, "NEXUS_") {
		return errors.New("want NEXUS_SECTION_KEY=value")
	}
	*e = append(*e, v)
	return nil
}

type config struct {
	bin           string
	duration      time.Duration
	concurrency   int
	sessions      int
	meRate        int
	refreshRate   int
	startRuns     int
	idle          time.Duration
	loginDuration time.Duration
	loginConc     int
	logLevel      string
	serverEnv     envList
	quick         bool
	json          bool
	strict        bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "./bin/nexus", "path of the nexus binary to start")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "length of each load run (/me and refresh, fixed-rate and max)")
	fs.IntVar(&c.concurrency, "concurrency", 50, "concurrent clients (workers) for /me and refresh")
	fs.IntVar(&c.sessions, "sessions", 64, "signed-in sessions in the refresh pool")
	fs.IntVar(&c.meRate, "me-rate", targetMeRate, "offered rate (req/s) of the fixed-rate GET /api/v1/me run")
	fs.IntVar(&c.refreshRate, "refresh-rate", targetRefresh, "offered rate (req/s) of the fixed-rate refresh run")
	fs.IntVar(&c.startRuns, "start-runs", 5, "number of start-to-ready measurements")
	fs.DurationVar(&c.idle, "idle", 3*time.Second, "idle pause before each RSS reading")
	fs.DurationVar(&c.loginDuration, "login-duration", 3*time.Second, "length of the sign-in run")
	fs.IntVar(&c.loginConc, "login-concurrency", 4, "concurrent clients for the sign-in run")
	fs.StringVar(&c.logLevel, "server-log-level", "", "pass --log-level to the server (default: the server's default)")
	fs.Var(&c.serverEnv, "server-env", "extra NEXUS_SECTION_KEY=value for every server started (repeatable), e.g. NEXUS_LOG_REQUESTS=false")
	fs.BoolVar(&c.quick, "quick", false, "smoke test: 2 s runs, 3 starts, 1 s idle, 16 sessions (explicit flags still win)")
	fs.BoolVar(&c.json, "json", false, "write the results as JSON to stdout (the table goes to stderr)")
	fs.BoolVar(&c.strict, "strict", false, "exit with status 3 when a target is missed")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./bench/loadgen [flags]\n\nStarts the nexus binary on 127.0.0.1 and measures start-up, idle memory and API load.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			err = errUsage // the flag package has printed the problem and the usage
		}
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		defaults := map[string]func(){
			"duration":       func() { c.duration = 2 * time.Second },
			"start-runs":     func() { c.startRuns = 3 },
			"idle":           func() { c.idle = time.Second },
			"login-duration": func() { c.loginDuration = time.Second },
			"sessions":       func() { c.sessions = 16 },
		}
		for name, apply := range defaults {
			if !set[name] {
				apply()
			}
		}
	}
	switch {
	case c.duration <= 0 || c.duration > 10*time.Minute:
		return c, errors.New("--duration must be between 0 and 10m")
	case c.concurrency < 1 || c.concurrency > 10000:
		return c, errors.New("--concurrency must be between 1 and 10000")
	case c.sessions < 1 || c.sessions > 10000:
		return c, errors.New("--sessions must be between 1 and 10000")
	case c.meRate < 0 || c.refreshRate < 0:
		return c, errors.New("rates must be ≥ 0 (0 skips the fixed-rate run)")
	case c.startRuns < 0 || c.startRuns > 100:
		return c, errors.New("--start-runs must be between 0 and 100")
	case c.loginConc < 1 || c.loginDuration < 0:
		return c, errors.New("--login-concurrency must be ≥ 1 and --login-duration ≥ 0")
	case c.idle < 0:
		return c, errors.New("--idle must be ≥ 0")
	}
	return c, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
		}
		return 2
	}
	bin, err := filepath.Abs(cfg.bin)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: nexus binary: %v (build it with `go build -o bin/nexus .`)\n", err)
		return 1
	}
	cfg.bin = bin

	// Ctrl-C / SIGTERM cancel ctx; every phase returns early and the deferred
	// stops below kill the servers and remove their directories. A second
	// Ctrl-C kills the generator outright (the kernel then kills the server).
	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() { <-ctx.Done(); stopSignals() }()

	rep := &report{
		Started: time.Now(),
		Binary:  cfg.bin,
		Version: binaryVersion(cfg.bin),
		CPUs:    runtime.NumCPU(),
		Settings: fmt.Sprintf("duration %s, concurrency %d, sessions %d, /me rate %d/s, refresh rate %d/s, %d starts, idle %s, sign-in %s × %d%s",
			cfg.duration, cfg.concurrency, cfg.sessions, cfg.meRate, cfg.refreshRate, cfg.startRuns, cfg.idle, cfg.loginDuration, cfg.loginConc, envNote(cfg.serverEnv)),
	}
	rep.Background = backgroundLoad(ctx)
	runErr := measure(ctx, cfg, rep, stderr)
	if ctx.Err() != nil {
		rep.Interrupted = true
	} else if runErr != nil {
		msg, _, _ := strings.Cut(runErr.Error(), "\n") // the log tail is printed below the table
		rep.Error = msg
	}

	table := stdout
	if cfg.json {
		table = stderr
		if err := writeJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "loadgen: %v\n", err)
		}
	}
	render(table, rep)
	switch {
	case rep.Interrupted:
		fmt.Fprintln(stderr, "loadgen: interrupted")
		return 130
	case runErr != nil:
		fmt.Fprintf(stderr, "\nloadgen: %v\n", runErr)
		return 1
	case cfg.strict && !rep.allPass():
		return 3
	}
	return 0
}

func envNote(env []string) string {
	if len(env) == 0 {
		return ""
	}
	return ", server env " + strings.Join(env, " ")
}

// backgroundLoad measures how many cores the machine keeps busy for one
// second before anything starts (-1 when unknown).
func backgroundLoad(ctx context.Context) float64 {
	b0, err := machineBusy()
	if err != nil {
		return -1
	}
	t0 := time.Now()
	if sleepCtx(ctx, time.Second) != nil {
		return -1
	}
	b1, err := machineBusy()
	if err != nil {
		return -1
	}
	return max(0, (b1-b0).Seconds()/time.Since(t0).Seconds())
}

// binaryVersion returns the first line of `nexus version`, or "".
func binaryVersion(bin string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}

func progress(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func readMemory(pid int) memoryResult {
	rss, hwm, err := procMemory(pid)
	if err != nil {
		return memoryResult{Err: err.Error()}
	}
	return memoryResult{RSS: rss, HWM: hwm, Pass: rss <= targetIdleRSS}
}

// measure runs all phases, filling rep as it goes so that a failure or an
// interruption still leaves the figures measured so far.
func measure(ctx context.Context, cfg config, rep *report, log io.Writer) error {
	// 1. Start to ready, each on a fresh data dir with the default config.
	var starts, stops []time.Duration
	for i := 0; i < cfg.startRuns; i++ {
		s, d, err := startReady(ctx, serverOptions{bin: cfg.bin, logLevel: cfg.logLevel, env: cfg.serverEnv})
		if err != nil {
			return fmt.Errorf("start-to-ready run %d: %w", i+1, err)
		}
		stopDur, stopErr := s.stop()
		starts = append(starts, d)
		stops = append(stops, stopDur)
		if stopErr != nil {
			rep.Problems = append(rep.Problems, fmt.Sprintf("start run %d: %v", i+1, stopErr))
		}
		rep.Startup = summariseStartup(starts, stops)
		progress(log, "start %d/%d: ready in %s, stopped in %s", i+1, cfg.startRuns, fmtDur(d), fmtDur(stopDur))
	}

	// 2. The server under load.
	s, d, err := startReady(ctx, serverOptions{
		bin:      cfg.bin,
		logLevel: cfg.logLevel,
		// A billion requests a minute: the per-user limiter does its work on
		// every request but never refuses one.
		env: append([]string{"NEXUS_AUTH_LOGIN_IP_LIMIT=100000", "NEXUS_AUTH_API_RATE_LIMIT=1000000000"}, cfg.serverEnv...),
	})
	if err != nil {
		return fmt.Errorf("load server: %w", err)
	}
	defer func() {
		if _, err := s.stop(); err != nil {
			rep.Problems = append(rep.Problems, "load server: "+err.Error())
		}
	}()
	progress(log, "load server pid %d on %s ready in %s", s.pid(), s.addr, fmtDur(d))
	pid := s.pid()
	fail := func(err error) error { return s.serverError(err) }

	api := newHTTPClient(8)
	defer api.CloseIdleConnections()
	token, err := setupOwner(ctx, api, s.base)
	if err != nil {
		return fail(err)
	}
	if err := getMe(ctx, api, s.base, token); err != nil {
		return fail(err)
	}
	pat, err := createAccessToken(ctx, api, s.base, token)
	if err != nil {
		return fail(err)
	}
	// Warm-up: touch the routes and code paths the load will use.
	for i := 0; i < 200; i++ {
		for _, t := range []string{token, pat} {
			if err := getMe(ctx, api, s.base, t); err != nil {
				return fail(err)
			}
		}
	}
	for _, p := range []string{"/readyz", "/healthz", "/api/v1/setup", "/"} {
		if _, err := get(ctx, api, s.base+p); err != nil {
			return fail(err)
		}
	}
	api.CloseIdleConnections()
	progress(log, "owner created, warmed up; idling %s", cfg.idle)
	if err := sleepCtx(ctx, cfg.idle); err != nil {
		return err
	}
	rep.IdleStart = readMemory(pid)
	progress(log, "idle RSS after start: %s", fmtMB(rep.IdleStart.RSS))

	// 3. GET /api/v1/me.
	meRuns := []int{cfg.meRate, 0}
	if cfg.meRate == 0 {
		meRuns = []int{0}
	}
	for _, rate := range meRuns {
		var pair []loadResult
		for _, cred := range []struct{ endpoint, token string }{{"GET /api/v1/me", token}, {"GET /api/v1/me (PAT)", pat}} {
			lr := runMe(ctx, cred.endpoint, s.base, cred.token, rate, cfg.concurrency, cfg.duration, pid)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			lr.judge(targetMeRate, targetMeP99)
			rep.Load = append(rep.Load, lr)
			pair = append(pair, lr)
			progress(log, "%s %s: %s req/s, p99 %s, %s ok, %.1fµs server CPU per request", lr.Endpoint, lr.mode(),
				fmtRate(lr.Throughput), fmtDur(lr.P99), fmtPct(lr.Success), cpuPerRequest(lr))
			if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
				return err
			}
		}
		rep.TokenCost = append(rep.TokenCost, compareTokenCost(pair[0], pair[1]))
	}

	// 4. POST /api/v1/auth/refresh over a pool of sessions.
	progress(log, "signing in %d sessions for the refresh pool", cfg.sessions)
	pool, err := sessionPool(ctx, api, s.base, cfg.sessions)
	if err != nil {
		return fail(fmt.Errorf("building the session pool: %w", err))
	}
	refreshRuns := []int{cfg.refreshRate, 0}
	if cfg.refreshRate == 0 {
		refreshRuns = []int{0}
	}
	for _, rate := range refreshRuns {
		lr := runRefresh(ctx, s.base, pool, rate, cfg.concurrency, cfg.duration, pid)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lr.judge(targetRefresh, 0)
		rep.Load = append(rep.Load, lr)
		progress(log, "POST /api/v1/auth/refresh %s: %s req/s, p99 %s, %s ok", lr.mode(), fmtRate(lr.Throughput), fmtDur(lr.P99), fmtPct(lr.Success))
		if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}

	// 5. Sign-in throughput.
	if cfg.loginDuration > 0 {
		lr := runLogin(ctx, s.base, cfg.loginConc, cfg.loginDuration, pid)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		lr.judge(targetLogin, 0)
		rep.Load = append(rep.Load, lr)
		progress(log, "POST /api/v1/auth/login max: %s req/s, p99 %s, %s ok", fmtRate(lr.Throughput), fmtDur(lr.P99), fmtPct(lr.Success))
	}

	// 6. Idle memory after the load.
	progress(log, "idling %s", cfg.idle)
	if err := sleepCtx(ctx, cfg.idle); err != nil {
		return err
	}
	rep.IdleAfter = readMemory(pid)
	if s.exitedEarly() {
		return fail(errors.New("the server exited during the run"))
	}
	return nil
}
