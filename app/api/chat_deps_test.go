package api_test

import (
	"context"
	"log/slog"
	"sync"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/authz"
	"nexus/app/chat"
	"nexus/app/realtime"
	"nexus/store"
)

// chatStore adapts the store to chat's transaction type, as main.go does.
type chatStore struct{ *store.Store }

func (a chatStore) Update(ctx context.Context, fn func(chat.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

// chatServices finds a harness's chat service by its store, so a test can
// plug fakes in (presence, the knowledge base).
var chatServices sync.Map // *store.Store → *chat.Service

func chatServiceOf(h *harness) *chat.Service {
	v, _ := chatServices.Load(h.store)
	return v.(*chat.Service)
}

// wireChat builds the chat service and connects it to whatever else the
// harness built (the knowledge base, files, the realtime gateway), as
// main.go does.
func wireChat(st *store.Store, deps *api.Deps, log *slog.Logger) {
	svc := chat.NewService(chatStore{st}, deps.Authz, log)
	deps.Chat = svc
	chatServices.Store(st, svc)
	connectChat(st, deps, svc)
}

// connectChat plugs chat into the other modules the harness wired, as
// main.go's chat section does.
func connectChat(st *store.Store, deps *api.Deps, svc *chat.Service) {
	if deps.KB != nil {
		svc.SetDocuments(deps.KB, deps.KB, chatTitles{st, deps.Authz})
	}
	if deps.Files != nil {
		deps.Files.RegisterOwner(chat.OwnerMessage, svc.AuthorizeAttachment)
		deps.Files.RegisterOwner(chat.OwnerDraft, svc.AuthorizeDraft)
	}
	if g := deps.Realtime; g != nil {
		svc.SetPresence(g)
		chatVisibility(svc, g)
	}
}

// chatTitles resolves [[titles]] in chat to documents the writer may see.
type chatTitles struct {
	st *store.Store
	az *authz.Service
}

func (t chatTitles) ResolveTitle(ctx context.Context, p *app.Principal, title string) (string, bool) {
	vis, err := t.az.VisibleResources(ctx, p, authz.Space)
	if err != nil {
		return "", false
	}
	ref, ok, err := t.st.FindDocumentByTitle(ctx, title, "", vis)
	return ref.ID, ok && err == nil
}

// chatVisibility registers chat's delivery rules with a gateway (tests
// that build their own gateway call it).
func chatVisibility(svc *chat.Service, g *realtime.Gateway) {
	g.RegisterVisibility(chat.EventResourceChannel, func(ctx context.Context, p *app.Principal, e app.Event) (bool, error) {
		return svc.CanSeeChannelEvent(ctx, p.User.ID, e.ResourceID, e.Type, e.Data)
	})
	g.RegisterAudience(chat.EventResourceChannel, svc.ChannelAudience)
	g.RegisterVisibility(chat.EventResourceUser, func(_ context.Context, p *app.Principal, e app.Event) (bool, error) {
		return chat.CanSeeUserEvent(p.User.ID, e.Data), nil
	})
}
