package realtime

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Consumer applies committed events in sequence order: first those it missed
// while it was not running (read from the outbox, from its recorded
// position), then live ones from the bus. A gap in the live sequence (the
// bus dropped messages for a slow subscriber) is filled from the outbox
// too. Each event is applied once per run and at least once overall: the
// position is saved every SaveEvery, so after a crash the events since the
// last save are applied again. Handlers must be idempotent (skip what they
// already have, by sequence or by reloading the row).
type Consumer struct {
	// Name is the consumer's row in realtime_consumers.
	Name string
	// FromLatest: without a recorded position, start at the newest event
	// (the gateway: nobody is connected yet) instead of the first (an
	// indexer that must see everything).
	FromLatest bool
	// Handle applies one event; raw is its wire form (JSON). An error is
	// retried with backoff until it succeeds or the run ends: events are
	// never skipped.
	Handle func(ctx context.Context, e Event, raw []byte) error
	// Decode parses an event from the bus; nil means DecodeEvent. The
	// gateway, which only routes events, uses DecodeRouting.
	Decode func(raw []byte) (Event, error)
	// SaveEvery is how often the position is written; 0 means after every
	// event (for consumers whose handler is not cheap to repeat).
	SaveEvery time.Duration
	Log       *slog.Logger
	// Ready, when set, is closed once the consumer has caught up with the
	// outbox and is applying live events.
	Ready chan<- struct{}
}

// consumerBatch is how many events one outbox read returns.
const consumerBatch = 500

// RunConsumer runs c until ctx ends and then records its position. It
// returns an error only when it cannot subscribe to the bus.
func RunConsumer(ctx context.Context, out Outbox, bus Bus, c Consumer) error {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Subscribe before reading the position, so that nothing published in
	// between is missed; what is seen twice is skipped by sequence.
	live := make(chan []byte, 1024)
	unsubscribe, err := bus.Subscribe(EventSubjects, func(data []byte) {
		select {
		case live <- data:
		case <-ctx.Done():
		}
	})
	if err != nil {
		return err
	}
	defer unsubscribe()

	decode := c.Decode
	if decode == nil {
		decode = DecodeEvent
	}
	r := &consumerRun{out: out, c: c, log: log}
	if !r.start(ctx) {
		return nil
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.save(ctx)
	}()
	if !r.catchUp(ctx, 0) {
		return nil
	}
	if c.Ready != nil {
		close(c.Ready)
	}
	var tick <-chan time.Time
	if c.SaveEvery > 0 {
		t := time.NewTicker(c.SaveEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			r.save(ctx)
		case data := <-live:
			e, err := decode(data)
			if err != nil || e.Seq == 0 {
				log.Error("realtime: undecodable event on the bus", "consumer", c.Name, "error", err)
				continue
			}
			if e.Seq <= r.applied {
				continue // already applied (republished after a restart)
			}
			if e.Seq > r.applied+1 && !r.catchUp(ctx, e.Seq) {
				return nil
			}
			if e.Seq <= r.applied {
				continue
			}
			if !r.apply(ctx, e, data) {
				return nil
			}
		}
	}
}

type consumerRun struct {
	out     Outbox
	c       Consumer
	log     *slog.Logger
	applied int64
	saved   int64
}

func (r *consumerRun) start(ctx context.Context) bool {
	for attempt := 1; ; attempt++ {
		seq, ok, err := r.out.ConsumerOffset(ctx, r.c.Name)
		if err == nil && !ok {
			if r.c.FromLatest {
				seq, err = r.out.LatestOutboxSeq(ctx)
			}
			if err == nil {
				// Record the starting point, so that what is committed from
				// now on is caught up after a crash.
				err = r.out.SaveConsumerOffset(ctx, r.c.Name, seq)
			}
		}
		if err == nil {
			r.applied, r.saved = seq, seq
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if attempt%50 == 1 {
			r.log.Warn("realtime: consumer waiting for the database", "consumer", r.c.Name, "error", err)
		}
		if !sleep(ctx, 100*time.Millisecond) {
			return false
		}
	}
}

// catchUp applies outbox events after the applied position and before
// until (0: up to the newest).
func (r *consumerRun) catchUp(ctx context.Context, until int64) bool {
	for {
		events, err := r.out.OutboxSince(ctx, r.applied, consumerBatch)
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			r.log.Error("realtime: consumer catch-up", "consumer", r.c.Name, "after_seq", r.applied, "error", err)
			if !sleep(ctx, time.Second) {
				return false
			}
			continue
		}
		for _, se := range events {
			if until > 0 && se.Seq >= until {
				return true
			}
			e, err := se.Event()
			var raw []byte
			if err == nil {
				raw, err = se.Encode()
			}
			if err != nil {
				r.log.Error("realtime: skip undecodable event", "consumer", r.c.Name, "seq", se.Seq, "error", err)
				r.applied = se.Seq
				continue
			}
			if !r.apply(ctx, e, raw) {
				return false
			}
		}
		if len(events) < consumerBatch {
			return true
		}
	}
}

func (r *consumerRun) apply(ctx context.Context, e Event, raw []byte) bool {
	for failures := 0; ; failures++ {
		err := r.c.Handle(ctx, e, raw)
		if err == nil {
			break
		}
		if ctx.Err() != nil || errors.Is(err, context.Canceled) {
			return false
		}
		r.log.Error("realtime: consumer failed on an event; retrying", "consumer", r.c.Name, "seq", e.Seq,
			"type", e.Type, "error", err)
		if !sleep(ctx, min(time.Duration(failures+1)*200*time.Millisecond, 10*time.Second)) {
			return false
		}
	}
	r.applied = e.Seq
	if r.c.SaveEvery <= 0 {
		r.save(ctx)
	}
	return true
}

func (r *consumerRun) save(ctx context.Context) {
	if r.applied == r.saved {
		return
	}
	if err := r.out.SaveConsumerOffset(ctx, r.c.Name, r.applied); err != nil {
		if ctx.Err() == nil {
			r.log.Error("realtime: save consumer position", "consumer", r.c.Name, "seq", r.applied, "error", err)
		}
		return
	}
	r.saved = r.applied
}
