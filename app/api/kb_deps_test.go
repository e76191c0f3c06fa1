package api_test

import (
	"context"
	"log/slog"
	"time"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/authz"
	"nexus/app/files"
	"nexus/app/kb"
	"nexus/app/settings"
	"nexus/store"
)

// kbStore adapts the real store to kb.Store, as main.go does.
type kbStore struct{ *store.Store }

func (k kbStore) Update(ctx context.Context, fn func(kb.Tx) error) error {
	return k.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// kbTrashRetention is the harness's trash retention (the default).
const kbTrashRetention = 30 * 24 * time.Hour

// wireKB adds the knowledge base to the harness: public sharing on by
// default (kb.public_sharing), the default trash retention, the harness
// clock.
func wireKB(st *store.Store, clk *clock, deps *api.Deps, log *slog.Logger) {
	sharing := settings.NewKBSettings(accessSettingsStore{st}, settings.KB{PublicSharing: true})
	deps.KB = kb.NewService(kbStore{st}, deps.Authz, sharing, kb.Config{TrashRetention: kbTrashRetention}, clk.now, log)
	if deps.Files != nil {
		deps.KB.SetAttachments(kb.FilesAttachments(deps.Files))
		deps.Files.RegisterOwner(files.OwnerDocument, deps.KB.AuthorizeAttachment)
	}
	if deps.Realtime != nil {
		svc := deps.KB
		vis := func(ctx context.Context, p *app.Principal, e app.Event) (bool, error) {
			return svc.CanSeeEvent(ctx, p, e.ResourceType, e.ResourceID)
		}
		deps.Realtime.RegisterVisibility(authz.Space, vis)
		deps.Realtime.RegisterVisibility("document", vis)
	}
}
