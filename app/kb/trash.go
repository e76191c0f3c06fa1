package kb

import (
	"context"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// DeleteDocument moves a document and its children to the trash (edit).
// They can be restored until the trash retention has passed.
func (s *Service) DeleteDocument(ctx context.Context, p *app.Principal, id string) error {
	if _, _, err := s.loadDocument(ctx, p, id, authz.Edit); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		d, err := tx.FindDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if d.Deleted() {
			return errNotFound("Document")
		}
		ids, err := tx.TrashDocument(ctx, id, p.User.ID)
		if err != nil {
			return err
		}
		d.UpdatedAt = tx.Now()
		return tx.AppendEvent(ctx, documentEvent(app.EventDocumentDeleted, d, map[string]any{"ids": ids, "by": p.User.ID}))
	})
}

// loadTrashed loads a trashed document that p may do a on.
func (s *Service) loadTrashed(ctx context.Context, p *app.Principal, id string, a authz.Action) (*Document, *Space, error) {
	d, err := s.store.FindDocumentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	sp, err := s.store.FindSpaceByID(ctx, d.SpaceID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authz.Require(ctx, p, a, sp.Resource()); err != nil {
		if app.IsNotFound(err) {
			return nil, nil, errNotFound("Document")
		}
		return nil, nil, err
	}
	if !d.Deleted() {
		return nil, nil, errNotFound("Trashed document")
	}
	return d, sp, nil
}

// TrashEntry is a trashed document with the time it will be purged.
type TrashEntry struct {
	TrashItem
	PurgeAt time.Time
}

// Trash lists what was deleted in the spaces p may see (in spaceID only
// when given), newest first.
func (s *Service) Trash(ctx context.Context, p *app.Principal, spaceID string) ([]TrashEntry, error) {
	if spaceID != "" {
		if _, err := s.loadSpace(ctx, p, spaceID, authz.View); err != nil {
			return nil, err
		}
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, err
	}
	items, err := s.store.FindTrash(ctx, spaceID, vis)
	if err != nil {
		return nil, err
	}
	out := make([]TrashEntry, 0, len(items))
	for _, it := range items {
		out = append(out, TrashEntry{TrashItem: it, PurgeAt: it.DeletedAt.Add(s.cfg.TrashRetention)})
	}
	return out, nil
}

// RestoreFromTrash brings a trashed document back with what was trashed
// with it (edit). When its parent is still in the trash (or gone), it comes
// back at the top of its space. After the retention it is a conflict.
func (s *Service) RestoreFromTrash(ctx context.Context, p *app.Principal, id string) (*Document, error) {
	d, sp, err := s.loadTrashed(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	if sp.Archived() {
		return nil, errArchived
	}
	if !s.now().Before(d.DeletedAt.Add(s.cfg.TrashRetention)) {
		return nil, &app.Error{Code: app.CodeConflict, Message: "This document was deleted too long ago to be restored.",
			Details: map[string]any{"reason": "retention_passed"}}
	}
	var out *Document
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if !cur.Deleted() {
			return errNotFound("Trashed document")
		}
		ids, err := tx.RestoreDocument(ctx, id)
		if err != nil {
			return err
		}
		parent := cur.ParentID
		if parent != "" {
			if pd, err := tx.FindDocumentByID(ctx, parent); err != nil || pd.Deleted() || pd.SpaceID != cur.SpaceID {
				parent = ""
			}
		}
		// Back at the end of its parent's children (their order may have
		// changed meanwhile).
		last, _, err := tx.SiblingRanks(ctx, cur.SpaceID, parent, "", false, id)
		if err != nil {
			return err
		}
		rank := RankBetween(last, "")
		if _, err := tx.MoveDocument(ctx, id, cur.SpaceID, parent, rank); err != nil {
			return err
		}
		out = cur
		out.ParentID, out.Rank, out.DeletedAt, out.DeletedBy = parent, rank, time.Time{}, ""
		out.UpdatedAt = tx.Now()
		return tx.AppendEvent(ctx, documentEvent(app.EventDocumentRestored, out, map[string]any{"ids": ids}))
	})
	return out, err
}

// PurgeDocument deletes a trashed document and everything under it for
// good (delete: managers). It is audited.
func (s *Service) PurgeDocument(ctx context.Context, p *app.Principal, id string, meta app.RequestMeta) error {
	d, _, err := s.loadTrashed(ctx, p, id, authz.Delete)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		return s.purge(ctx, tx, d, func(at time.Time, ids []string) app.AuditEntry {
			return actorEntry(p, meta, at, app.ActionKBDocumentPurged, "document", d.ID,
				map[string]any{"space_id": d.SpaceID, "title": d.Title, "ids": ids})
		})
	})
}

func (s *Service) purge(ctx context.Context, tx Tx, d *Document, audit func(time.Time, []string) app.AuditEntry) error {
	ids, err := tx.PurgeDocument(ctx, d.ID)
	if err != nil {
		return err
	}
	now := tx.Now()
	if err := tx.AppendEvent(ctx, app.Event{Type: app.EventDocumentPurged, ResourceType: "document", ResourceID: d.ID, At: now,
		Data: map[string]any{"space_id": d.SpaceID, "ids": ids}}); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, audit(now, ids))
}

// PurgeExpired deletes for good what has been in the trash longer than the
// retention, in batches, and returns how many trashed subtrees it removed.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.cfg.TrashRetention)
	total := 0
	for {
		n := 0
		err := s.store.Update(ctx, func(tx Tx) error {
			docs, err := tx.FindPurgeable(ctx, cutoff, 100)
			if err != nil {
				return err
			}
			for i := range docs {
				d := &docs[i]
				if err := s.purge(ctx, tx, d, func(at time.Time, ids []string) app.AuditEntry {
					return app.AuditEntry{At: at, ActorLabel: "system", Action: app.ActionKBDocumentPurged,
						TargetType: "document", TargetID: d.ID, Result: app.AuditSuccess,
						Details: map[string]any{"space_id": d.SpaceID, "title": d.Title, "ids": ids, "reason": "retention"}}
				}); err != nil {
					return err
				}
			}
			n = len(docs)
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 100 {
			return total, nil
		}
	}
}

// PurgeJob runs PurgeExpired once a day (and once shortly after start)
// until ctx ends. It is a background job for serve (rt.Background).
func (s *Service) PurgeJob(ctx context.Context) {
	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			n, err := s.PurgeExpired(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Error("purge knowledge-base trash", "error", err)
			case n > 0:
				s.log.Info("purged knowledge-base trash", "documents", n)
			}
			timer.Reset(24 * time.Hour)
		}
	}
}
