package audit

import (
	"context"
	"time"

	"nexus/app"
)

// retentionBatch bounds each delete transaction, so that expiring a large
// backlog never holds the single writer for long.
const retentionBatch = 5000

// RetentionInterval is how often RetentionJob runs after its first run.
const RetentionInterval = 24 * time.Hour

// ApplyRetention deletes the entries older than the retention period and
// returns how many it deleted. It first records the cutoff in audit_retention
// (the only thing that makes old rows deletable), then deletes in batches;
// the batch that finishes also records what was removed, as audit.expired.
// With a retention of 0 it keeps everything.
func (s *Service) ApplyRetention(ctx context.Context) (int64, error) {
	if s.cfg.Retention <= 0 {
		return 0, nil
	}
	var cutoff time.Time
	err := s.store.Update(ctx, func(tx Tx) error {
		cutoff = tx.Now().Add(-s.cfg.Retention)
		return tx.SetAuditCutoff(ctx, cutoff)
	})
	if err != nil {
		return 0, err
	}
	var total int64
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var n int64
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			if n, err = tx.DeleteAuditBefore(ctx, cutoff, retentionBatch); err != nil {
				return err
			}
			if n == retentionBatch || total+n == 0 {
				return nil
			}
			return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorLabel: "system", Action: app.ActionAuditExpired,
				TargetType: "audit_log", Result: app.AuditSuccess, Details: map[string]any{
					"deleted": total + n, "cutoff": cutoff.UTC().Format(time.RFC3339Nano),
					"retention_days": int(s.cfg.Retention / (24 * time.Hour))}})
		})
		if err != nil {
			return total, err
		}
		total += n
		done = n < retentionBatch
	}
	return total, nil
}

// RetentionJob applies the retention once at start and then daily until ctx
// ends. It is meant for the server's background jobs. With a retention of 0
// it returns at once.
func (s *Service) RetentionJob(ctx context.Context) {
	if s.cfg.Retention <= 0 {
		return
	}
	run := func() {
		n, err := s.ApplyRetention(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "audit retention failed; retrying at the next run", "error", err, "deleted", n)
		case n > 0:
			s.log.InfoContext(ctx, "expired old audit entries", "deleted", n, "retention", s.cfg.Retention.String())
		}
	}
	run()
	t := time.NewTicker(RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}
