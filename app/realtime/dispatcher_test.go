package realtime_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/realtime"
	"nexus/embed/bus"
	"nexus/store"
)

// The tests here run the real store (SQLite in a temp dir) and the real
// embedded NATS bus.

type env struct {
	t     *testing.T
	store *store.Store
	bus   *bus.Bus
	kick  *realtime.Signal
	log   *slog.Logger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	kick := realtime.NewSignal()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{OnCommit: kick.Notify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := bus.Open(bus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &env{t: t, store: st, bus: b, kick: kick, log: slog.New(slog.DiscardHandler)}
}

// write commits n events, one transaction each, and returns their sequences.
func (e *env) write(n int, resourceType string) []int64 {
	e.t.Helper()
	var seqs []int64
	for i := range n {
		err := e.store.Update(context.Background(), func(tx *store.Tx) error {
			return tx.AppendEvent(context.Background(), app.Event{Type: resourceType + ".created", ResourceType: resourceType,
				ResourceID: app.NewID(), Data: map[string]any{"n": i, "title": "회의록 " + fmt.Sprint(i)}})
		})
		if err != nil {
			e.t.Fatal(err)
		}
		seq, err := e.store.LatestOutboxSeq(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

// run starts fn in the background; the returned stop cancels it and waits.
func run(fn func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// recorder is a consumer handler that remembers what it applied.
type recorder struct {
	mu   sync.Mutex
	seqs []int64
	data []map[string]any
}

func (r *recorder) handle(_ context.Context, e realtime.Event, raw []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, e.Seq)
	r.data = append(r.data, e.Data)
	return nil
}

func (r *recorder) got() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.seqs...)
}

func (r *recorder) waitFor(t *testing.T, n int) []int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := r.got()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("applied %d events, want %d: %v", len(got), n, got)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func startConsumer(e *env, name string, r *recorder, saveEvery time.Duration) (stop func()) {
	ready := make(chan struct{})
	stop = run(func(ctx context.Context) {
		if err := realtime.RunConsumer(ctx, e.store, e.bus, realtime.Consumer{Name: name, Handle: r.handle,
			SaveEvery: saveEvery, Log: e.log, Ready: ready}); err != nil {
			e.t.Error(err)
		}
	})
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		e.t.Fatal("consumer did not become ready")
	}
	return stop
}

func startDispatcher(e *env, b realtime.Bus) (*realtime.Dispatcher, func()) {
	if b == nil {
		b = e.bus
	}
	d := realtime.NewDispatcher(e.store, b, e.kick, realtime.DispatcherConfig{}, e.log)
	return d, run(d.Run)
}

// inOrderOnce checks that got is exactly want.
func inOrderOnce(t *testing.T, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("applied %d events, want %d\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d: applied seq %d, want %d (duplicate or out of order)\n got %v", i, got[i], want[i], got)
		}
	}
}

func TestDispatcherPublishesCommittedEventsInOrder(t *testing.T) {
	e := newEnv(t)
	var r recorder
	defer startConsumer(e, "test", &r, time.Second)()
	_, stop := startDispatcher(e, nil)
	defer stop()

	// Concurrent writers: the outbox sequence is the commit order, and the
	// dispatcher publishes in it.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				err := e.store.Update(context.Background(), func(tx *store.Tx) error {
					return tx.AppendEvent(context.Background(), app.Event{Type: "doc.created", ResourceType: "doc",
						ResourceID: fmt.Sprintf("%d-%d", w, i)})
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got := r.waitFor(t, 200)
	want := make([]int64, 200)
	for i := range want {
		want[i] = int64(i + 1)
	}
	inOrderOnce(t, got, want)
}

func TestDispatcherLatencyWithCommitHook(t *testing.T) {
	e := newEnv(t)
	got := make(chan time.Time, 16)
	unsubscribe, err := e.bus.Subscribe(realtime.EventSubjects, func([]byte) { got <- time.Now() })
	if err != nil {
		t.Fatal(err)
	}
	defer unsubscribe()
	_, stop := startDispatcher(e, nil)
	defer stop()
	// Let the dispatcher go idle (its poll interval backs off to 250 ms):
	// the commit hook must still wake it at once.
	time.Sleep(600 * time.Millisecond)
	var worst time.Duration
	for range 5 {
		start := time.Now()
		e.write(1, "doc")
		select {
		case at := <-got:
			worst = max(worst, at.Sub(start))
		case <-time.After(5 * time.Second):
			t.Fatal("event not published")
		}
		time.Sleep(300 * time.Millisecond)
	}
	// Generous for a loaded CI machine, far below the idle poll interval.
	if worst > 150*time.Millisecond {
		t.Fatalf("commit to publish took %s: the commit hook did not wake the dispatcher", worst)
	}
}

// A crash between commit and publish: events are committed while no
// dispatcher runs (it crashed, or the process stopped right after the
// commit). When it starts again, every consumer gets each of them, once,
// in order.
func TestCrashBetweenCommitAndPublishLosesNothing(t *testing.T) {
	e := newEnv(t)
	var a, b recorder
	stopA := startConsumer(e, "a", &a, 0)
	defer stopA()
	defer startConsumer(e, "b", &b, time.Hour)()

	before := e.write(5, "doc") // committed, never published: no dispatcher yet
	d, stop := startDispatcher(e, nil)
	after := e.write(5, "doc")
	want := append(before, after...)
	inOrderOnce(t, a.waitFor(t, 10), want)
	inOrderOnce(t, b.waitFor(t, 10), want)

	// Killed mid-way: the dispatcher published more than it recorded. Its
	// saved position goes back as if the crash came before the last save;
	// on restart it publishes those events again, and consumers skip them.
	stop()
	if d.Published() != want[len(want)-1] {
		t.Fatalf("dispatcher published up to %d, want %d", d.Published(), want[len(want)-1])
	}
	if err := e.store.SaveConsumerOffset(context.Background(), realtime.DispatcherName, want[2]); err != nil {
		t.Fatal(err)
	}
	more := e.write(3, "doc") // committed while the dispatcher is down
	d2, stop2 := startDispatcher(e, nil)
	defer stop2()
	want = append(want, more...)
	inOrderOnce(t, a.waitFor(t, len(want)), want)
	inOrderOnce(t, b.waitFor(t, len(want)), want)
	if d2.Count() != int64(len(want)-3) {
		t.Fatalf("restarted dispatcher published %d events, want %d (everything after its saved position)", d2.Count(), len(want)-3)
	}

	// A consumer that was down catches up from its own position in the
	// outbox, not from the bus.
	stopA()
	missed := e.write(4, "doc")
	var again recorder
	// "a" saved after every event (SaveEvery 0): it resumes exactly after
	// the last one it applied.
	defer startConsumer(e, "a", &again, 0)()
	inOrderOnce(t, again.waitFor(t, 4), missed)
	time.Sleep(50 * time.Millisecond)
	inOrderOnce(t, again.got(), missed)
}

// failingBus publishes only the first n messages and then fails, like a
// process dying half-way through a batch.
type failingBus struct {
	*bus.Bus
	left atomic.Int64
}

var errBusDown = errors.New("bus down")

func (f *failingBus) Publish(subject string, data []byte) error {
	if f.left.Add(-1) < 0 {
		return errBusDown
	}
	return f.Bus.Publish(subject, data)
}

func TestDispatcherStopsAtAFailedPublishAndRetries(t *testing.T) {
	e := newEnv(t)
	var r recorder
	defer startConsumer(e, "test", &r, time.Second)()
	want := e.write(10, "doc")
	fb := &failingBus{Bus: e.bus}
	fb.left.Store(4)
	d, stop := startDispatcher(e, fb)
	r.waitFor(t, 4)
	time.Sleep(50 * time.Millisecond)
	if got := r.got(); len(got) != 4 {
		t.Fatalf("published past a failure: %v", got)
	}
	if d.Published() != want[3] {
		t.Fatalf("position %d after the failure, want %d", d.Published(), want[3])
	}
	fb.left.Store(1 << 30) // the bus is back: the dispatcher retries
	inOrderOnce(t, r.waitFor(t, 10), want)
	stop()
	if pos, _, _ := e.store.ConsumerOffset(context.Background(), realtime.DispatcherName); pos != want[9] {
		t.Fatalf("saved position %d, want %d", pos, want[9])
	}
}

// The bus dropping messages (a slow subscriber past its pending limit) shows
// up as a gap in sequences; the consumer fills it from the outbox.
func TestConsumerFillsGapsFromTheOutbox(t *testing.T) {
	e := newEnv(t)
	var r recorder
	defer startConsumer(e, "test", &r, time.Second)()
	want := e.write(6, "doc")
	events, err := e.store.OutboxEvents(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Only the last event travels on the bus.
	raw, err := realtime.EncodeEvent(events[len(events)-1])
	if err != nil {
		t.Fatal(err)
	}
	if err := e.bus.Publish("events.doc", raw); err != nil {
		t.Fatal(err)
	}
	got := r.waitFor(t, 6)
	inOrderOnce(t, got, want)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.data[0]["title"] != "회의록 0" {
		t.Fatalf("data from the outbox: %v", r.data[0])
	}
}

func TestConsumerRetriesAFailingHandler(t *testing.T) {
	e := newEnv(t)
	var calls atomic.Int64
	var r recorder
	handle := func(ctx context.Context, ev realtime.Event, raw []byte) error {
		if calls.Add(1) <= 2 {
			return errors.New("index unavailable")
		}
		return r.handle(ctx, ev, raw)
	}
	ready := make(chan struct{})
	defer run(func(ctx context.Context) {
		realtime.RunConsumer(ctx, e.store, e.bus, realtime.Consumer{Name: "flaky", Handle: handle, Log: e.log, Ready: ready})
	})()
	<-ready
	_, stop := startDispatcher(e, nil)
	defer stop()
	want := e.write(3, "doc")
	inOrderOnce(t, r.waitFor(t, 3), want)
}

func TestNewConsumerFromLatestSkipsHistory(t *testing.T) {
	e := newEnv(t)
	e.write(3, "doc")
	var r recorder
	ready := make(chan struct{})
	defer run(func(ctx context.Context) {
		realtime.RunConsumer(ctx, e.store, e.bus, realtime.Consumer{Name: "fresh", FromLatest: true, Handle: r.handle,
			Log: e.log, Ready: ready})
	})()
	<-ready
	_, stop := startDispatcher(e, nil)
	defer stop()
	want := e.write(2, "doc")
	inOrderOnce(t, r.waitFor(t, 2), want)
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)
	in := realtime.Event{Seq: 7, Type: "message.created", ResourceType: "message", ResourceID: "m1", At: at,
		Data: map[string]any{"body": "안녕하세요, 팀! **굵게** <script>", "n": 3.0}}
	raw, err := realtime.EncodeEvent(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := realtime.DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	if out.Seq != 7 || out.Type != in.Type || out.ResourceType != "message" || out.ResourceID != "m1" ||
		!out.At.Equal(at) || out.Data["body"] != in.Data["body"] || out.Data["n"] != 3.0 {
		t.Fatalf("round trip: %+v", out)
	}
	// A stored event encodes to the same wire form without decoding its data.
	stored := realtime.StoredEvent{Seq: 7, Type: in.Type, ResourceType: "message", ResourceID: "m1", At: at,
		Data: []byte(`{"body":"안녕하세요, 팀! **굵게** <script>","n":3}`)}
	fromStored, err := stored.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if direct, _ := realtime.EncodeEvent(in); string(fromStored) != string(direct) {
		t.Fatalf("stored encoding differs:\n%s\n%s", fromStored, direct)
	}
	if dec, err := stored.Event(); err != nil || dec.Data["body"] != in.Data["body"] {
		t.Fatalf("stored decode: %+v %v", dec, err)
	}
	// Ephemeral events carry no seq and no time.
	raw, _ = realtime.EncodeEvent(realtime.Event{Type: "typing", ResourceType: "channel", ResourceID: "c1"})
	if string(raw) != `{"type":"typing","resource_type":"channel","resource_id":"c1","data":{}}` {
		t.Fatalf("ephemeral wire form: %s", raw)
	}
}
