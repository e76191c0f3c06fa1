package realtime

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DispatcherName is the dispatcher's row in realtime_consumers: the last
// sequence it published.
const DispatcherName = "dispatcher"

// DispatcherConfig tunes the dispatcher; zero values pick the defaults.
type DispatcherConfig struct {
	// MinInterval is the poll interval right after activity; it doubles
	// while the outbox stays empty, up to MaxInterval. Commits made in this
	// process wake the dispatcher at once (Kick), so polling only catches
	// commits made by other processes (the nexus CLI) and is a safety net.
	MinInterval time.Duration
	MaxInterval time.Duration
	// Batch is how many events one read publishes.
	Batch int
	// SaveEvery is how often the position is written to SQLite. After a
	// crash, up to this much is published again; consumers skip sequences
	// they already applied.
	SaveEvery time.Duration
	// Handoff, when set, brings the events this process commits (the
	// store's OnEvents hook fills it), so the dispatcher publishes them
	// without reading them back. Anything it does not hold, in order, is
	// read from the outbox as before.
	Handoff *Handoff
}

func (c *DispatcherConfig) defaults() {
	if c.MinInterval <= 0 {
		c.MinInterval = 5 * time.Millisecond
	}
	if c.MaxInterval < c.MinInterval {
		c.MaxInterval = 250 * time.Millisecond
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.SaveEvery <= 0 {
		c.SaveEvery = time.Second
	}
}

// Dispatcher publishes committed outbox events on the bus, in sequence
// order, each exactly once per run (and at least once across crashes).
type Dispatcher struct {
	out  Outbox
	bus  Bus
	kick *Signal
	cfg  DispatcherConfig
	log  *slog.Logger

	published atomic.Int64 // last sequence published
	count     atomic.Int64 // events published since start
}

// NewDispatcher returns a dispatcher; kick (may be nil) wakes it, e.g. from
// the store's OnCommit hook.
func NewDispatcher(out Outbox, bus Bus, kick *Signal, cfg DispatcherConfig, log *slog.Logger) *Dispatcher {
	cfg.defaults()
	if kick == nil {
		kick = NewSignal()
	}
	return &Dispatcher{out: out, bus: bus, kick: kick, cfg: cfg, log: log}
}

// Kick makes the dispatcher look at the outbox now.
func (d *Dispatcher) Kick() { d.kick.Notify() }

// Published is the last sequence published so far.
func (d *Dispatcher) Published() int64 { return d.published.Load() }

// Count is how many events this dispatcher has published.
func (d *Dispatcher) Count() int64 { return d.count.Load() }

// Run publishes until ctx ends, then records its position. It is meant for
// cli.Runtime.Background.
func (d *Dispatcher) Run(ctx context.Context) {
	cursor, ok := d.start(ctx)
	if !ok {
		return
	}
	d.published.Store(cursor)
	saved, lastSave := cursor, time.Now()
	save := func(ctx context.Context) {
		if cursor == saved {
			return
		}
		if err := d.out.SaveConsumerOffset(ctx, DispatcherName, cursor); err != nil {
			d.log.Error("realtime: save dispatcher position", "seq", cursor, "error", err)
			return
		}
		saved, lastSave = cursor, time.Now()
	}
	defer func() {
		// The run's context is over; the store is still open (it closes
		// after background jobs end).
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		save(ctx)
	}()

	interval := d.cfg.MinInterval
	timer := time.NewTimer(interval)
	defer timer.Stop()
	failures := 0
	// kicked: this round was started by a commit in this process (Kick)
	// rather than by the poll or a full batch.
	kicked := false
	for {
		n, err := d.publishBatch(ctx, &cursor, kicked)
		kicked = false
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			d.log.Error("realtime: publish outbox events", "after_seq", cursor, "error", err)
			if !sleep(ctx, min(time.Duration(failures)*100*time.Millisecond, 5*time.Second)) {
				return
			}
			continue
		}
		failures = 0
		if time.Since(lastSave) >= d.cfg.SaveEvery {
			save(ctx)
		}
		if n == d.cfg.Batch {
			continue // more is waiting
		}
		if n > 0 {
			interval = d.cfg.MinInterval
		} else {
			interval = min(2*interval, d.cfg.MaxInterval)
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return
		case <-d.kick.C():
			interval = d.cfg.MinInterval
			kicked = true
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// start reads the recorded position, retrying while the database is not
// ready (migrations run after background jobs start).
func (d *Dispatcher) start(ctx context.Context) (int64, bool) {
	for attempt := 1; ; attempt++ {
		seq, ok, err := d.out.ConsumerOffset(ctx, DispatcherName)
		if err == nil && !ok {
			// No position recorded (the migration writes one): start after
			// what exists now rather than republishing history.
			seq, err = d.out.LatestOutboxSeq(ctx)
		}
		if err == nil {
			return seq, true
		}
		if ctx.Err() != nil {
			return 0, false
		}
		if attempt%50 == 1 {
			d.log.Warn("realtime: dispatcher waiting for the database", "error", err)
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return 0, false
		}
	}
}

// publishBatch publishes the next events after *cursor and advances it past
// each one published.
func (d *Dispatcher) publishBatch(ctx context.Context, cursor *int64, kicked bool) (int, error) {
	events, err := d.next(ctx, *cursor, kicked)
	if err != nil {
		return 0, err
	}
	for i, e := range events {
		data, err := e.Encode()
		if err != nil {
			// An event that cannot be encoded can never be published;
			// skipping it is the only way forward. It stays in the outbox.
			d.log.Error("realtime: skip unencodable event", "seq", e.Seq, "type", e.Type, "error", err)
			*cursor = e.Seq
			continue
		}
		if err := d.bus.Publish(subject(eventPrefix, e.ResourceType), data); err != nil {
			return i, err
		}
		*cursor = e.Seq
		d.published.Store(e.Seq)
		d.count.Add(1)
	}
	return len(events), nil
}

// next returns the events to publish after cursor: the handed-over ones when
// they follow it without a gap, else the outbox's. A commit's wake-up that
// finds nothing held reads nothing: its events, if it had any, went out
// with an earlier round (they are handed over before the kick), and what
// other processes commit is found by the poll, or as a gap before the next
// events handed over.
func (d *Dispatcher) next(ctx context.Context, cursor int64, kicked bool) ([]StoredEvent, error) {
	if h := d.cfg.Handoff; h != nil {
		events, gap := h.take(cursor, d.cfg.Batch)
		if len(events) > 0 {
			return events, nil
		}
		if kicked && !gap {
			return nil, nil
		}
	}
	return d.out.OutboxSince(ctx, cursor, d.cfg.Batch)
}

// maxHandoff bounds the events a Handoff holds when the dispatcher does not
// take them (not running, or stuck on the bus); past it they are dropped
// and the dispatcher reads them from the outbox.
const maxHandoff = 8192

// Handoff passes committed events from the store's commit to the
// dispatcher in memory. The outbox stays the source of truth: the
// dispatcher only takes a run of events that starts right after what it
// published and has no gap, and reads the outbox whenever that is not what
// it holds (events committed by another process, hooks that ran out of
// order, events dropped on overflow).
type Handoff struct {
	mu     sync.Mutex
	events []StoredEvent
}

// NewHandoff returns an empty hand-off.
func NewHandoff() *Handoff { return &Handoff{} }

// Add takes the events of one commit, in sequence order (the store's
// OnEvents hook). It never blocks.
func (h *Handoff) Add(events []StoredEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events)+len(events) > maxHandoff {
		clear(h.events) // let go of the dropped events' data
		h.events = h.events[:0]
		return
	}
	h.events = append(h.events, events...)
}

// take returns up to limit events following after without a gap. When it
// holds no such run, gap reports whether it holds later events (so some
// before them are missing). Events at or before after are dropped: they
// were published already.
func (h *Handoff) take(after int64, limit int) (events []StoredEvent, gap bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// Commits from concurrent writers may hand over out of order.
	if !slices.IsSortedFunc(h.events, byStoredSeq) {
		slices.SortFunc(h.events, byStoredSeq)
	}
	i := 0
	for i < len(h.events) && h.events[i].Seq <= after {
		i++
	}
	n := 0
	for i+n < len(h.events) && n < limit && h.events[i+n].Seq == after+int64(n)+1 {
		n++
	}
	if n > 0 {
		events = slices.Clone(h.events[i : i+n])
	}
	h.events = slices.Delete(h.events, 0, i+n)
	return events, n == 0 && len(h.events) > 0
}

func byStoredSeq(a, b StoredEvent) int { return cmp.Compare(a.Seq, b.Seq) }
