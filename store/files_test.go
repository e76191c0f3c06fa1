package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/files"
	"nexus/store"
)

func hashOf(c byte) string { return strings.Repeat(string(rune(c)), 64) }

func newAttachment(blob, name string, owner files.Owner, by string) *files.Attachment {
	return &files.Attachment{ID: app.NewID(), BlobHash: blob, Name: name, ContentType: "text/plain; charset=utf-8",
		Size: 10, Owner: owner, UploadedBy: by}
}

func mustCreateAttachment(t *testing.T, st *store.Store, a *files.Attachment) {
	t.Helper()
	mustUpdate(t, st, func(tx *store.Tx) error {
		a.CreatedAt = tx.Now()
		if err := tx.PutBlob(context.Background(), a.BlobHash, a.Size); err != nil {
			return err
		}
		if a.ThumbHash != "" {
			if err := tx.PutBlob(context.Background(), a.ThumbHash, 1); err != nil {
				return err
			}
		}
		return tx.CreateAttachment(context.Background(), a)
	})
}

func TestAttachmentsStore(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	u := MustCreateUser(t, st, "kim@example.com", app.RoleMember)
	doc := files.Owner{Type: files.OwnerDocument, ID: app.NewID()}

	a := newAttachment(hashOf('a'), "회의록 2024.txt", doc, u.ID)
	a.ThumbHash = hashOf('b')
	mustCreateAttachment(t, st, a)
	b := newAttachment(hashOf('a'), "copy.txt", doc, u.ID) // same content: one blob
	mustCreateAttachment(t, st, b)

	got, err := st.FindAttachmentByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "회의록 2024.txt" || got.Owner != doc || got.ThumbHash != a.ThumbHash || got.UploadedBy != u.ID ||
		!got.CreatedAt.Equal(a.CreatedAt) || got.Deleted() {
		t.Fatalf("round trip: %+v", got)
	}
	if _, err := st.FindAttachmentByID(ctx, "missing"); !app.IsNotFound(err) {
		t.Fatalf("missing: %v", err)
	}
	list, err := st.FindAttachments(ctx, doc)
	if err != nil || len(list) != 2 || list[0].ID != a.ID {
		t.Fatalf("list: %v %+v", err, list)
	}
	var blobs int
	if err := st.QueryIntForTest(ctx, `SELECT count(*) FROM blobs`, &blobs); err != nil || blobs != 2 {
		t.Fatalf("blobs rows: %d %v", blobs, err)
	}

	// Delete is a mark; a second delete reports nothing to do.
	mustUpdate(t, st, func(tx *store.Tx) error {
		ok, err := tx.DeleteAttachment(ctx, a.ID, tx.Now())
		if err != nil || !ok {
			t.Fatalf("delete: %v %v", ok, err)
		}
		ok, err = tx.DeleteAttachment(ctx, a.ID, tx.Now())
		if err != nil || ok {
			t.Fatalf("second delete: %v %v", ok, err)
		}
		return nil
	})
	if got, _ := st.FindAttachmentByID(ctx, a.ID); !got.Deleted() {
		t.Fatal("not marked deleted")
	}
	if list, _ := st.FindAttachments(ctx, doc); len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("list after delete: %+v", list)
	}
	// Deleted rows still hold their blobs until purged.
	if unused, _ := st.FindUnusedBlobs(ctx, 10); len(unused) != 0 {
		t.Fatalf("unused while referenced: %v", unused)
	}
}

func TestReassignAttachments(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	u := MustCreateUser(t, st, "lee@example.com", app.RoleMember)
	draft := files.Owner{Type: files.OwnerDraft, ID: app.NewID()}
	msg := app.NewID()
	a := newAttachment(hashOf('c'), "a.txt", draft, u.ID)
	b := newAttachment(hashOf('d'), "b.txt", draft, u.ID)
	other := newAttachment(hashOf('e'), "c.txt", files.Owner{Type: files.OwnerDraft, ID: app.NewID()}, u.ID)
	for _, x := range []*files.Attachment{a, b, other} {
		mustCreateAttachment(t, st, x)
	}
	// One id from another draft: nothing moves.
	err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.ReassignAttachments(ctx, []string{a.ID, other.ID}, files.OwnerDraft, draft.ID, files.OwnerMessage, msg)
	})
	if !app.IsNotFound(err) {
		t.Fatalf("foreign id: %v", err)
	}
	if got, _ := st.FindAttachmentByID(ctx, a.ID); got.Owner != draft {
		t.Fatal("moved despite the failure")
	}
	mustUpdate(t, st, func(tx *store.Tx) error {
		return tx.ReassignAttachments(ctx, []string{a.ID, b.ID, a.ID}, files.OwnerDraft, draft.ID, files.OwnerMessage, msg)
	})
	if list, _ := st.FindAttachments(ctx, files.Owner{Type: files.OwnerMessage, ID: msg}); len(list) != 2 {
		t.Fatalf("message attachments: %+v", list)
	}
}

func TestPurgeAndUnusedBlobs(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := now
	st2, err := store.Open(ctx, filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, err := st2.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u := MustCreateUser(t, st2, "park@example.com", app.RoleMember)
	doc := files.Owner{Type: files.OwnerDocument, ID: app.NewID()}
	old := newAttachment(hashOf('f'), "old.png", doc, u.ID)
	old.ThumbHash = hashOf('1')
	keep := newAttachment(hashOf('f'), "same content.png", doc, u.ID)
	draft := newAttachment(hashOf('2'), "draft.txt", files.Owner{Type: files.OwnerDraft, ID: app.NewID()}, u.ID)
	for _, x := range []*files.Attachment{old, keep, draft} {
		mustCreateAttachment(t, st2, x)
	}
	mustUpdate(t, st2, func(tx *store.Tx) error {
		_, err := tx.DeleteAttachment(ctx, old.ID, tx.Now())
		return err
	})
	clock = now.Add(40 * 24 * time.Hour)
	mustUpdate(t, st2, func(tx *store.Tx) error {
		n, err := tx.PurgeAttachments(ctx, tx.Now().Add(-30*24*time.Hour), tx.Now().Add(-7*24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("purged %d: %v", n, err)
		}
		return nil
	})
	unused, err := st2.FindUnusedBlobs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	// The thumbnail and the draft's blob; the shared content is still used.
	if len(unused) != 2 || !contains(unused, hashOf('1')) || !contains(unused, hashOf('2')) {
		t.Fatalf("unused: %v", unused)
	}
	mustUpdate(t, st2, func(tx *store.Tx) error {
		if ok, err := tx.DeleteBlobIfUnused(ctx, hashOf('f')); err != nil || ok {
			t.Fatalf("deleted a used blob: %v %v", ok, err)
		}
		if ok, err := tx.DeleteBlobIfUnused(ctx, hashOf('1')); err != nil || !ok {
			t.Fatalf("unused blob kept: %v %v", ok, err)
		}
		return nil
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
