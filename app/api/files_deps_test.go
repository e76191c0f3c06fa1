package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/files"
	"nexus/store"
	"nexus/store/blobs"
)

// filesStore adapts the real store to files.Store, as main.go does.
type filesStore struct{ *store.Store }

func (f filesStore) Update(ctx context.Context, fn func(files.Tx) error) error {
	return f.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// testBlobs gives the files service the real blob store, as main.go does.
type testBlobs struct{ *blobs.Store }

func (b testBlobs) Stage(r io.Reader) (files.Staged, error) {
	st, err := b.Store.Stage(r)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// testAttachmentMax is the harness's kb.attachment_max_size (the default).
const testAttachmentMax = 25 << 20

// wireFiles adds attachments to the harness: the real blob store in a
// temporary directory, the default size limit, and the fake owner type
// "test-owner" (fakeOwner) that the files tests attach to.
func wireFiles(t *testing.T, st *store.Store, deps *api.Deps, log *slog.Logger) {
	b, err := blobs.Open(filepath.Join(t.TempDir(), "blobs"), bytes.Repeat([]byte{5}, blobs.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	deps.Files = files.NewService(filesStore{st}, testBlobs{b}, files.Config{MaxSize: testAttachmentMax}, log)
	deps.Files.RegisterOwner(fakeOwnerType, authorizeFakeOwner)
	testBlobStores.Store(st, b)
}

var testBlobStores sync.Map // *store.Store → *blobs.Store

// blobsOf returns the blob store behind h.
func blobsOf(h *harness) *blobs.Store {
	v, _ := testBlobStores.Load(h.store)
	return v.(*blobs.Store)
}

const fakeOwnerType = "test-owner"

// fakeOwner stands in for a document or a message: who may read its
// attachments and who may also add and delete them.
type fakeOwner struct {
	id      string
	readers map[string]bool
	writers map[string]bool
}

var fakeOwners sync.Map // id → *fakeOwner

func newFakeOwner(writers []string, readers ...string) *fakeOwner {
	o := &fakeOwner{id: app.NewID(), readers: map[string]bool{}, writers: map[string]bool{}}
	for _, u := range writers {
		o.writers[u], o.readers[u] = true, true
	}
	for _, u := range readers {
		o.readers[u] = true
	}
	fakeOwners.Store(o.id, o)
	return o
}

// authorizeFakeOwner answers like the real owners do: not_found for those
// who may not see the owner, forbidden for readers who try to write.
func authorizeFakeOwner(_ context.Context, p *app.Principal, ownerID string, write bool) error {
	v, ok := fakeOwners.Load(ownerID)
	if !ok {
		return &app.Error{Code: app.CodeNotFound, Message: "Owner not found."}
	}
	o := v.(*fakeOwner)
	if !o.readers[p.User.ID] {
		return &app.Error{Code: app.CodeNotFound, Message: "Owner not found."}
	}
	if write && !o.writers[p.User.ID] {
		return &app.Error{Code: app.CodeForbidden, Message: "You may not change this."}
	}
	return nil
}
