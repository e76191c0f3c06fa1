package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/realtime"
)

// handed collects what Options.OnEvents received.
type handed struct {
	mu     sync.Mutex
	events []realtime.StoredEvent
}

func (h *handed) add(evs []realtime.StoredEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, evs...)
}

// checkHanded: the events handed over after commits are exactly the
// committed outbox, as OutboxSince reads it (hooks of concurrent commits may
// run out of order, so they are compared by sequence).
func (h *handed) check(t *testing.T, st *Store) {
	t.Helper()
	h.mu.Lock()
	got := slices.Clone(h.events)
	h.mu.Unlock()
	slices.SortFunc(got, func(a, b realtime.StoredEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	want, err := st.OutboxSince(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OnEvents handed over\n%+v\nthe outbox holds\n%+v", got, want)
	}
}

// openGroupStore opens a migrated store that counts its commits and
// collects the events its commits hand over.
func openGroupStore(t *testing.T) (*Store, *atomic.Int32, *handed) {
	t.Helper()
	var commits atomic.Int32
	h := &handed{}
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"),
		Options{OnCommit: func() { commits.Add(1) }, OnEvents: h.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	commits.Store(0)
	return st, &commits, h
}

// outboxIDs are the resource ids of the committed outbox events.
func outboxIDs(t *testing.T, st *Store) map[string]bool {
	t.Helper()
	evs, err := st.OutboxEvents(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, e := range evs {
		ids[e.ResourceID] = true
	}
	return ids
}

// TestGroupCommit queues writers behind a held transaction so they share
// one commit: each one's work is kept or undone on its own, a panic reaches
// its own caller, and every success is visible to readers (committed) when
// Update returns.
func TestGroupCommit(t *testing.T) {
	st, commits, handed := openGroupStore(t)
	ctx := context.Background()
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- st.Update(ctx, func(tx *Tx) error {
			<-release
			return tx.AppendEvent(ctx, app.Event{Type: "test.write", ResourceType: "test", ResourceID: "first"})
		})
	}()
	// Wait until the first holds the writer.
	for st.w.mu.TryLock() {
		st.w.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	const n = 30
	type result struct {
		id       string
		err      error
		panicked any
	}
	results := make(chan result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "w" + strconv.Itoa(i)
			defer func() {
				if p := recover(); p != nil {
					results <- result{id: id, panicked: p}
				}
			}()
			err := st.Update(ctx, func(tx *Tx) error {
				if err := tx.AppendEvent(ctx, app.Event{Type: "test.write", ResourceType: "test", ResourceID: id}); err != nil {
					return err
				}
				switch {
				case i%7 == 3:
					return errors.New("refused " + id)
				case i == 11:
					panic("boom " + id)
				}
				return nil
			})
			if err == nil && !outboxIDs(t, st)[id] {
				err = fmt.Errorf("%s: Update returned before its commit was visible", id)
			}
			results <- result{id: id, err: err}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.w.waiting.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writers queued", st.w.waiting.Load())
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(results)
	if err := <-first; err != nil {
		t.Fatalf("first: %v", err)
	}
	ids := outboxIDs(t, st)
	for r := range results {
		i, _ := strconv.Atoi(r.id[1:])
		switch {
		case i == 11:
			if r.panicked != "boom w11" {
				t.Errorf("w11: panic %v, want it re-raised in its caller", r.panicked)
			}
			if ids[r.id] {
				t.Errorf("w11 panicked but its event was committed")
			}
		case i%7 == 3:
			if r.err == nil || r.err.Error() != "refused "+r.id || ids[r.id] {
				t.Errorf("%s: err %v, committed %v; want its own error and nothing kept", r.id, r.err, ids[r.id])
			}
		default:
			if r.err != nil || !ids[r.id] {
				t.Errorf("%s: err %v, committed %v", r.id, r.err, ids[r.id])
			}
		}
	}
	if !ids["first"] {
		t.Error("the first writer's event is missing")
	}
	// 31 writers queued behind one another: at most a few commits (the
	// group closes early only when the queue runs empty), never one each.
	if c := commits.Load(); c < 1 || c > n/2 {
		t.Errorf("%d commits for %d writers", c, n+1)
	}
	// Refused and panicked writers' events were rolled back with their
	// savepoints: they must not be handed to the dispatcher either.
	handed.check(t, st)
}

// TestGroupCommitAlone: a lone failing writer rolls back and reports no
// commit; a lone succeeding one commits once.
func TestGroupCommitAlone(t *testing.T) {
	st, commits, handed := openGroupStore(t)
	ctx := context.Background()
	err := st.Update(ctx, func(tx *Tx) error {
		_ = tx.AppendEvent(ctx, app.Event{Type: "test.write", ResourceType: "test", ResourceID: "no"})
		return errors.New("no")
	})
	if err == nil || commits.Load() != 0 || outboxIDs(t, st)["no"] {
		t.Fatalf("failed writer: err %v, commits %d", err, commits.Load())
	}
	if err := st.Update(ctx, func(tx *Tx) error {
		return tx.AppendEvent(ctx, app.Event{Type: "test.write", ResourceType: "test", ResourceID: "yes"})
	}); err != nil || commits.Load() != 1 || !outboxIDs(t, st)["yes"] {
		t.Fatalf("writer: err %v, commits %d", err, commits.Load())
	}
	handed.check(t, st)
	if len(handed.events) != 1 || handed.events[0].ResourceID != "yes" {
		t.Fatalf("handed over %+v, want the one committed event", handed.events)
	}
}

// TestGroupCommitYieldsToArrivingWriters: writers that are runnable but
// not yet running when one finishes share its commit instead of each
// paying its own. One processor makes it deterministic: the writers
// started together only run once the first one yields, and without the
// yield each would find nobody waiting and commit alone.
func TestGroupCommitYieldsToArrivingWriters(t *testing.T) {
	st, commits, handed := openGroupStore(t)
	ctx := context.Background()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- st.Update(ctx, func(tx *Tx) error {
				return tx.AppendEvent(ctx, app.Event{Type: "test.write", ResourceType: "test", ResourceID: "w" + strconv.Itoa(i)})
			})
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(outboxIDs(t, st)); got != n {
		t.Fatalf("%d of %d writes committed", got, n)
	}
	if c := commits.Load(); c > n/4 {
		t.Errorf("%d commits for %d writers that were all ready to run; want them to share commits", c, n)
	}
	handed.check(t, st)
}

// BenchmarkUpdateParallel: small write transactions (an outbox event each)
// from many goroutines, as concurrent requests make them; group commit lets
// them share commits. Reports commits per transaction.
func BenchmarkUpdateParallel(b *testing.B) {
	var commits atomic.Int32
	st, err := Open(context.Background(), filepath.Join(b.TempDir(), "nexus.db"), Options{OnCommit: func() { commits.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	commits.Store(0)
	ctx := context.Background()
	b.SetParallelism(8) // 16 writers on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := st.Update(ctx, func(tx *Tx) error {
				return tx.AppendEvent(ctx, app.Event{Type: "bench.write", ResourceType: "bench", ResourceID: "x"})
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(commits.Load())/float64(b.N), "commits/tx")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
