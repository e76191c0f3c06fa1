package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// The Mattermost-style action mix (weights per user): switch channel 6.5,
// scroll 2, post 1, unread check 1, search 0.02 (skipped: no message search
// endpoint exists yet, so the remaining weights are used as they are).
var mixWeights = []struct {
	name   string
	weight float64
}{{"switch", 6.5}, {"scroll", 2}, {"post", 1}, {"unread", 1}}

type mixStep struct {
	users             int
	rps               float64
	lat               dist
	errors            int
	requests          int
	serverCPU, genCPU float64
	otherCPU          float64
}

// latencies collects request latencies of the current step.
type latencies struct {
	mu     sync.Mutex
	s      []time.Duration
	errors int
}

func (l *latencies) add(d time.Duration, err error) {
	l.mu.Lock()
	if err != nil {
		l.errors++
	} else {
		l.s = append(l.s, d)
	}
	l.mu.Unlock()
}

func (l *latencies) take() ([]time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, e := l.s, l.errors
	l.s, l.errors = nil, 0
	return s, e
}

// mix ramps simulated users up until a step misses the latency bounds and
// returns the users of the last passing step.
func mix(ctx context.Context, a *api, srv *server, members []*member, c config, say func(string, ...any)) (int, []mixStep) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lat := &latencies{}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var posted atomic.Int64
	active, held := 0, 0
	var steps []mixStep
	warmup := min(c.mixStep/2, c.think)
	for active < len(members) && ctx.Err() == nil {
		add := min(c.mixStepUsers, len(members)-active)
		for _, m := range members[active : active+add] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				simulate(ctx, a, m, warmup, c.thinkMin, c.think, lat, &posted)
			}()
		}
		active += add
		// Let the new users start (each within the warm-up), then measure.
		sleepCtx(ctx, warmup)
		lat.take()
		meter := startCPU(srv.pid())
		start := time.Now()
		sleepCtx(ctx, c.mixStep)
		samples, errs := lat.take()
		elapsed := time.Since(start)
		st := mixStep{users: active, lat: summarize(samples), errors: errs, requests: len(samples) + errs,
			rps: float64(len(samples)+errs) / elapsed.Seconds()}
		st.serverCPU, st.genCPU, st.otherCPU = meter.stop()
		steps = append(steps, st)
		say("mix %5d users: %6.0f req/s, avg %s p99 %s, %d errors; server %.2f cores, generator %.2f, other %.2f",
			st.users, st.rps, ms(st.lat.Avg), ms(st.lat.P99), st.errors, st.serverCPU, st.genCPU, st.otherCPU)
		if st.lat.N == 0 || st.lat.Avg > mixMaxAvg || st.lat.P99 > mixMaxP99 || float64(errs) > 0.01*float64(st.requests) {
			break
		}
		held = active
	}
	return held, steps
}

// simulate is one person using chat: an action, a think time, repeat.
func simulate(ctx context.Context, a *api, m *member, warmup, thinkMin, think time.Duration, lat *latencies, posted *atomic.Int64) {
	cur := m.channels[rand.IntN(len(m.channels))]
	oldest := ""
	total := 0.0
	for _, w := range mixWeights {
		total += w.weight
	}
	// Start at a random point of the step's warm-up, so users do not act in
	// lockstep and are all active when the step is measured.
	sleepCtx(ctx, time.Duration(rand.Float64()*float64(warmup)))
	for ctx.Err() == nil {
		r := rand.Float64() * total
		action := mixWeights[len(mixWeights)-1].name
		for _, w := range mixWeights {
			if r < w.weight {
				action = w.name
				break
			}
			r -= w.weight
		}
		switch action {
		case "switch":
			if len(m.channels) > 1 {
				next := cur
				for next == cur {
					next = m.channels[rand.IntN(len(m.channels))]
				}
				cur = next
			}
			d, err := a.channel(ctx, m.token, cur)
			record(ctx, lat, d, err)
			page, d, err := a.messages(ctx, m.token, cur, "")
			record(ctx, lat, d, err)
			d, err = a.members(ctx, m.token, cur)
			record(ctx, lat, d, err)
			if err == nil {
				oldest = ""
				var seq int64
				if n := len(page.Items); n > 0 {
					oldest = page.Items[0].ID
					for _, it := range page.Items {
						seq = max(seq, it.Seq)
					}
				}
				d, err := a.markRead(ctx, m.token, cur, seq)
				record(ctx, lat, d, err)
			}
		case "scroll":
			page, d, err := a.messages(ctx, m.token, cur, oldest)
			record(ctx, lat, d, err)
			if err == nil && len(page.Items) > 0 {
				oldest = page.Items[0].ID
			}
		case "post":
			d, err := a.post(ctx, m.token, cur, posted.Add(1))
			record(ctx, lat, d, err)
		case "unread":
			d, err := a.unread(ctx, m.token)
			record(ctx, lat, d, err)
		}
		sleepCtx(ctx, thinkMin+time.Duration(rand.ExpFloat64()*float64(think-thinkMin)))
	}
}

func record(ctx context.Context, lat *latencies, d time.Duration, err error) {
	if ctx.Err() != nil {
		return // cancelled at the end of the run, not a failure
	}
	lat.add(d, err)
}
