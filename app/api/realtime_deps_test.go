package api_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"nexus/app/realtime"
	"nexus/embed/bus"
	"nexus/store"
)

// testRealtime is a harness's realtime pipeline, as main.go wires it: the
// embedded bus, the outbox dispatcher and the gateway, running until the
// test ends.
type testRealtime struct {
	t       *testing.T
	store   *store.Store
	bus     *bus.Bus
	gateway *realtime.Gateway
	log     *slog.Logger

	mu                 sync.Mutex
	dispatcher         *realtime.Dispatcher
	stopDispatcherFunc func()
}

// testRealtimes finds the pipeline of a harness by its store (buildDeps
// cannot hand it to the harness directly).
var testRealtimes sync.Map // *store.Store → *testRealtime

// realtimeOf returns the realtime pipeline behind h.
func realtimeOf(h *harness) *testRealtime {
	h.t.Helper()
	v, ok := testRealtimes.Load(h.store)
	if !ok {
		h.t.Fatal("the harness has no realtime pipeline")
	}
	return v.(*testRealtime)
}

// startTestRealtime starts a pipeline on st. The dispatcher polls every few
// milliseconds (the harness's store has no commit hook).
func startTestRealtime(t *testing.T, st *store.Store, clk *clock, log *slog.Logger, tweak func(*realtime.Config)) *testRealtime {
	t.Helper()
	b, err := bus.Open(bus.Config{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	cfg := realtime.Config{ReplayWindow: 24 * time.Hour, MaxConnections: 200, SendBuffer: 64,
		PingInterval: 30 * time.Second, IdleTimeout: 90 * time.Second, MaxFrame: 64 << 10,
		PresenceFlush: 50 * time.Millisecond, PresenceGrace: 200 * time.Millisecond, Now: clk.now}
	if tweak != nil {
		tweak(&cfg)
	}
	rt := &testRealtime{t: t, store: st, bus: b, log: log,
		gateway: realtime.NewGateway(cfg, st, b, realtime.CredentialChecker{Store: st, Now: cfg.Now}, log)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.gateway.Run(ctx)
	}()
	rt.startDispatcher()
	testRealtimes.Store(st, rt)
	t.Cleanup(func() {
		rt.gateway.Close()
		rt.stopDispatcher()
		cancel()
		<-done
		b.Close()
		testRealtimes.CompareAndDelete(st, rt)
	})
	return rt
}

// stopDispatcher stops publishing, as if the process died right after its
// commits: events stay in the outbox until startDispatcher.
func (rt *testRealtime) stopDispatcher() {
	rt.mu.Lock()
	stop := rt.stopDispatcherFunc
	rt.stopDispatcherFunc = nil
	rt.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (rt *testRealtime) startDispatcher() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.stopDispatcherFunc != nil {
		return
	}
	d := realtime.NewDispatcher(rt.store, rt.bus, nil, realtime.DispatcherConfig{MinInterval: time.Millisecond,
		MaxInterval: 10 * time.Millisecond}, rt.log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	rt.dispatcher = d
	rt.stopDispatcherFunc = func() {
		cancel()
		<-done
	}
}
