package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"nexus/app/realtime"
)

// Group commit. A commit costs more than a small transaction's statements
// (the WAL frames of every page it touched are written, the WAL index
// updated, sometimes a checkpoint run), and under load many writers queue
// for the one writer connection. So when a transaction finishes while
// others are waiting, it leaves the SQLite transaction open and the next
// one continues in it; the last of the group commits for everyone.
//
// Each caller's work runs inside its own SAVEPOINT: if fn fails (or
// panics) only its own changes are rolled back, the rows, audit entry and
// outbox event of one call stay all or nothing. A caller learns of success
// only after the group's COMMIT, so nothing is reported done that a crash
// could still undo. Callers run fn on their own goroutine with their own
// context; the SQLite transaction itself is not bound to any caller's
// context, so one caller giving up cannot roll back the others.

// maxGroup bounds how many transactions share one commit, so the first
// of a group does not wait behind an endless stream.
const maxGroup = 64

type writer struct {
	mu      sync.Mutex   // held while a caller runs its fn
	waiting atomic.Int32 // callers waiting for mu
	grp     *group       // the open group transaction, if any
}

// group is one SQLite transaction shared by several callers.
type group struct {
	tx   *sql.Tx
	n    int // callers that ran in it
	ok   int // of which succeeded
	done chan struct{}
	err  error // the COMMIT's (or the reason the transaction was lost)
	// events are the outbox events of the callers that succeeded, in
	// sequence order, for Options.OnEvents.
	events []realtime.StoredEvent
}

// errGroupLost: the shared transaction was rolled back as a whole (SQLite
// does that itself on some I/O and memory errors).
var errGroupLost = errors.New("write transaction rolled back")

func (w *writer) run(ctx context.Context, s *Store, fn func(*Tx) error) error {
	w.waiting.Add(1)
	w.mu.Lock()
	w.waiting.Add(-1)
	g := w.grp
	if g == nil {
		sqlTx, err := s.write.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			w.mu.Unlock()
			return fmt.Errorf("begin write transaction: %w", err)
		}
		g = &group{tx: sqlTx, done: make(chan struct{})}
		w.grp = g
	}
	g.n++
	tx := &Tx{s: s, tx: g.tx, now: s.now().UTC().Truncate(time.Microsecond)}
	lost, panicked, pv, err := runMember(ctx, tx, fn)
	if err == nil && !lost && !panicked {
		g.ok++
		// Only now are this caller's events sure to be in the group: a
		// failed caller's were rolled back with its savepoint.
		g.events = append(g.events, tx.events...)
	}
	if !lost && !panicked && g.n < maxGroup && w.waiting.Load() == 0 {
		// About to commit alone. Under load the writers that will share
		// this commit are usually runnable but not yet running (two cores,
		// hundreds of goroutines), so nobody is seen waiting and every
		// writer would pay a commit of its own: each a WAL append of every
		// page it touched, a reset of every read connection's page cache
		// and, every few thousand pages, a checkpoint that holds the writer
		// for tens of milliseconds. Yielding the processor once, still
		// holding the writer, lets them run and queue up behind us. When
		// nothing else is runnable this returns at once.
		runtime.Gosched()
	}
	if !lost && !panicked && w.waiting.Load() > 0 && g.n < maxGroup {
		// Others are queued: one of them commits for us.
		w.mu.Unlock()
		if err != nil {
			return err // undone already; nothing of ours waits for the commit
		}
		<-g.done
		s.prepareMissed(ctx, tx)
		return g.err
	}
	w.grp = nil
	committed := false
	switch {
	case lost:
		_ = g.tx.Rollback()
		g.err = fmt.Errorf("commit: %w", errGroupLost)
	case g.ok == 0:
		_ = g.tx.Rollback() // nothing to keep
	default:
		if cerr := g.tx.Commit(); cerr != nil {
			g.err = fmt.Errorf("commit: %w", cerr)
		} else {
			committed = true
		}
	}
	close(g.done)
	w.mu.Unlock()
	if committed && s.onEvents != nil && len(g.events) > 0 {
		s.onEvents(g.events)
	}
	if committed && s.onCommit != nil {
		s.onCommit()
	}
	if panicked {
		panic(pv)
	}
	s.prepareMissed(ctx, tx)
	if err != nil {
		return err
	}
	return g.err
}

// runMember runs fn in a savepoint of the group's transaction. lost means
// the whole transaction is gone (the savepoint could not be rolled back to
// or released); a panic is rolled back to the savepoint and handed back
// for the caller to re-raise once the group is taken care of.
//
// A caller's context still bounds its own statements. SQLite rolls the
// whole transaction back when a write statement is interrupted, so a
// cancelled caller can cost the rest of its group their commit: they get
// an error (never a false success) and may retry.
func runMember(ctx context.Context, tx *Tx, fn func(*Tx) error) (lost, panicked bool, pv any, err error) {
	bg := context.WithoutCancel(ctx)
	if _, err := tx.tx.ExecContext(bg, "SAVEPOINT nexus_tx"); err != nil {
		return true, false, nil, fmt.Errorf("begin write transaction: %w", err)
	}
	undo := func() bool {
		if _, err := tx.tx.ExecContext(bg, "ROLLBACK TO nexus_tx"); err != nil {
			return false
		}
		_, err := tx.tx.ExecContext(bg, "RELEASE nexus_tx")
		return err == nil
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				panicked, pv = true, p
			}
		}()
		err = fn(tx)
	}()
	switch {
	case panicked:
		return !undo(), true, pv, nil
	case err != nil:
		return !undo(), false, nil, err
	}
	if _, rerr := tx.tx.ExecContext(bg, "RELEASE nexus_tx"); rerr != nil {
		return true, false, nil, fmt.Errorf("commit: %w", rerr)
	}
	return false, false, nil, nil
}
