// Command wsload is the WebSocket load generator for Nexus's realtime
// backbone and chat (issue 5, "Performance").
//
//	go build -o bin/nexus . && go run ./bench/wsload --bin ./bin/nexus
//	go run ./bench/wsload --bin ./bin/nexus --quick   # smoke test, < 1 min
//
// It starts the real binary on 127.0.0.1 with a fresh data directory and
// raised limits (open registration, no per-user API rate limit, more
// sockets), then:
//
//  1. seeds: the owner (POST /api/v1/setup), --users members (POST
//     /api/v1/auth/register, each from its own X-Forwarded-For address with
//     the generator trusted as a proxy, then a personal access token each),
//     --channels public channels, and --channels-per-user memberships per
//     member (POST .../join). argon2id makes sign-ups the slow part (about
//     25/s on 2 idle cores), so the seeded data directory is kept in
//     --cache and reused by later runs with the same sizes (--fresh
//     reseeds); every run measures a server started on a fresh copy;
//  2. connects one WebSocket per member (ticket + upgrade, as browsers do);
//  3. measures RSS and Go heap+stack per idle connection (VmRSS before and
//     after connecting, each once it has settled);
//  4. posts --rate messages/s for --steady into random members' channels
//     and measures post → deliver latency at every receiving socket (the
//     send time travels in the message body) and commit → deliver (the
//     event's "at");
//  5. posts as fast as --max-workers closed-loop posters can for
//     --max-duration: sustained posting throughput (every post still fans
//     out to the connected members);
//  6. the Mattermost-style mix: simulated users (one per member, each with
//     its socket already open) act, then idle, like Mattermost's own
//     load-test "simulative" controller (its defaults: at least 1 s and on
//     average 20 s between actions; --think and --think-min): switch channel
//     6.5 (the channel, its last 30 messages, its first 50 members with
//     presence, mark it read: four requests, as a web client makes) : scroll
//     2 (30 older messages) : post 1 : unread check 1 (GET /api/v1/unread).
//     Search (0.02) is skipped: there is no message search endpoint yet.
//     Users are added --mix-step-users at a time, each step measured for
//     --mix-step; a step fails when the average request latency exceeds 100
//     ms or p99 exceeds 200 ms (or more than 1% of requests fail), and the
//     result is the number of users of the last passing step. When every
//     member passes, more users need more members (--users). `--think 1s
//     --think-min 0` is a far harsher pace (about 20 times Mattermost's).
//
// Everything runs on one machine: the generator's own CPU use is reported,
// because it competes with the server for the same cores.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	bin             string
	users           int
	channels        int
	channelsPerUser int
	// mixChannelsPerUser: members join more channels before the mix, so
	// that switching channel has somewhere to go.
	mixChannelsPerUser int
	rate               int
	steady             time.Duration
	maxDuration        time.Duration
	maxWorkers         int
	think              time.Duration
	thinkMin           time.Duration
	mixStep            time.Duration
	mixStepUsers       int
	seedWorkers        int
	settle             time.Duration
	serverEnv          []string
	cache              string
	phases             map[string]bool
}

// Targets of issue 5.
const (
	targetP99       = 50 * time.Millisecond
	targetPostRate  = 2000
	targetRSSPer    = 30 << 10
	targetUsersHeld = 2000
	mixMaxAvg       = 100 * time.Millisecond
	mixMaxP99       = 200 * time.Millisecond
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type envFlag []string

func (e *envFlag) String() string     { return fmt.Sprint(*e) }
func (e *envFlag) Set(v string) error { *e = append(*e, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	var c config
	var quick, fresh bool
	var env envFlag
	fs := flag.NewFlagSet("wsload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "./bin/nexus", "the nexus binary to start")
	fs.IntVar(&c.users, "users", 2000, "members, each with one WebSocket")
	fs.IntVar(&c.channels, "channels", 100, "public channels")
	fs.IntVar(&c.channelsPerUser, "channels-per-user", 1, "channels each member is in for the latency and throughput phases (1: the 2,000 clients split over the 100 channels, 20 per channel)")
	fs.IntVar(&c.mixChannelsPerUser, "mix-channels-per-user", 2, "channels each member is in for the mix (more are joined before it starts)")
	fs.IntVar(&c.rate, "rate", 200, "posts per second in the latency phase")
	fs.DurationVar(&c.steady, "steady", 20*time.Second, "length of the latency phase")
	fs.DurationVar(&c.maxDuration, "max-duration", 15*time.Second, "length of the throughput phase")
	fs.IntVar(&c.maxWorkers, "max-workers", 32, "closed-loop posters in the throughput phase")
	fs.DurationVar(&c.think, "think", 20*time.Second, "average time between a simulated user's actions in the mix (Mattermost's default)")
	fs.DurationVar(&c.thinkMin, "think-min", time.Second, "shortest time between a simulated user's actions")
	fs.DurationVar(&c.mixStep, "mix-step", 10*time.Second, "measured length of each step of the mix ramp")
	fs.IntVar(&c.mixStepUsers, "mix-step-users", 500, "users added at each step of the mix ramp")
	fs.IntVar(&c.seedWorkers, "seed-workers", 8, "concurrent sign-ups while seeding")
	fs.DurationVar(&c.settle, "settle", 12*time.Second, "pause before each RSS reading (idle HTTP workers and garbage go first)")
	fs.Var(&env, "server-env", "extra NEXUS_SECTION_KEY=value for the server (repeatable)")
	fs.StringVar(&c.cache, "cache", filepath.Join(os.TempDir(), "nexus-wsload-cache"), "where seeded data directories are kept for reuse")
	fs.BoolVar(&fresh, "fresh", false, "seed a new data directory (and do not keep it)")
	phases := fs.String("phases", "steady,max,mix", "which measurements to run after connecting (comma list of steady, max, mix)")
	fs.BoolVar(&quick, "quick", false, "smoke test: 200 users, 20 channels, short phases")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		for name, apply := range map[string]func(){
			"users": func() { c.users = 200 }, "channels": func() { c.channels = 20 },
			"steady": func() { c.steady = 5 * time.Second }, "max-duration": func() { c.maxDuration = 5 * time.Second },
			"mix-step": func() { c.mixStep = 3 * time.Second }, "mix-step-users": func() { c.mixStepUsers = 50 },
			"settle": func() { c.settle = 2 * time.Second },
		} {
			if !set[name] {
				apply()
			}
		}
	}
	if c.think < c.thinkMin {
		fmt.Fprintln(stderr, "wsload: --think must be at least --think-min")
		return 2
	}
	if c.users < 1 || c.channels < 1 || c.channelsPerUser < 1 || c.channelsPerUser > c.channels ||
		c.mixChannelsPerUser > c.channels || c.rate < 1 ||
		c.maxWorkers < 1 || c.mixStepUsers < 1 || c.seedWorkers < 1 {
		fmt.Fprintln(stderr, "wsload: users, channels, rates and workers must be ≥ 1, (mix-)channels-per-user ≤ channels")
		return 2
	}
	c.serverEnv = env
	c.phases = map[string]bool{}
	for _, p := range strings.Split(*phases, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.phases[p] = true
		}
	}
	if fresh {
		c.cache = ""
	}
	bin, err := filepath.Abs(c.bin)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsload: nexus binary: %v (build it with `go build -o bin/nexus .`)\n", err)
		return 1
	}
	c.bin = bin
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench(ctx, c, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "wsload: %v\n", err)
		return 1
	}
	return 0
}

// member is a signed-up user with their channels and socket.
type member struct {
	idx      int
	id       string
	token    string
	channels []string
	client   *client
}

func bench(ctx context.Context, c config, out, log io.Writer) error {
	started := time.Now()
	loadStart := loadAverage()
	say := func(format string, args ...any) {
		fmt.Fprintf(log, "[%6.1fs] %s\n", time.Since(started).Seconds(), fmt.Sprintf(format, args...))
	}
	env := append([]string{
		"NEXUS_AUTH_REGISTRATION=open",
		"NEXUS_SERVER_TRUSTED_PROXIES=127.0.0.1",
		"NEXUS_AUTH_LOGIN_IP_LIMIT=1000000",
		"NEXUS_AUTH_API_RATE_LIMIT=0",
		fmt.Sprintf("NEXUS_REALTIME_MAX_CONNECTIONS=%d", c.users+1000),
	}, c.serverEnv...)
	seed, err := loadOrSeed(ctx, c, env, say)
	if err != nil {
		return err
	}
	defer seed.cleanup()
	srv, err := startServer(ctx, c.bin, env, seed.dataDir)
	if err != nil {
		return err
	}
	defer srv.stop()
	say("server pid %d on %s, started on a copy of the seeded data (%d CPUs)", srv.pid(), srv.addr, runtime.NumCPU())
	a := newAPI(srv.base, 512)
	members := make([]*member, len(seed.m.Members))
	chanSize := map[string]int{}
	for i, mm := range seed.m.Members {
		members[i] = &member{idx: i, id: mm.ID, token: mm.Token, channels: mm.Channels}
		for _, ch := range mm.Channels {
			chanSize[ch]++
		}
	}

	// 2–3. Connect and measure memory per idle connection.
	rec := &recorder{}
	rssBefore, heapBefore := settledMemory(ctx, a, srv, c.settle)
	connStart := time.Now()
	err = parallel(ctx, 32, c.users, func(i int) error {
		cl, err := dial(ctx, a, srv.addr, members[i].token, i, rec)
		members[i].client = cl
		return err
	})
	if err != nil {
		return srv.serverError(err)
	}
	connTime := time.Since(connStart)
	say("connected %d WebSockets in %s", c.users, connTime.Round(time.Millisecond))
	rssAfter, heapAfter := settledMemory(ctx, a, srv, c.settle)
	rssPer := (float64(rssAfter) - float64(rssBefore)) / float64(c.users)
	heapPer := (heapAfter - heapBefore) / float64(c.users)
	conns, _ := a.metric(ctx, "nexus_realtime_connections")
	say("RSS %s → %s: %.1f KB per idle connection (Go heap+stacks in use: %.1f KB); server counts %.0f connections",
		mbs(rssBefore), mbs(rssAfter), rssPer/1024, heapPer/1024, conns)

	// 4. Latency at a fixed posting rate.
	var steady, maxed phaseResult
	if c.phases["steady"] {
		say("posting %d messages/s for %s", c.rate, c.steady)
		steady = postPhase(ctx, a, srv, members, chanSize, rec, c.steady, c.rate, 0)
		say("post → deliver %s", steady.post)
		say("commit → deliver %s", steady.commit)
		say("posts %d (%.0f/s, %d failed), deliveries %d of %d expected; POST latency %s; CPU: server %.2f, generator %.2f, other %.2f",
			steady.posts, steady.postRate, steady.failed, steady.delivered, steady.expected, steady.http,
			steady.serverCPU, steady.genCPU, steady.otherCPU)
	}

	// 5. Throughput.
	if c.phases["max"] {
		say("posting flat out with %d workers for %s", c.maxWorkers, c.maxDuration)
		maxed = postPhase(ctx, a, srv, members, chanSize, rec, c.maxDuration, 0, c.maxWorkers)
		say("sustained %.0f posts/s (%d failed), deliveries %d of %d expected (%.0f frames/s); post → deliver %s; CPU: server %.2f, generator %.2f, other %.2f",
			maxed.postRate, maxed.failed, maxed.delivered, maxed.expected, float64(maxed.delivered)/max(maxed.elapsed.Seconds(), 1e-9),
			maxed.post, maxed.serverCPU, maxed.genCPU, maxed.otherCPU)
	}

	// 6. The mix.
	var held int
	var steps []mixStep
	if c.phases["mix"] && c.mixChannelsPerUser > c.channelsPerUser {
		n, err := joinMore(ctx, a, members, seed.m.ChannelIDs, c.mixChannelsPerUser)
		if err != nil {
			return srv.serverError(err)
		}
		say("for the mix, members joined %d more channels (%d per member, ~%.0f members per channel)", n,
			c.mixChannelsPerUser, float64(c.users*c.mixChannelsPerUser)/float64(c.channels))
	}
	if c.phases["mix"] {
		say("Mattermost-style mix: +%d users per step, measured for %s; %s to %s between actions (search skipped: no endpoint yet)",
			c.mixStepUsers, c.mixStep, c.thinkMin, c.think)
		held, steps = mix(ctx, a, srv, members, c, say)
	}

	for _, m := range members {
		if m.client != nil {
			m.client.close()
		}
	}
	a.hc.CloseIdleConnections()
	if err := srv.stop(); err != nil {
		say("server stop: %v", err)
	}

	fmt.Fprintf(out, "\nNexus realtime load (wsload), %d CPUs, %s, load average at start %s, at end %s\n", runtime.NumCPU(),
		time.Now().Format(time.RFC3339), loadStart, loadAverage())
	fmt.Fprintf(out, "setup: %d members (1 socket each), %d channels, %d channels per member (~%.0f members per channel)\n",
		c.users, c.channels, c.channelsPerUser, float64(c.users*c.channelsPerUser)/float64(c.channels))
	if c.phases["mix"] && c.mixChannelsPerUser > c.channelsPerUser {
		fmt.Fprintf(out, "       for the mix: %d channels per member (~%.0f members per channel)\n",
			c.mixChannelsPerUser, float64(c.users*c.mixChannelsPerUser)/float64(c.channels))
	}
	row := func(name, value, target string, pass bool) {
		mark := "ok"
		if !pass {
			mark = "MISSED"
		}
		if target == "" {
			mark = ""
		}
		fmt.Fprintf(out, "  %-38s %-58s %-14s %s\n", name, value, target, mark)
	}
	row("connect (ticket + upgrade)", fmt.Sprintf("%d sockets in %s", c.users, connTime.Round(time.Millisecond)), "", true)
	row("RSS per idle connection", fmt.Sprintf("%.1f KB (heap+stacks %.1f KB)", rssPer/1024, heapPer/1024), "≤ 30 KB", rssPer <= targetRSSPer)
	if c.phases["steady"] {
		row(fmt.Sprintf("post → deliver @ %d posts/s", c.rate), fmt.Sprintf("p50 %s p95 %s p99 %s", ms(steady.post.P50), ms(steady.post.P95), ms(steady.post.P99)),
			"p99 ≤ 50 ms", steady.post.P99 <= targetP99 && steady.post.N > 0)
		row("commit → deliver (same run)", fmt.Sprintf("p50 %s p95 %s p99 %s", ms(steady.commit.P50), ms(steady.commit.P95), ms(steady.commit.P99)), "", true)
		row("deliveries (same run)", fmt.Sprintf("%d of %d expected", steady.delivered, steady.expected), "", true)
		row("  CPU during it", fmt.Sprintf("server %.2f cores, generator %.2f, other processes %.2f", steady.serverCPU,
			steady.genCPU, steady.otherCPU), "", true)
	}
	if c.phases["max"] {
		row("sustained posting", fmt.Sprintf("%.0f posts/s, %.0f frames/s delivered, p99 %s", maxed.postRate,
			float64(maxed.delivered)/max(maxed.elapsed.Seconds(), 1e-9), ms(maxed.post.P99)), "≥ 2000/s", maxed.postRate >= targetPostRate)
		row("  CPU during it", fmt.Sprintf("server %.2f cores, generator %.2f, other processes %.2f", maxed.serverCPU,
			maxed.genCPU, maxed.otherCPU), "", true)
	}
	if !c.phases["mix"] {
		return nil
	}
	heldText := fmt.Sprintf("%d users", held)
	if held == len(members) {
		heldText += " (every member; more need --users)"
	}
	row("Mattermost-style mix: users held", heldText, "≥ 2000", held >= targetUsersHeld)
	for _, s := range steps {
		fmt.Fprintf(out, "    %5d users: %6.0f req/s  avg %-8s p99 %-8s errors %d  server %.2f cores, generator %.2f, other %.2f\n",
			s.users, s.rps, ms(s.lat.Avg), ms(s.lat.P99), s.errors, s.serverCPU, s.genCPU, s.otherCPU)
	}
	return nil
}

// joinMore makes each member a member of its first k ring channels (see
// ringChannels) and returns how many channels were joined.
func joinMore(ctx context.Context, a *api, members []*member, ids []string, k int) (int, error) {
	type join struct {
		m  *member
		ch string
	}
	var todo []join
	for _, m := range members {
		for _, ch := range ringChannels(ids, m.idx, k) {
			if !slices.Contains(m.channels, ch) {
				todo = append(todo, join{m, ch})
			}
		}
	}
	err := parallel(ctx, 32, len(todo), func(i int) error {
		return a.join(ctx, todo[i].m.token, todo[i].ch)
	})
	if err != nil {
		return 0, fmt.Errorf("join channels for the mix: %w", err)
	}
	for _, j := range todo {
		j.m.channels = append(j.m.channels, j.ch)
	}
	return len(todo), nil
}

// parallel runs fn(0..n-1) on workers goroutines; the first error stops it.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

// settledMemory waits, then reads VmRSS until two readings a second apart
// agree within 1% (at most 10 s more), and the Go heap and stacks in use.
func settledMemory(ctx context.Context, a *api, srv *server, settle time.Duration) (uint64, float64) {
	sleepCtx(ctx, settle)
	prev, _ := procRSS(srv.pid())
	for range 10 {
		sleepCtx(ctx, time.Second)
		cur, _ := procRSS(srv.pid())
		if math.Abs(float64(cur)-float64(prev)) < 0.01*float64(prev) {
			prev = cur
			break
		}
		prev = cur
	}
	heap, _ := a.metric(ctx, "go_memstats_heap_inuse_bytes")
	stack, _ := a.metric(ctx, "go_memstats_stack_inuse_bytes")
	return prev, heap + stack
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func mbs(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// cpuMeter measures, over an interval, the cores used by the server, by
// this generator and by everything else on the machine (other processes
// compete for the same cores and make latency worse).
type cpuMeter struct {
	pid                  int
	start                time.Time
	server, gen, machine time.Duration
}

func startCPU(pid int) cpuMeter {
	srv, _ := procCPU(pid)
	return cpuMeter{pid: pid, start: time.Now(), server: srv, gen: selfCPU(), machine: machineBusy()}
}

// stop returns server, generator and other cores.
func (m cpuMeter) stop() (server, gen, other float64) {
	el := time.Since(m.start).Seconds()
	srv, _ := procCPU(m.pid)
	server = (srv - m.server).Seconds() / el
	gen = (selfCPU() - m.gen).Seconds() / el
	other = max(0, (machineBusy()-m.machine).Seconds()/el-server-gen)
	return server, gen, other
}

type phaseResult struct {
	post, commit, http  dist
	posts, failed       int64
	postRate            float64
	delivered, expected int64
	elapsed             time.Duration
	serverCPU, genCPU   float64
	otherCPU            float64
}

// postPhase posts for d: at rate posts/s (open model) when rate > 0,
// otherwise with workers closed-loop posters. Each post goes from a random
// member into one of their channels.
func postPhase(ctx context.Context, a *api, srv *server, members []*member, chanSize map[string]int, rec *recorder,
	d time.Duration, rate, workers int) phaseResult {
	rec.take()
	rec.delivered.Store(0)
	rec.enabled.Store(true)
	var posts, failed, expected atomic.Int64
	var httpMu sync.Mutex
	var httpLat []time.Duration
	one := func(n int64) {
		m := members[rand.IntN(len(members))]
		ch := m.channels[rand.IntN(len(m.channels))]
		lat, err := a.post(ctx, m.token, ch, n)
		if err != nil {
			if ctx.Err() == nil {
				failed.Add(1)
			}
			return
		}
		posts.Add(1)
		expected.Add(int64(chanSize[ch]))
		httpMu.Lock()
		httpLat = append(httpLat, lat)
		httpMu.Unlock()
	}
	meter := startCPU(srv.pid())
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	if rate > 0 {
		sem := make(chan struct{}, 512)
		interval := time.Second / time.Duration(rate)
		var n int64
		for next := start; next.Before(end) && ctx.Err() == nil; next = next.Add(interval) {
			if w := time.Until(next); w > 0 {
				time.Sleep(w)
			}
			n++
			sem <- struct{}{}
			wg.Add(1)
			go func(n int64) {
				defer func() { <-sem; wg.Done() }()
				one(n)
			}(n)
		}
	} else {
		var n atomic.Int64
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) && ctx.Err() == nil {
					one(n.Add(1))
				}
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Let the last deliveries arrive.
	deadline := time.Now().Add(5 * time.Second)
	for rec.delivered.Load() < expected.Load() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	serverCPU, genCPU, otherCPU := meter.stop()
	rec.enabled.Store(false)
	post, commit := rec.take()
	return phaseResult{post: summarize(post), commit: summarize(commit), http: summarize(httpLat),
		posts: posts.Load(), failed: failed.Load(), postRate: float64(posts.Load()) / elapsed.Seconds(),
		delivered: rec.delivered.Load(), expected: expected.Load(), elapsed: elapsed,
		serverCPU: serverCPU, genCPU: genCPU, otherCPU: otherCPU}
}
