package store_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/files"
	"nexus/store"
	"nexus/store/blobs"
)

type gcFilesStore struct{ *store.Store }

func (f gcFilesStore) Update(ctx context.Context, fn func(files.Tx) error) error {
	return f.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type gcBlobs struct{ *blobs.Store }

func (b gcBlobs) Stage(r io.Reader) (files.Staged, error) {
	st, err := b.Store.Stage(r)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Garbage collection through the real service, store and blob files:
// deleted attachments go after the retention, unsent drafts after their
// TTL, and a blob goes with its last reference (content shared with a live
// attachment stays).
func TestAttachmentGarbageCollection(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bs, err := blobs.Open(filepath.Join(t.TempDir(), "blobs"), bytes.Repeat([]byte{1}, blobs.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	svc := files.NewService(gcFilesStore{st}, gcBlobs{bs}, files.Config{Retention: 30 * 24 * time.Hour, DraftTTL: 7 * 24 * time.Hour}, nil)
	allow := func(context.Context, *app.Principal, string, bool) error { return nil }
	svc.RegisterOwner(files.OwnerDocument, allow)
	svc.RegisterOwner(files.OwnerDraft, allow)
	u := MustCreateUser(t, st, "gc@example.com", app.RoleMember)
	p := &app.Principal{User: *u}
	doc := files.Owner{Type: files.OwnerDocument, ID: app.NewID()}

	upload := func(owner files.Owner, name, content string) *files.Attachment {
		a, err := svc.Upload(ctx, p, owner, name, bytes.NewReader([]byte(content)))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	gone := upload(doc, "삭제될 파일.txt", "only here")
	shared1 := upload(doc, "공유 1.txt", "shared content")
	shared2 := upload(doc, "공유 2.txt", "shared content")
	draft := upload(files.Owner{Type: files.OwnerDraft, ID: app.NewID()}, "draft.txt", "never sent")
	for _, a := range []*files.Attachment{gone, shared1} {
		if err := svc.Delete(ctx, p, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := svc.Collect(ctx); err != nil || n != 0 {
		t.Fatalf("collect within retention: %d %v", n, err)
	}
	if !bs.Exists(gone.BlobHash) {
		t.Fatal("deleted too early")
	}

	clock = clock.Add(31 * 24 * time.Hour)
	n, err := svc.Collect(ctx)
	if err != nil || n != 2 {
		t.Fatalf("collect: %d %v", n, err)
	}
	if bs.Exists(gone.BlobHash) || bs.Exists(draft.BlobHash) {
		t.Fatal("unreferenced blobs kept")
	}
	if !bs.Exists(shared2.BlobHash) {
		t.Fatal("blob of a live attachment deleted")
	}
	if _, rc, err := svc.Open(ctx, p, shared2.ID); err != nil {
		t.Fatal(err)
	} else {
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != "shared content" {
			t.Fatalf("content %q", got)
		}
	}
	// The same content uploaded again after collection is stored again.
	again := upload(doc, "다시.txt", "only here")
	if _, rc, err := svc.Open(ctx, p, again.ID); err != nil {
		t.Fatal(err)
	} else {
		rc.Close()
	}
}
