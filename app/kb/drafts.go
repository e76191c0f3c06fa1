package kb

import (
	"context"

	"nexus/app"
	"nexus/app/authz"
)

// DraftInput is an autosave of the editor.
type DraftInput struct {
	Title       string
	Body        string
	BaseVersion int64
}

// DraftView is a user's draft with the document's current version, so the
// editor can tell when someone published since the draft was started.
type DraftView struct {
	Draft
	CurrentVersion int64
}

// Stale reports whether a newer version was published after the draft
// was started.
func (d *DraftView) Stale() bool { return d.BaseVersion < d.CurrentVersion }

// Draft returns p's draft of a document (edit); not_found when none.
func (s *Service) Draft(ctx context.Context, p *app.Principal, id string) (*DraftView, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	dr, err := s.store.FindDraft(ctx, id, p.User.ID)
	if err != nil {
		return nil, err
	}
	return &DraftView{Draft: *dr, CurrentVersion: d.Version}, nil
}

// SaveDraft stores p's draft of a document, replacing the previous one
// (edit). Saving never fails because someone else published meanwhile:
// the draft keeps its base version, and publishing it is what checks.
func (s *Service) SaveDraft(ctx context.Context, p *app.Principal, id string, in DraftInput) (*DraftView, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	// An empty title is allowed while typing; publishing requires one.
	title, err := cleanText("title", in.Title, false, MaxTitleRunes, false)
	if err != nil {
		return nil, err
	}
	if err := checkBody(in.Body); err != nil {
		return nil, err
	}
	if in.BaseVersion <= 0 || in.BaseVersion > d.Version {
		return nil, app.Invalid("base_version", "base_version must be the version of the document the edit started from.")
	}
	dr := &Draft{DocumentID: id, UserID: p.User.ID, Title: title, Body: in.Body, BaseVersion: in.BaseVersion}
	err = s.store.Update(ctx, func(tx Tx) error {
		dr.UpdatedAt = tx.Now()
		return tx.PutDraft(ctx, dr)
	})
	if err != nil {
		return nil, err
	}
	return &DraftView{Draft: *dr, CurrentVersion: d.Version}, nil
}

// DiscardDraft deletes p's draft (edit); not_found when none.
func (s *Service) DiscardDraft(ctx context.Context, p *app.Principal, id string) error {
	if _, _, err := s.loadDocument(ctx, p, id, authz.Edit); err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		ok, err := tx.DeleteDraft(ctx, id, p.User.ID)
		if err == nil && !ok {
			return errNotFound("Draft")
		}
		return err
	})
}
