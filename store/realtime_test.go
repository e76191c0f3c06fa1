package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"nexus/app"
	"nexus/store"
)

func appendEvents(t *testing.T, st *store.Store, n int) {
	t.Helper()
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		for i := range n {
			if err := tx.AppendEvent(context.Background(), app.Event{Type: "test.created", ResourceType: "test",
				ResourceID: app.NewID(), Data: map[string]any{"i": i, "text": "안녕하세요"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOnCommitRunsAfterEachCommitOnly(t *testing.T) {
	ctx := context.Background()
	var commits atomic.Int64
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{OnCommit: func() { commits.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	before := commits.Load()
	appendEvents(t, st, 3)
	if got := commits.Load() - before; got != 1 {
		t.Fatalf("one committed transaction ran the hook %d times", got)
	}
	// A transaction that fails is rolled back: nothing to publish.
	boom := errors.New("boom")
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AppendEvent(ctx, app.Event{Type: "test.created", ResourceType: "test", ResourceID: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if got := commits.Load() - before; got != 1 {
		t.Fatalf("a rolled-back transaction ran the hook (%d calls)", got)
	}
	// And the hook sees the commit: the event is readable when it runs.
	var seen int64
	st2, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := st2.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st3, err := store.Open(ctx, st2.Path(), store.Options{OnCommit: func() {
		seen, _ = st2.LatestOutboxSeq(ctx)
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st3.Close()
	appendEvents(t, st3, 1)
	if seen != 1 {
		t.Fatalf("when OnCommit ran, another connection saw sequence %d, want 1", seen)
	}
}

func TestConsumerOffsets(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	// The migration positions the dispatcher after the events that existed
	// (none in a new database).
	seq, ok, err := st.ConsumerOffset(ctx, "dispatcher")
	if err != nil || !ok || seq != 0 {
		t.Fatalf("dispatcher offset: %d %v %v", seq, ok, err)
	}
	if _, ok, err := st.ConsumerOffset(ctx, "indexer"); err != nil || ok {
		t.Fatalf("unknown consumer: ok=%v err=%v", ok, err)
	}
	if err := st.SaveConsumerOffset(ctx, "indexer", 41); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConsumerOffset(ctx, "indexer", 42); err != nil {
		t.Fatal(err)
	}
	if seq, ok, err := st.ConsumerOffset(ctx, "indexer"); err != nil || !ok || seq != 42 {
		t.Fatalf("indexer offset: %d %v %v", seq, ok, err)
	}
}

func TestLatestOutboxSeqSurvivesPruning(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if seq, err := st.LatestOutboxSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("empty outbox: %d %v", seq, err)
	}
	appendEvents(t, st, 10)
	if err := st.SaveConsumerOffset(ctx, "dispatcher", 10); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConsumerOffset(ctx, "gateway", 10); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneOutbox(ctx, now.Add(time.Hour))
	if err != nil || n != 10 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if seq, err := st.LatestOutboxSeq(ctx); err != nil || seq != 10 {
		t.Fatalf("after pruning every row: latest %d %v, want 10", seq, err)
	}
	appendEvents(t, st, 1)
	events, err := st.OutboxEvents(ctx, 0, 10)
	if err != nil || len(events) != 1 || events[0].Seq != 11 {
		t.Fatalf("sequences must never be reused: %+v %v", events, err)
	}
}

func TestPruneOutboxKeepsYoungAndUnappliedEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	appendEvents(t, st, 3000) // seq 1..3000, two days old
	now = now.Add(48 * time.Hour)
	appendEvents(t, st, 10) // seq 3001..3010, fresh

	// The slowest consumer has applied 2500: nothing after it goes.
	if err := st.SaveConsumerOffset(ctx, "dispatcher", 3010); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveConsumerOffset(ctx, "gateway", 2500); err != nil {
		t.Fatal(err)
	}
	n, err := st.PruneOutbox(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 2500 {
		t.Fatalf("pruned %d (%v), want 2500", n, err)
	}
	events, err := st.OutboxEvents(ctx, 0, 1)
	if err != nil || len(events) != 1 || events[0].Seq != 2501 {
		t.Fatalf("oldest left: %+v %v", events, err)
	}

	// Once applied, old events go; young ones stay.
	if err := st.SaveConsumerOffset(ctx, "gateway", 3010); err != nil {
		t.Fatal(err)
	}
	if n, err = st.PruneOutbox(ctx, now.Add(-24*time.Hour)); err != nil || n != 500 {
		t.Fatalf("pruned %d (%v), want 500", n, err)
	}
	events, err = st.OutboxEvents(ctx, 0, 100)
	if err != nil || len(events) != 10 || events[0].Seq != 3001 {
		t.Fatalf("left %d events from %v (%v)", len(events), events, err)
	}
	if n, err = st.PruneOutbox(ctx, now.Add(-24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("second run pruned %d (%v)", n, err)
	}
	if events[0].Data["text"] != "안녕하세요" {
		t.Fatalf("data not kept byte for byte: %v", events[0].Data)
	}
}
