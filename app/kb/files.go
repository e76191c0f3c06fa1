package kb

import (
	"context"
	"io"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/files"
)

// FilesAttachments connects the attachment service (app/files) to the
// knowledge base: a document's attachments are files owned by
// ("document", its ID). kb checks permissions before calling; these use
// the service's unchecked calls.
func FilesAttachments(f *files.Service) Attachments { return filesAttachments{f} }

type filesAttachments struct{ f *files.Service }

func attachmentInfo(a *files.Attachment) AttachmentInfo {
	return AttachmentInfo{ID: a.ID, DocumentID: a.Owner.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size,
		CreatedAt: a.CreatedAt.UTC(), HasThumbnail: a.HasThumbnail()}
}

func (fa filesAttachments) ListDocumentAttachments(ctx context.Context, documentID string) ([]AttachmentInfo, error) {
	list, err := fa.f.ListOwned(ctx, files.Owner{Type: files.OwnerDocument, ID: documentID})
	if err != nil {
		return nil, err
	}
	out := make([]AttachmentInfo, 0, len(list))
	for i := range list {
		out = append(out, attachmentInfo(&list[i]))
	}
	return out, nil
}

func (fa filesAttachments) OpenDocumentAttachment(ctx context.Context, attachmentID string) (AttachmentInfo, io.ReadSeekCloser, error) {
	a, rc, err := fa.f.OpenOwned(ctx, attachmentID, files.OwnerDocument)
	if err != nil {
		return AttachmentInfo{}, nil, err
	}
	return attachmentInfo(a), rc, nil
}

func (fa filesAttachments) UploadDocumentAttachment(ctx context.Context, p *app.Principal, documentID, filename string, r io.Reader) (AttachmentInfo, error) {
	a, err := fa.f.Store(ctx, p, files.Owner{Type: files.OwnerDocument, ID: documentID}, filename, r)
	if err != nil {
		return AttachmentInfo{}, err
	}
	return attachmentInfo(a), nil
}

// AuthorizeAttachment is the attachment service's check for files owned
// by a document (files.OwnerAuthorizer): reading needs view on the
// document's space, adding or deleting needs edit (and a live document in
// a space that is not archived).
func (s *Service) AuthorizeAttachment(ctx context.Context, p *app.Principal, documentID string, write bool) error {
	a := authz.View
	if write {
		a = authz.Edit
	}
	_, _, err := s.loadDocument(ctx, p, documentID, a)
	return err
}
