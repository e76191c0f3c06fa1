package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// maxDistinctErrors bounds the error strings kept per run.
const maxDistinctErrors = 8

// collector turns vegeta Results into a loadResult. vegeta's Metrics gives
// the latency quantiles (t-digest) and the time window; success is counted
// here as "status 200", stricter than vegeta's 2xx/3xx.
type collector struct {
	m      vegeta.Metrics
	ok     uint64
	errors map[string]int
}

func newCollector() *collector { return &collector{errors: map[string]int{}} }

func (c *collector) add(r *vegeta.Result) {
	c.m.Add(r)
	if r.Code == http.StatusOK && r.Error == "" {
		c.ok++
		return
	}
	msg := r.Error
	if msg == "" {
		msg = "HTTP " + strconv.Itoa(int(r.Code))
	}
	if _, seen := c.errors[msg]; seen || len(c.errors) < maxDistinctErrors {
		c.errors[msg]++
	} else {
		c.errors["(other errors)"]++
	}
}

// result closes the metrics and fills the measured columns of a loadResult.
func (c *collector) result(lr loadResult) loadResult {
	c.m.Close()
	lr.Requests = c.m.Requests
	lr.OK = c.ok
	if lr.Requests > 0 {
		lr.Success = float64(c.ok) / float64(lr.Requests)
		window := c.m.End.Sub(c.m.Earliest) // first send to last answer
		lr.Elapsed = window
		if window > 0 {
			lr.Throughput = float64(c.ok) / window.Seconds()
		}
		lr.P50 = c.m.Latencies.P50
		lr.P95 = c.m.Latencies.P95
		lr.P99 = c.m.Latencies.P99
		lr.Max = c.m.Latencies.Max
	}
	lr.StatusCodes = map[string]int{}
	for k, v := range c.m.StatusCodes {
		if k == "0" {
			k = "no response"
		}
		lr.StatusCodes[k] = v
	}
	for msg, n := range c.errors {
		lr.Errors = append(lr.Errors, errorCount{Message: msg, Count: n})
	}
	sort.Slice(lr.Errors, func(i, j int) bool { return lr.Errors[i].Count > lr.Errors[j].Count })
	return lr
}

// cpuMeter measures the CPU used by the server and by the generator over a
// phase, in cores (CPU seconds per wall second).
//
// The rest of the machine (other processes, and kernel work such as
// interrupts that is not charged to a process) is measured too: on a shared
// machine it shows when something else competed for the CPUs during a run.
type cpuMeter struct {
	pid              int
	t0               time.Time
	srv0, gen0, all0 time.Duration
	srvOK, allOK     bool
}

func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, t0: time.Now(), gen0: selfCPU()}
	var err error
	m.srv0, err = procCPU(pid)
	m.srvOK = err == nil
	m.all0, err = machineBusy()
	m.allOK = err == nil
	return m
}

func (m *cpuMeter) stop(lr *loadResult) {
	wall := time.Since(m.t0).Seconds()
	if wall <= 0 {
		return
	}
	lr.GenCPU = (selfCPU() - m.gen0).Seconds() / wall
	if srv, err := procCPU(m.pid); err == nil && m.srvOK {
		lr.ServerCPUSeconds = (srv - m.srv0).Seconds()
		lr.ServerCPU = lr.ServerCPUSeconds / wall
	}
	if all, err := machineBusy(); err == nil && m.allOK {
		lr.OtherCPU = max(0, (all-m.all0).Seconds()/wall-lr.ServerCPU-lr.GenCPU)
	}
}

// runMe attacks GET /api/v1/me with vegeta at rate req/s (0 = as fast as
// conc workers go), each request carrying the Bearer token (a session's JWT
// or a personal access token; endpoint labels the row).
func runMe(ctx context.Context, endpoint, base, token string, rate, conc int, dur time.Duration, pid int) loadResult {
	lr := loadResult{Endpoint: endpoint, Rate: rate, Concurrency: conc, Duration: dur}
	client := newHTTPClient(conc)
	defer client.CloseIdleConnections()
	targeter := vegeta.NewStaticTargeter(vegeta.Target{
		Method: http.MethodGet,
		URL:    base + "/api/v1/me",
		Header: http.Header{"Authorization": {"Bearer " + token}},
	})
	attacker := vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(uint64(conc)),
		vegeta.MaxWorkers(uint64(conc)),
		vegeta.MaxBody(0), // the body is read and discarded, not kept
	)
	stopWatch := context.AfterFunc(ctx, func() { attacker.Stop() })
	defer stopWatch()

	col := newCollector()
	cpu := startCPU(pid)
	pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second} // Freq 0 = unthrottled
	for res := range attacker.Attack(targeter, pacer, dur, "me") {
		col.add(res)
	}
	cpu.stop(&lr)
	return col.result(lr)
}

// session is one refresh-token chain: it is used by one request at a time
// and always carries the latest rotated cookie.
type session struct{ cookie string }

// sessionPool logs the bench owner in n times (4 at a time) and returns the
// sessions in a channel that workers take from and give back to.
func sessionPool(ctx context.Context, client *http.Client, base string, n int) (chan *session, error) {
	pool := make(chan *session, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     atomic.Int64
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				cookie, err := loginRetrying(ctx, client, base)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				pool <- &session{cookie: cookie}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return pool, nil
}

// refreshOnce posts the session's cookie to /api/v1/auth/refresh and, on
// success, stores the rotated cookie in the session. The headers are the ones
// a browser sends for a same-origin fetch (the server may check them against
// CSRF).
func refreshOnce(ctx context.Context, client *http.Client, base string, s *session) *vegeta.Result {
	res := &vegeta.Result{Attack: "refresh", Method: http.MethodPost, URL: base + "/api/v1/auth/refresh", Timestamp: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, res.URL, http.NoBody)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req.Header.Set("Cookie", refreshCookieName+"="+s.cookie)
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		res.Latency = time.Since(res.Timestamp)
		res.Error = err.Error()
		return res
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res.Latency = time.Since(res.Timestamp)
	res.Code = uint16(resp.StatusCode)
	res.BytesIn = uint64(n)
	if resp.StatusCode != http.StatusOK {
		res.Error = resp.Status
		return res
	}
	cookie, ok := refreshCookie(resp.Header)
	if !ok {
		res.Error = "200 without a rotated " + refreshCookieName + " cookie"
		return res
	}
	s.cookie = cookie
	return res
}

// runRefresh drives POST /api/v1/auth/refresh with conc workers. With rate >
// 0 an open-model pacer (vegeta.ConstantPacer) releases one request per tick
// to whichever worker is free; with rate 0 workers loop as fast as they can.
// Every worker takes an idle session from the pool, refreshes it, and puts it
// back with the rotated cookie, so no refresh token is ever presented twice.
// A session whose refresh failed is in an unknown state (it may have been
// rotated server-side), so it is replaced by a fresh sign-in, outside the
// measurement.
func runRefresh(ctx context.Context, base string, pool chan *session, rate, conc int, dur time.Duration, pid int) loadResult {
	lr := loadResult{Endpoint: "POST /api/v1/auth/refresh", Rate: rate, Concurrency: conc, Duration: dur, Sessions: len(pool)}
	client := newHTTPClient(conc)
	defer client.CloseIdleConnections()

	runCtx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()

	var ticks chan struct{}
	if rate > 0 {
		ticks = make(chan struct{})
		pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
		go func() {
			defer close(ticks)
			began := time.Now()
			for hits := uint64(0); ; hits++ {
				wait, stop := pacer.Pace(time.Since(began), hits)
				if stop {
					return
				}
				if wait > 0 {
					select {
					case <-time.After(wait):
					case <-runCtx.Done():
						return
					}
				}
				select {
				case ticks <- struct{}{}:
				case <-runCtx.Done():
					return
				}
			}
		}()
	}

	results := make(chan *vegeta.Result, 4096)
	var replaced, lost atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if ticks != nil {
					if _, ok := <-ticks; !ok {
						return
					}
				} else if runCtx.Err() != nil {
					return
				}
				var s *session
				select {
				case s = <-pool:
				case <-runCtx.Done():
					return
				}
				// The request itself runs on ctx, not runCtx: a request in
				// flight at the deadline completes and is counted, so its
				// session never ends up in an unknown state.
				res := refreshOnce(ctx, client, base, s)
				results <- res
				if res.Code == http.StatusOK && res.Error == "" {
					pool <- s
					continue
				}
				if ctx.Err() != nil {
					return
				}
				cookie, err := loginRetrying(ctx, client, base)
				if err != nil {
					lost.Add(1)
					continue
				}
				replaced.Add(1)
				pool <- &session{cookie: cookie}
			}
		}()
	}

	col := newCollector()
	done := make(chan struct{})
	go func() {
		for r := range results {
			col.add(r)
		}
		close(done)
	}()
	cpu := startCPU(pid)
	wg.Wait()
	cpu.stop(&lr)
	close(results)
	<-done
	lr = col.result(lr)
	if n := replaced.Load(); n > 0 {
		lr.Notes = append(lr.Notes, fmt.Sprintf("%d session(s) replaced by a new sign-in after a failed refresh", n))
	}
	if n := lost.Load(); n > 0 {
		lr.Notes = append(lr.Notes, fmt.Sprintf("%d session(s) lost (sign-in failed too)", n))
	}
	return lr
}

// runLogin measures POST /api/v1/auth/login (argon2id bound) with conc
// closed-loop clients for dur.
func runLogin(ctx context.Context, base string, conc int, dur time.Duration, pid int) loadResult {
	lr := loadResult{Endpoint: "POST /api/v1/auth/login", Rate: 0, Concurrency: conc, Duration: dur}
	client := newHTTPClient(conc)
	defer client.CloseIdleConnections()
	runCtx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()

	results := make(chan *vegeta.Result, 256)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				res := &vegeta.Result{Attack: "login", Method: http.MethodPost, URL: base + "/api/v1/auth/login", Timestamp: time.Now()}
				_, _, err := login(ctx, client, base)
				res.Latency = time.Since(res.Timestamp)
				if err != nil {
					res.Error = err.Error()
					if ae, ok := err.(*apiError); ok {
						res.Code = uint16(ae.Status)
						res.Error = fmt.Sprintf("HTTP %d %s", ae.Status, ae.Code)
					}
				} else {
					res.Code = http.StatusOK
				}
				results <- res
			}
		}()
	}
	col := newCollector()
	done := make(chan struct{})
	go func() {
		for r := range results {
			col.add(r)
		}
		close(done)
	}()
	cpu := startCPU(pid)
	wg.Wait()
	cpu.stop(&lr)
	close(results)
	<-done
	return col.result(lr)
}
