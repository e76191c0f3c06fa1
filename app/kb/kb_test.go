package kb_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/kb"
	"nexus/app/settings"
	"nexus/store"
)

// env is the knowledge base on a real SQLite file.
type env struct {
	t     *testing.T
	st    *store.Store
	svc   *kb.Service
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type kbStore struct{ *store.Store }

func (k kbStore) Update(ctx context.Context, fn func(kb.Tx) error) error {
	return k.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type authzStore struct{ *store.Store }

func (a authzStore) Update(ctx context.Context, fn func(authz.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type settingsStore struct{ *store.Store }

func (a settingsStore) Update(ctx context.Context, fn func(settings.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

func newEnv(t testing.TB) *env {
	clk := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := kb.NewService(kbStore{st}, authz.NewService(authzStore{st}),
		settings.NewKBSettings(settingsStore{st}, settings.KB{PublicSharing: true}),
		kb.Config{TrashRetention: 24 * time.Hour}, clk.now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e := &env{st: st, svc: svc, clock: clk}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
	}
	return e
}

func (e *env) user(t testing.TB, role app.Role, name string) *app.Principal {
	t.Helper()
	u := &app.User{ID: app.NewID(), Email: strings.ToLower(strings.ReplaceAll(app.NewID(), "-", "")) + "@example.com",
		Name: name, Role: role, Status: app.UserActive}
	err := e.st.Update(context.Background(), func(tx *store.Tx) error {
		u.CreatedAt, u.UpdatedAt = tx.Now(), tx.Now()
		return tx.CreateUser(context.Background(), u)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &app.Principal{User: *u, SessionID: "s"}
}

var meta = app.RequestMeta{IP: "192.0.2.1", UserAgent: "test"}

func TestPurgeExpiredDeletesOnlyPastRetention(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	owner := e.user(t, app.RoleOwner, "김민지")
	sp, err := e.svc.CreateSpace(ctx, owner, kb.SpaceInput{Name: "공간"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := e.svc.CreateDocument(ctx, owner, kb.DocumentInput{SpaceID: sp.ID, Title: "Old"})
	child, _ := e.svc.CreateDocument(ctx, owner, kb.DocumentInput{SpaceID: sp.ID, ParentID: old.ID, Title: "Old child"})
	recent, _ := e.svc.CreateDocument(ctx, owner, kb.DocumentInput{SpaceID: sp.ID, Title: "Recent"})
	if err := e.svc.DeleteDocument(ctx, owner, old.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.advance(20 * time.Hour)
	if err := e.svc.DeleteDocument(ctx, owner, recent.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.PurgeExpired(ctx); err != nil || n != 0 {
		t.Fatalf("purge before retention: %d %v", n, err)
	}
	e.clock.advance(5 * time.Hour)
	if n, err := e.svc.PurgeExpired(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	for _, id := range []string{old.ID, child.ID} {
		if _, err := e.st.FindDocumentByID(ctx, id); !app.IsNotFound(err) {
			t.Fatalf("%s survived the purge: %v", id, err)
		}
	}
	if _, err := e.st.FindDocumentByID(ctx, recent.ID); err != nil {
		t.Fatalf("recent trash purged: %v", err)
	}
	entries, _ := e.st.FindAuditEntries(ctx, store.AuditFilter{Action: app.ActionKBDocumentPurged})
	if len(entries) != 1 || entries[0].ActorLabel != "system" || entries[0].Details["reason"] != "retention" {
		t.Fatalf("purge audit = %+v", entries)
	}
}

func TestChatIntegration(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	owner := e.user(t, app.RoleOwner, "김민지")
	member := e.user(t, app.RoleMember, "Lee")
	guest := e.user(t, app.RoleGuest, "Guest")
	sp, _ := e.svc.CreateSpace(ctx, owner, kb.SpaceInput{Name: "팀 위키"}, meta)
	id, err := e.svc.CreateFromMessage(ctx, owner, sp.ID, "", "배포 절차는 **다음과** 같습니다.\n1. 빌드", "https://nexus.example/chat/m/1")
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.st.FindDocumentByID(ctx, id)
	if err != nil || d.Title != "배포 절차는 다음과 같습니다." || !strings.HasSuffix(d.Body, "[Original message in chat](https://nexus.example/chat/m/1)\n") {
		t.Fatalf("promoted = %+v %v", d, err)
	}
	title, excerpt, spaceName, ok := e.svc.Preview(ctx, member, id)
	if !ok || title != d.Title || spaceName != "팀 위키" || !strings.HasPrefix(excerpt, "배포 절차는 다음과 같습니다. 빌드") {
		t.Fatalf("preview = %q %q %q %v", title, excerpt, spaceName, ok)
	}
	if _, _, _, ok := e.svc.Preview(ctx, guest, id); ok {
		t.Fatal("a guest got a preview of an org-wide document")
	}
	if _, _, _, ok := e.svc.Preview(ctx, member, "nope"); ok {
		t.Fatal("preview of a missing document")
	}
	if _, err := e.svc.CreateFromMessage(ctx, member, sp.ID, "x", "y", ""); app.CodeOf(err) != app.CodeForbidden {
		t.Fatalf("viewer promoted a message: %v", err)
	}
	// Realtime visibility follows the space's permissions.
	for _, tc := range []struct {
		p    *app.Principal
		typ  string
		id   string
		want bool
	}{
		{member, "document", id, true}, {guest, "document", id, false}, {member, authz.Space, sp.ID, true},
		{guest, authz.Space, sp.ID, false}, {member, "document", "gone", false}, {member, "channel", id, false},
	} {
		if got, err := e.svc.CanSeeEvent(ctx, tc.p, tc.typ, tc.id); err != nil || got != tc.want {
			t.Errorf("CanSeeEvent(%s, %s) = %v %v, want %v", tc.p.User.Name, tc.typ, got, err, tc.want)
		}
	}
}

func TestNormalizeTags(t *testing.T) {
	got, err := kb.NormalizeTags([]string{" #Go ", "go", "  한국어   태그 ", "", "회의록"})
	if err != nil || !reflect.DeepEqual(got, []string{"go", "한국어 태그", "회의록"}) {
		t.Fatalf("NormalizeTags = %q %v", got, err)
	}
	if _, err := kb.NormalizeTags([]string{"a,b"}); err == nil {
		t.Fatal("comma accepted")
	}
	if _, err := kb.NormalizeTags([]string{strings.Repeat("가", 51)}); err == nil {
		t.Fatal("long tag accepted")
	}
}

func TestExcerptAndFileNames(t *testing.T) {
	if got := kb.Excerpt("# 제목\n\n> 인용 [링크](https://x) 와 [[문서|별칭]]\n```\ncode\n```\n- **굵게**", 100); got != "제목 인용 링크 와 별칭 굵게" {
		t.Fatalf("Excerpt = %q", got)
	}
	if got := kb.Excerpt(strings.Repeat("가", 300), 10); got != strings.Repeat("가", 10)+"…" {
		t.Fatalf("long excerpt = %q", got)
	}
	for in, want := range map[string]string{"a/b\\c:d*e?f\"g<h>i|j": "a_b_c_d_e_f_g_h_i_j", " ..회의록.. ": "회의록",
		"CON": "untitled", "": "untitled", "Tab\there": "Tab_here"} {
		if got := kb.SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderCacheServesEachReaderTheirLinks(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	owner := e.user(t, app.RoleOwner, "Owner")
	member := e.user(t, app.RoleMember, "Member")
	public, _ := e.svc.CreateSpace(ctx, owner, kb.SpaceInput{Name: "Public"}, meta)
	secret, _ := e.svc.CreateSpace(ctx, owner, kb.SpaceInput{Name: "Secret", Visibility: "members"}, meta)
	target, _ := e.svc.CreateDocument(ctx, owner, kb.DocumentInput{SpaceID: secret.ID, Title: "Roadmap"})
	doc, _ := e.svc.CreateDocument(ctx, owner, kb.DocumentInput{SpaceID: public.ID, Title: "Intro", Body: "See [[Roadmap]]."})
	for i := 0; i < 2; i++ { // the second round is served from the cache
		v, err := e.svc.Document(ctx, owner, doc.ID)
		if err != nil || !strings.Contains(v.HTML, kb.DocumentURL(target.ID)) {
			t.Fatalf("owner's link: %v %s", err, v.HTML)
		}
		v, err = e.svc.Document(ctx, member, doc.ID)
		if err != nil || strings.Contains(v.HTML, target.ID) || !strings.Contains(v.HTML, "missing") {
			t.Fatalf("member sees a link into a space they cannot see: %v %s", err, v.HTML)
		}
	}
}
