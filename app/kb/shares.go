package kb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"regexp"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/render"
)

// ShareInput creates a share link.
type ShareInput struct {
	IncludeChildren bool
	ExpiresAt       time.Time // zero: never
}

// shareTokenBytes is 256 bits of randomness; only a hash is stored.
const shareTokenBytes = 32

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Shares lists a document's share links, revoked ones included (edit).
func (s *Service) Shares(ctx context.Context, p *app.Principal, docID string) ([]Share, error) {
	if _, _, err := s.loadDocument(ctx, p, docID, authz.Edit); err != nil {
		return nil, err
	}
	return s.store.FindShares(ctx, docID)
}

var errSharingOff = &app.Error{Code: app.CodeForbidden, Message: "Public sharing is turned off by an administrator.",
	Details: map[string]any{"reason": "sharing_disabled"}}

// CreateShare makes a public link to a document (edit). The token is
// returned once; only its hash is kept.
func (s *Service) CreateShare(ctx context.Context, p *app.Principal, docID string, in ShareInput, meta app.RequestMeta) (*Share, string, error) {
	d, _, err := s.loadDocument(ctx, p, docID, authz.Edit)
	if err != nil {
		return nil, "", err
	}
	settings, err := s.sharing.KB(ctx)
	if err != nil {
		return nil, "", err
	}
	if !settings.PublicSharing {
		return nil, "", errSharingOff
	}
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(s.now()) {
		return nil, "", app.Invalid("expires_at", "The expiry must be in the future.")
	}
	raw := make([]byte, shareTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sh := &Share{ID: app.NewID(), DocumentID: d.ID, TokenHash: hashToken(token), IncludeChildren: in.IncludeChildren,
		ExpiresAt: in.ExpiresAt.UTC(), CreatedBy: p.User.ID, CreatedByName: p.User.Name}
	err = s.store.Update(ctx, func(tx Tx) error {
		now := tx.Now()
		sh.CreatedAt = now
		if err := tx.CreateShare(ctx, sh); err != nil {
			return err
		}
		details := map[string]any{"document_id": d.ID, "space_id": d.SpaceID, "title": d.Title, "include_children": in.IncludeChildren}
		if !in.ExpiresAt.IsZero() {
			details["expires_at"] = sh.ExpiresAt.Format(time.RFC3339)
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, now, app.ActionKBShareCreated, "share", sh.ID, details))
	})
	if err != nil {
		return nil, "", err
	}
	return sh, token, nil
}

// RevokeShare kills a share link for good (edit on its document's space).
func (s *Service) RevokeShare(ctx context.Context, p *app.Principal, shareID string, meta app.RequestMeta) error {
	sh, err := s.store.FindShareByID(ctx, shareID)
	if err != nil {
		return err
	}
	d, err := s.store.FindDocumentByID(ctx, sh.DocumentID)
	if err != nil {
		return err
	}
	sp, err := s.store.FindSpaceByID(ctx, d.SpaceID)
	if err != nil {
		return err
	}
	if err := s.authz.Require(ctx, p, authz.Edit, sp.Resource()); err != nil {
		if app.IsNotFound(err) {
			return errNotFound("Share")
		}
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.FindShareByID(ctx, shareID)
		if err != nil {
			return err
		}
		if !cur.RevokedAt.IsZero() {
			return nil
		}
		if err := tx.RevokeShare(ctx, shareID, p.User.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, actorEntry(p, meta, tx.Now(), app.ActionKBShareRevoked, "share", shareID,
			map[string]any{"document_id": d.ID, "space_id": d.SpaceID, "title": d.Title}))
	})
}

// SharedPage is what a share link shows: one document of the share,
// rendered, with the shared tree for navigation.
type SharedPage struct {
	Share       *Share
	Root        *Document
	Document    *Document
	HTML        string
	TOC         []render.Heading
	Tree        []TreeNode // the shared documents under the root (with children included)
	Attachments []AttachmentInfo
	UpdatedBy   string
}

var errShareGone = &app.Error{Code: app.CodeNotFound, Message: "This link does not exist or no longer works.", Err: app.ErrNotFound}

// openShare resolves a token to its share and the document to show (the
// root, or docID when the share includes children and docID is under the
// root). Every failure is the same not_found: a link that never existed,
// was revoked, expired, was turned off by the admin switch, or points to a
// trashed document or an archived space looks the same from outside.
func (s *Service) openShare(ctx context.Context, token, docID string) (*Share, *Document, *Document, error) {
	if token == "" || len(token) > 128 {
		return nil, nil, nil, errShareGone
	}
	settings, err := s.sharing.KB(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if !settings.PublicSharing {
		return nil, nil, nil, errShareGone
	}
	sh, err := s.store.FindShareByTokenHash(ctx, hashToken(token))
	if app.IsNotFound(err) {
		return nil, nil, nil, errShareGone
	} else if err != nil {
		return nil, nil, nil, err
	}
	if !sh.Active(s.now()) {
		return nil, nil, nil, errShareGone
	}
	root, err := s.store.FindDocumentByID(ctx, sh.DocumentID)
	if err != nil || root.Deleted() {
		return nil, nil, nil, errShareGone
	}
	sp, err := s.store.FindSpaceByID(ctx, root.SpaceID)
	if err != nil || sp.Archived() {
		return nil, nil, nil, errShareGone
	}
	doc := root
	if docID != "" && docID != root.ID {
		if !sh.IncludeChildren {
			return nil, nil, nil, errShareGone
		}
		if doc, err = s.store.FindDocumentByID(ctx, docID); err != nil || doc.Deleted() || !s.underRoot(ctx, root.ID, doc.ID) {
			return nil, nil, nil, errShareGone
		}
	}
	return sh, root, doc, nil
}

func (s *Service) underRoot(ctx context.Context, rootID, id string) bool {
	ancestors, err := s.store.FindAncestors(ctx, id)
	if err != nil {
		return false
	}
	for _, a := range ancestors {
		if a.ID == rootID {
			return true
		}
	}
	return false
}

// SharedURL is the public address of a document of a share, relative to
// the server's origin.
func SharedURL(token, docID, rootID string) string {
	if docID == "" || docID == rootID {
		return "/s/" + token
	}
	return "/s/" + token + "?doc=" + docID
}

// attachmentURL matches links to attachment content in rendered HTML.
var attachmentURL = regexp.MustCompile(`/api/v1/attachments/([0-9a-fA-F-]{36})/(?:content|thumbnail)`)

// SharedPage renders a document of a share for anyone holding the token
// (no sign-in), and counts the view. [[Links]] resolve only to documents
// inside the share; mentions stay plain text (the public must not learn
// user IDs); links to attachments are rewritten to the share's own
// attachment route.
func (s *Service) SharedPage(ctx context.Context, token, docID string) (*SharedPage, error) {
	sh, root, doc, err := s.openShare(ctx, token, docID)
	if err != nil {
		return nil, err
	}
	page := &SharedPage{Share: sh, Root: root, Document: doc}
	if sh.IncludeChildren {
		if page.Tree, err = s.store.FindSubtree(ctx, root.ID); err != nil {
			return nil, err
		}
		page.Tree = arrangeTree(page.Tree, root.ID)
	}
	inShare := map[string]string{TitleKey(root.Title): root.ID}
	for i := len(page.Tree) - 1; i >= 0; i-- { // the first of equal titles wins
		inShare[TitleKey(page.Tree[i].Title)] = page.Tree[i].ID
	}
	res, err := render.Render(doc.Body, render.Options{HeadingIDPrefix: headingPrefix,
		ResolveLink: func(title string) (string, bool) {
			id, ok := inShare[TitleKey(title)]
			if !ok || (!sh.IncludeChildren && id != root.ID) {
				return "", false
			}
			return SharedURL(token, id, root.ID), true
		}})
	if err != nil {
		return nil, err
	}
	page.HTML = attachmentURL.ReplaceAllString(res.HTML, "/s/"+token+"/attachments/$1")
	page.TOC = res.Headings
	if s.files != nil {
		if page.Attachments, err = s.files.ListDocumentAttachments(ctx, doc.ID); err != nil {
			return nil, err
		}
	}
	users, err := s.store.FindUserRefs(ctx, []string{doc.UpdatedBy})
	if err != nil {
		return nil, err
	}
	page.UpdatedBy = users[doc.UpdatedBy].Name
	err = s.store.Update(ctx, func(tx Tx) error { return tx.CountShareView(ctx, sh.ID) })
	if err != nil {
		return nil, err
	}
	sh.ViewCount++
	return page, nil
}

// SharedAttachment opens an attachment of a document of a share. The share
// grants access: no principal is involved.
func (s *Service) SharedAttachment(ctx context.Context, token, attachmentID string) (AttachmentInfo, io.ReadSeekCloser, error) {
	sh, root, _, err := s.openShare(ctx, token, "")
	if err != nil {
		return AttachmentInfo{}, nil, err
	}
	if s.files == nil {
		return AttachmentInfo{}, nil, errNotFound("Attachment")
	}
	info, rc, err := s.files.OpenDocumentAttachment(ctx, attachmentID)
	if err != nil {
		return AttachmentInfo{}, nil, err
	}
	if info.DocumentID == root.ID {
		return info, rc, nil
	}
	if sh.IncludeChildren {
		if d, err := s.store.FindDocumentByID(ctx, info.DocumentID); err == nil && !d.Deleted() && s.underRoot(ctx, root.ID, d.ID) {
			return info, rc, nil
		}
	}
	rc.Close()
	return AttachmentInfo{}, nil, errNotFound("Attachment")
}

// ShareTokenLooksValid is a cheap syntax check before any lookup.
func ShareTokenLooksValid(token string) bool {
	return len(token) == 43 && strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}
