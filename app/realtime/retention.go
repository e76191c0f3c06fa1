package realtime

import (
	"context"
	"log/slog"
	"time"
)

// Pruner deletes old outbox events that every consumer has applied
// (store.PruneOutbox).
type Pruner interface {
	PruneOutbox(ctx context.Context, before time.Time) (int64, error)
}

// RetentionJob keeps the outbox from growing forever: once an hour it
// deletes events older than the replay window (a resume could not use them
// any more) that every consumer has applied. It is meant for
// cli.Runtime.Background.
func RetentionJob(p Pruner, window time.Duration, log *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				n, err := p.PruneOutbox(ctx, now.Add(-window))
				if err != nil {
					if ctx.Err() == nil {
						log.Error("realtime: prune outbox", "error", err)
					}
					continue
				}
				if n > 0 {
					log.Info("realtime: pruned outbox", "events", n)
				}
			}
		}
	}
}
