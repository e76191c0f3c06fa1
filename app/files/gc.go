package files

import (
	"context"
	"time"
)

// RunGC purges deleted attachments after the retention, chat drafts that
// were never sent, and blobs nothing refers to any more, every
// Config.GCInterval until ctx ends. It is a background job for serve.
func (s *Service) RunGC(ctx context.Context) {
	// Not at once: startup has enough to do.
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Collect(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("attachment garbage collection failed; retrying later", "error", err)
		}
		t.Reset(s.cfg.GCInterval)
	}
}

// Collect runs one garbage collection and reports how many blob files it
// deleted.
//
// A blob's row and file are deleted in one transaction, the file just
// before the commit; uploads link their file into place inside their
// transaction. The single writer orders the two, so a blob an upload is
// reusing is either still there for it or recreated by it.
func (s *Service) Collect(ctx context.Context) (int, error) {
	err := s.st.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		_, err := tx.PurgeAttachments(ctx, now.Add(-s.cfg.Retention), now.Add(-s.cfg.DraftTTL))
		return err
	})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for ctx.Err() == nil {
		hashes, err := s.st.FindUnusedBlobs(ctx, 200)
		if err != nil || len(hashes) == 0 {
			return deleted, err
		}
		progress := false
		for _, h := range hashes {
			var gone bool
			err := s.st.Update(ctx, func(tx Tx) error {
				ok, err := tx.DeleteBlobIfUnused(ctx, h)
				if err != nil || !ok {
					return err
				}
				gone = true
				return s.blobs.Delete(h)
			})
			if err != nil {
				return deleted, err
			}
			if gone {
				deleted++
				progress = true
			}
		}
		if !progress {
			break
		}
	}
	return deleted, ctx.Err()
}
