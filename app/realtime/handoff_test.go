package realtime_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/realtime"
	"nexus/store"
)

// countingOutbox counts the dispatcher's outbox reads.
type countingOutbox struct {
	realtime.Outbox
	reads atomic.Int64
}

// OutboxSince counts a read once it has returned, so that a count above
// zero means the dispatcher's first read is over (what is committed after
// it can only reach the dispatcher by a later read or the hand-off).
func (c *countingOutbox) OutboxSince(ctx context.Context, afterSeq int64, limit int) ([]realtime.StoredEvent, error) {
	defer c.reads.Add(1)
	return c.Outbox.OutboxSince(ctx, afterSeq, limit)
}

// handoffEnv is env with the store handing committed events to a Handoff,
// as main.go wires it, and a dispatcher that only moves when kicked (its
// poll interval is an hour), reading the outbox through a counter.
type handoffEnv struct {
	*env
	handoff *realtime.Handoff
	out     *countingOutbox
	// order records the sequences published on the bus, in publication
	// order (a consumer would hide a wrong order by filling gaps itself).
	order *recorder
}

func newHandoffEnv(t *testing.T) *handoffEnv {
	t.Helper()
	return newHandoffEnvPolling(t, time.Hour, nil)
}

// newHandoffEnvPolling is newHandoffEnv with the given poll interval and,
// before the dispatcher starts, prefill handed over.
func newHandoffEnvPolling(t *testing.T, poll time.Duration, prefill []realtime.StoredEvent) *handoffEnv {
	t.Helper()
	e := newEnv(t)
	h := realtime.NewHandoff()
	st, err := store.Open(context.Background(), e.store.Path(), store.Options{OnCommit: e.kick.Notify, OnEvents: h.Add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	he := &handoffEnv{env: e, handoff: h, out: &countingOutbox{Outbox: st}, order: &recorder{}}
	unsubscribe, err := e.bus.Subscribe(realtime.EventSubjects, func(data []byte) {
		ev, err := realtime.DecodeEvent(data)
		if err != nil {
			t.Error(err)
		}
		_ = he.order.handle(context.Background(), ev, data)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(unsubscribe)
	h.Add(prefill)
	d := realtime.NewDispatcher(he.out, e.bus, e.kick, realtime.DispatcherConfig{Handoff: h,
		MinInterval: poll, MaxInterval: poll}, e.log)
	t.Cleanup(run(d.Run))
	// The dispatcher reads the outbox once as it starts.
	deadline := time.Now().Add(10 * time.Second)
	for he.out.reads.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher did not start")
		}
		time.Sleep(time.Millisecond)
	}
	return he
}

func seqRange(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// TestDispatcherPublishesHandedOverEvents: events committed in this
// process are published from memory, in order, without reading the outbox;
// with concurrent writers (whose commit hooks may run out of order) still
// in order and exactly once.
func TestDispatcherPublishesHandedOverEvents(t *testing.T) {
	e := newHandoffEnv(t)
	reads := e.out.reads.Load()
	for range 20 {
		e.write(1, "doc")
	}
	e.write(5, "doc")
	inOrderOnce(t, e.order.waitFor(t, 25), seqRange(1, 25))
	if got := e.out.reads.Load() - reads; got != 0 {
		t.Errorf("the dispatcher read the outbox %d times for events it was handed", got)
	}

	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				err := e.store.Update(context.Background(), func(tx *store.Tx) error {
					return tx.AppendEvent(context.Background(), app.Event{Type: "doc.created", ResourceType: "doc",
						ResourceID: app.NewID(), Data: map[string]any{"writer": w}})
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	inOrderOnce(t, e.order.waitFor(t, 225), seqRange(1, 225))
}

// TestDispatcherReadsWhatItWasNotHanded: events committed by another
// process (the nexus CLI) never reach the hand-off; the dispatcher notices
// the gap and reads them from the outbox, still in order, exactly once.
// Events handed over out of order are put back in order.
func TestDispatcherReadsWhatItWasNotHanded(t *testing.T) {
	e := newHandoffEnv(t)
	other, err := store.Open(context.Background(), filepath.Join(filepath.Dir(e.store.Path()), "nexus.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	writeOther := func(n int) {
		t.Helper()
		for range n {
			if err := other.Update(context.Background(), func(tx *store.Tx) error {
				return tx.AppendEvent(context.Background(), app.Event{Type: "doc.created", ResourceType: "doc", ResourceID: app.NewID()})
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	reads := e.out.reads.Load()
	writeOther(3)
	e.write(2, "doc") // handed over: 4 and 5, after a gap
	inOrderOnce(t, e.order.waitFor(t, 5), seqRange(1, 5))
	if e.out.reads.Load() == reads {
		t.Error("the gap was not read from the outbox")
	}

	// Committed elsewhere, handed over in two parts, the later first.
	writeOther(6)
	evs, err := e.store.OutboxSince(context.Background(), 5, 100)
	if err != nil || len(evs) != 6 {
		t.Fatalf("outbox: %d events, %v", len(evs), err)
	}
	e.handoff.Add(evs[3:])
	e.handoff.Add(evs[:3])
	reads = e.out.reads.Load()
	e.kick.Notify()
	inOrderOnce(t, e.order.waitFor(t, 11), seqRange(1, 11))
	if got := e.out.reads.Load() - reads; got != 0 {
		t.Errorf("the dispatcher read the outbox %d times although it held the events", got)
	}
}

// TestDispatcherAfterHandoffOverflow: when the hand-off holds too much (the
// dispatcher stuck, here: events it can never use), it drops what it holds;
// nothing is lost, the poll reads it from the outbox.
func TestDispatcherAfterHandoffOverflow(t *testing.T) {
	var junk []realtime.StoredEvent
	for i := range 8190 {
		junk = append(junk, realtime.StoredEvent{Seq: 1_000_000 + int64(i), Type: "doc.created", ResourceType: "doc"})
	}
	e := newHandoffEnvPolling(t, 20*time.Millisecond, junk)
	e.write(5, "doc") // the third overflows the hand-off
	inOrderOnce(t, e.order.waitFor(t, 5), seqRange(1, 5))
}
