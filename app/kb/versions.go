package kb

import (
	"context"
	"fmt"

	"nexus/app"
	"nexus/app/authz"
)

// Versions lists a document's versions, newest first, without bodies:
// before (0 for the newest) and limit page through them.
func (s *Service) Versions(ctx context.Context, p *app.Principal, id string, before int64, limit int) ([]Version, error) {
	if _, _, err := s.loadDocument(ctx, p, id, authz.View); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.store.FindVersions(ctx, id, before, limit)
}

// VersionView is one version, rendered.
type VersionView struct {
	Version
	HTML string
}

// Version returns version n of a document, rendered for p.
func (s *Service) Version(ctx context.Context, p *app.Principal, id string, n int64) (*VersionView, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return nil, err
	}
	v, err := s.store.FindVersion(ctx, id, n)
	if err != nil {
		return nil, err
	}
	users, err := s.store.FindUserRefs(ctx, []string{v.AuthorID})
	if err != nil {
		return nil, err
	}
	v.AuthorName = users[v.AuthorID].Name
	res, err := s.renderFor(ctx, p, d.ID, v.Number, d.SpaceID, v.Body)
	if err != nil {
		return nil, err
	}
	return &VersionView{Version: *v, HTML: res.HTML}, nil
}

// DiffResult compares two versions.
type DiffResult struct {
	From, To   int64
	TitleFrom  string
	TitleTo    string
	Lines      []DiffLine
	Stats      DiffStats
	TagsFrom   []string
	TagsTo     []string
	StatusFrom string
	StatusTo   string
}

// Diff compares version from with version to (any two, either order) line
// by line and, inside changed lines, word by word.
func (s *Service) Diff(ctx context.Context, p *app.Principal, id string, from, to int64) (*DiffResult, error) {
	d, _, err := s.loadDocument(ctx, p, id, authz.View)
	if err != nil {
		return nil, err
	}
	if to == 0 {
		to = d.Version
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	a, err := s.store.FindVersion(ctx, id, from)
	if app.IsNotFound(err) {
		return nil, app.Invalid("from", fmt.Sprintf("Version %d does not exist.", from))
	} else if err != nil {
		return nil, err
	}
	b, err := s.store.FindVersion(ctx, id, to)
	if app.IsNotFound(err) {
		return nil, app.Invalid("to", fmt.Sprintf("Version %d does not exist.", to))
	} else if err != nil {
		return nil, err
	}
	lines, stats := DiffText(a.Body, b.Body)
	return &DiffResult{From: from, To: to, TitleFrom: a.Title, TitleTo: b.Title, Lines: lines, Stats: stats,
		TagsFrom: a.Tags, TagsTo: b.Tags, StatusFrom: a.Status, StatusTo: b.Status}, nil
}

// RestoreVersion publishes the content of version n as a new version
// (edit). History is never rewritten: the restored text becomes the newest
// version, with a message naming the one it came from.
func (s *Service) RestoreVersion(ctx context.Context, p *app.Principal, id string, n, expect int64) (*Document, error) {
	d, sp, err := s.loadDocument(ctx, p, id, authz.Edit)
	if err != nil {
		return nil, err
	}
	if expect != 0 && expect != d.Version {
		return nil, errStaleDocument(d)
	}
	v, err := s.store.FindVersion(ctx, id, n)
	if app.IsNotFound(err) {
		return nil, app.Invalid("version", fmt.Sprintf("Version %d does not exist.", n))
	} else if err != nil {
		return nil, err
	}
	if v.CategoryID != "" {
		if _, err := s.store.FindCategoryByID(ctx, v.CategoryID); app.IsNotFound(err) {
			v.CategoryID = "" // the category was deleted since
		} else if err != nil {
			return nil, err
		}
	}
	pub, err := s.analyse(ctx, p, sp.ID, v.Body)
	if err != nil {
		return nil, err
	}
	var out *Document
	err = s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if cur.Deleted() {
			return errNotFound("Document")
		}
		if expect != 0 && cur.Version != expect {
			return errStaleDocument(cur)
		}
		next := *cur
		next.Title, next.Body, next.Status, next.Tags, next.CategoryID = v.Title, v.Body, v.Status, v.Tags, v.CategoryID
		out, err = s.publish(ctx, tx, p, cur, &next, pub, fmt.Sprintf("Restored version %d", n))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.remember(out.ID, out.Version, pub)
	return out, nil
}
