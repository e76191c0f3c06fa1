package mail

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// deliverBatch is how many due messages one pass sends.
const deliverBatch = 20

// Run delivers queued messages until ctx ends: at once when Notify is
// called, and otherwise every PollInterval (which also picks up retries).
// It is the background job main.go starts when SMTP is configured.
func (s *Service) Run(ctx context.Context) {
	if s.sender == nil {
		return
	}
	ticker := time.NewTicker(s.cfg.PollInterval)
	defer ticker.Stop()
	for {
		for {
			n, err := s.DeliverDue(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.ErrorContext(ctx, "mail delivery pass failed", "error", err)
				}
				break
			}
			if n < deliverBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-s.wake:
		}
	}
}

// DeliverDue makes one delivery attempt for each due message (up to a
// batch) and records the outcomes. It returns how many it attempted.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	if s.sender == nil {
		return 0, nil
	}
	due, err := s.store.FindDueMail(ctx, s.now(), deliverBatch)
	if err != nil {
		return 0, fmt.Errorf("find due mail: %w", err)
	}
	for i := range due {
		if ctx.Err() != nil {
			return i, ctx.Err()
		}
		m := &due[i]
		sendErr := s.sender.send(ctx, m)
		now := s.now()
		a := Attempt{ID: m.ID, Attempts: m.Attempts + 1}
		switch {
		case sendErr == nil:
			a.Status, a.SentAt = StatusSent, now
			s.log.InfoContext(ctx, "mail sent", "mail_id", m.ID, "kind", string(m.Kind), "attempts", a.Attempts)
		case isPermanent(sendErr) || a.Attempts >= s.cfg.MaxAttempts:
			a.Status, a.LastError = StatusFailed, errorText(sendErr)
			s.log.ErrorContext(ctx, "mail delivery failed; giving up", "mail_id", m.ID, "kind", string(m.Kind),
				"attempts", a.Attempts, "error", sendErr)
		default:
			a.Status, a.LastError = StatusQueued, errorText(sendErr)
			a.NextAttemptAt = now.Add(s.backoff(a.Attempts))
			s.log.WarnContext(ctx, "mail delivery failed; will retry", "mail_id", m.ID, "kind", string(m.Kind),
				"attempts", a.Attempts, "retry_at", a.NextAttemptAt, "error", sendErr)
		}
		if err := s.store.RecordMailAttempt(ctx, a); err != nil {
			return i + 1, fmt.Errorf("record mail attempt: %w", err)
		}
	}
	return len(due), nil
}

// backoff is the wait after the n-th failed attempt: RetryBase doubled
// for each earlier failure, capped at RetryMax.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < n && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.RetryMax)
}

// errorText is what the outbox shows administrators: the SMTP reply or
// network error, bounded in length.
func errorText(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
