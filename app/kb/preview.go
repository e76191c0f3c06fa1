package kb

import (
	"context"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// PreviewBody renders markdown exactly as publishing it would, for the
// editor's live preview: [[links]] resolve from the document's space (or,
// for a body not yet in a document, from every space p can see). Nothing is
// stored or cached.
func (s *Service) PreviewBody(ctx context.Context, p *app.Principal, documentID, body string) (render.Result, error) {
	if len(body) > MaxBodyBytes {
		return render.Result{}, app.Invalid("body", "The text is too long (at most 2 MiB).")
	}
	spaceID := ""
	if documentID != "" {
		doc, _, err := s.loadDocument(ctx, p, documentID, authz.View)
		if err != nil {
			return render.Result{}, err
		}
		spaceID = doc.SpaceID
	}
	links, err := s.newLinkResolver(ctx, p, spaceID)
	if err != nil {
		return render.Result{}, err
	}
	var mentionErr error
	res, err := render.Render(body, render.Options{ResolveLink: links.option,
		ResolveMention: s.resolveMention(ctx, &mentionErr), HeadingIDPrefix: headingPrefix})
	if err != nil {
		return render.Result{}, err
	}
	if links.err != nil {
		return render.Result{}, links.err
	}
	return res, mentionErr
}

// DocumentsWithTag lists the documents with tag that p can see, most
// recently changed first.
func (s *Service) DocumentsWithTag(ctx context.Context, p *app.Principal, tag, cursor string, limit int) ([]DocRef, string, error) {
	tags, err := NormalizeTags([]string{tag})
	if err != nil {
		return nil, "", err
	}
	if len(tags) == 0 {
		return nil, "", app.Invalid("tag", "Name a tag.")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	vis, err := s.authz.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return nil, "", err
	}
	return s.store.FindTagDocuments(ctx, tags[0], vis, cursor, limit)
}
