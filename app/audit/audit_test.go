package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/audit"
	"nexus/store"
)

type auditStore struct{ *store.Store }

func (a auditStore) Update(ctx context.Context, fn func(audit.Tx) error) error {
	return a.Store.Update(ctx, func(tx *store.Tx) error { return fn(tx) })
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func open(t *testing.T, cfg audit.Config) (*store.Store, *audit.Service, *clock) {
	t.Helper()
	clk := &clock{t: t0}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, audit.NewService(auditStore{st}, cfg, nil), clk
}

var admin = &app.Principal{User: app.User{ID: "admin-1", Email: "admin@example.com", Role: app.RoleAdmin, Status: app.UserActive}, SessionID: "s"}

func appendAt(t *testing.T, st *store.Store, entries ...app.AuditEntry) {
	t.Helper()
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		for _, e := range entries {
			if e.Result == "" {
				e.Result = app.AuditSuccess
			}
			if err := tx.AppendAudit(context.Background(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRetentionDeletesOnlyExpiredEntries(t *testing.T) {
	ctx := context.Background()
	st, svc, clk := open(t, audit.Config{Retention: 365 * 24 * time.Hour})
	day := 24 * time.Hour
	var old []app.AuditEntry
	for i := 0; i < 5003; i++ { // more than one delete batch
		old = append(old, app.AuditEntry{At: t0.Add(-400 * day).Add(time.Duration(i) * time.Second), Action: "auth.login"})
	}
	appendAt(t, st, old...)
	appendAt(t, st,
		app.AuditEntry{At: t0.Add(-366 * day), Action: "auth.login"},
		app.AuditEntry{At: t0.Add(-364 * day), Action: "user.created", TargetID: "kept-1"},
		app.AuditEntry{At: t0.Add(-day), Action: "user.created", TargetID: "kept-2"},
	)
	n, err := svc.ApplyRetention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5004 {
		t.Fatalf("deleted %d, want 5004 (everything older than 365 days)", n)
	}
	left, err := st.QueryAudit(ctx, audit.Filter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range left {
		actions = append(actions, e.Action+":"+e.TargetID)
	}
	if !slices.Equal(actions, []string{"audit.expired:", "user.created:kept-2", "user.created:kept-1"}) {
		t.Fatalf("left %v", actions)
	}
	if d := left[0].Details; d["deleted"] != float64(5004) || left[0].ActorLabel != "system" {
		t.Fatalf("audit.expired row = %+v", left[0])
	}
	cutoff, err := st.AuditCutoff(ctx)
	if err != nil || !cutoff.Equal(t0.Add(-365*day)) {
		t.Fatalf("cutoff = %v, %v; want %v", cutoff, err, t0.Add(-365*day))
	}

	// The database still refuses to delete anything newer than the cutoff,
	// whoever asks.
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.DeleteAuditBefore(ctx, t0, 10)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("deleting entries newer than the cutoff: %v, want the trigger's refusal", err)
	}

	// A day later the entry that was 364 days old expires too; running
	// again with nothing to do writes no audit row.
	clk.set(t0.Add(2 * day))
	if n, err := svc.ApplyRetention(ctx); err != nil || n != 1 {
		t.Fatalf("next day: deleted %d, %v; want 1", n, err)
	}
	if n, err := svc.ApplyRetention(ctx); err != nil || n != 0 {
		t.Fatalf("again: deleted %d, %v; want 0", n, err)
	}
	expired, _ := st.QueryAudit(ctx, audit.Filter{Action: "audit.expired"}, 10)
	if len(expired) != 2 {
		t.Fatalf("%d audit.expired rows, want one per run that deleted something", len(expired))
	}
}

func TestRetentionZeroKeepsEverything(t *testing.T) {
	ctx := context.Background()
	st, svc, _ := open(t, audit.Config{Retention: 0})
	appendAt(t, st, app.AuditEntry{At: t0.Add(-10 * 365 * 24 * time.Hour), Action: "auth.login"})
	if n, err := svc.ApplyRetention(ctx); err != nil || n != 0 {
		t.Fatalf("retention 0: deleted %d, %v", n, err)
	}
	done := make(chan struct{})
	go func() { svc.RetentionJob(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RetentionJob with retention 0 must return at once")
	}
	if left, _ := st.QueryAudit(ctx, audit.Filter{}, 10); len(left) != 1 {
		t.Fatalf("left %d entries, want 1", len(left))
	}
}

func TestRetentionJobRunsAtStartAndStops(t *testing.T) {
	st, svc, _ := open(t, audit.Config{Retention: 30 * 24 * time.Hour})
	appendAt(t, st, app.AuditEntry{At: t0.Add(-31 * 24 * time.Hour), Action: "auth.login"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RetentionJob(ctx); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := st.QueryAudit(context.Background(), audit.Filter{Action: "auth.login"}, 10)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not expire old entries at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not stop when its context ended")
	}
}

func TestListFiltersAndStableCursor(t *testing.T) {
	ctx := context.Background()
	st, svc, _ := open(t, audit.Config{})
	var all []app.AuditEntry
	for i := 0; i < 23; i++ {
		e := app.AuditEntry{ID: fmt.Sprintf("id-%02d", i), At: t0.Add(time.Duration(i/3) * time.Minute), // three per minute: ties on at
			ActorID: []string{"kim", "lee"}[i%2], Action: []string{"auth.login", "user.created", "team.created", "auth.login_failed"}[i%4],
			TargetType: "user", TargetID: fmt.Sprintf("target-%d", i%5), Result: app.AuditSuccess}
		if e.Action == "auth.login_failed" {
			e.Result = app.AuditFailure
		}
		all = append(all, e)
	}
	appendAt(t, st, all...)
	slices.SortFunc(all, func(a, b app.AuditEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	list := func(f audit.Filter) []string {
		var ids []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 30 {
				t.Fatal("pagination does not end")
			}
			f := f
			if cursor != "" {
				c, err := audit.DecodeCursor(cursor)
				if err != nil {
					t.Fatal(err)
				}
				f.After = c
			}
			page, err := svc.List(ctx, admin, f, 4)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				ids = append(ids, e.ID)
			}
			if page.NextCursor == "" {
				return ids
			}
			cursor = page.NextCursor
			// Entries arriving between pages do not shift the cursor.
			appendAt(t, st, app.AuditEntry{At: t0.Add(time.Hour), Action: "noise", ActorID: "noise"})
		}
	}
	want := func(keep func(app.AuditEntry) bool) []string {
		var ids []string
		for _, e := range all {
			if keep(e) {
				ids = append(ids, e.ID)
			}
		}
		return ids
	}
	from, to := t0.Add(2*time.Minute), t0.Add(5*time.Minute)
	tests := []struct {
		name string
		f    audit.Filter
		keep func(app.AuditEntry) bool
	}{
		{"actor", audit.Filter{ActorID: "kim"}, func(e app.AuditEntry) bool { return e.ActorID == "kim" }},
		{"action", audit.Filter{Action: "auth.login"}, func(e app.AuditEntry) bool { return e.Action == "auth.login" }},
		{"action prefix", audit.Filter{Action: "auth.*"}, func(e app.AuditEntry) bool { return strings.HasPrefix(e.Action, "auth.") }},
		{"target id", audit.Filter{Target: "target-3"}, func(e app.AuditEntry) bool { return e.TargetID == "target-3" }},
		{"time range", audit.Filter{From: from, To: to, ActorID: "lee"}, func(e app.AuditEntry) bool {
			return !e.At.Before(from) && e.At.Before(to) && e.ActorID == "lee"
		}},
		{"result", audit.Filter{Result: app.AuditFailure}, func(e app.AuditEntry) bool { return e.Result == app.AuditFailure }},
	}
	for _, tt := range tests {
		got, exp := list(tt.f), want(tt.keep)
		if len(exp) == 0 || !slices.Equal(got, exp) {
			t.Errorf("%s: got %v\nwant %v", tt.name, got, exp)
		}
	}
	// Target type matches too, and the unfiltered walk sees every entry once.
	if got := list(audit.Filter{Target: "user", ActorID: "kim", To: t0.Add(time.Hour)}); len(got) != 12 {
		t.Errorf("target type: %d entries, want 12", len(got))
	}

	actions, err := svc.Actions(ctx, admin)
	if err != nil || !slices.Equal(actions, []string{"auth.login", "auth.login_failed", "noise", "team.created", "user.created"}) {
		t.Fatalf("Actions = %v, %v", actions, err)
	}
	member := &app.Principal{User: app.User{ID: "m", Role: app.RoleMember, Status: app.UserActive}}
	if _, err := svc.List(ctx, member, audit.Filter{}, 10); app.CodeOf(err) != app.CodeForbidden {
		t.Fatalf("a member listing the audit log: %v, want forbidden", err)
	}
}

func TestParseFilter(t *testing.T) {
	bad := []audit.FilterInput{
		{From: "yesterday"},
		{To: "2026-13-01T00:00:00Z"},
		{From: "2026-03-02T00:00:00Z", To: "2026-03-01T00:00:00Z"},
		{Result: "maybe"},
		{Cursor: "!!!"},
		{Cursor: "bm90LWEtY3Vyc29y"},
	}
	for _, in := range bad {
		if _, err := audit.ParseFilter(in); app.CodeOf(err) != app.CodeInvalid {
			t.Errorf("ParseFilter(%+v) = %v, want invalid", in, err)
		}
	}
	f, err := audit.ParseFilter(audit.FilterInput{Actor: "kim", From: "2026-03-01T09:00:00+09:00", Result: "success",
		Cursor: audit.Cursor{At: t0, ID: "x"}.Encode()})
	if err != nil || f.ActorID != "kim" || !f.From.Equal(t0.Add(-9*time.Hour)) || f.After == nil || f.After.ID != "x" || !f.After.At.Equal(t0) {
		t.Fatalf("ParseFilter = %+v, %v", f, err)
	}
}

func TestCSVExport(t *testing.T) {
	ctx := context.Background()
	st, svc, clk := open(t, audit.Config{ExportLimit: 3})
	appendAt(t, st,
		app.AuditEntry{At: t0, ActorID: "kim", ActorLabel: "김민지 <kim@example.com>", Action: "team.created",
			TargetType: "team", TargetID: "t1", IP: "192.0.2.1", UserAgent: `Mozilla/5.0 ("quoted", comma)`,
			Details: map[string]any{"name": "디자인팀, 서울\n2층"}},
		app.AuditEntry{At: t0.Add(time.Second), ActorLabel: "=HYPERLINK(\"http://evil\")", Action: "auth.login_failed",
			Result: app.AuditFailure, UserAgent: "-1+2", Details: map[string]any{"reason": "<bad_credentials>"}},
	)
	clk.set(t0.Add(time.Hour))
	e, err := svc.StartExport(ctx, admin, audit.Filter{}, app.RequestMeta{IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	if e.FileName != "nexus-audit-2026-03-01.csv" || e.Truncated {
		t.Fatalf("export = %+v", e)
	}
	var buf bytes.Buffer
	if err := e.WriteTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasPrefix(raw, "\uFEFF") {
		t.Fatal("the CSV must start with a UTF-8 byte-order mark")
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 4 || records[0][0] != "time" || records[0][3] != "action" {
		t.Fatalf("records = %q", records)
	}
	// Newest first: the export's own audit row, then the two entries.
	if records[1][3] != "audit.exported" || records[1][7] != "198.51.100.7" {
		t.Fatalf("first row = %q, want the export itself recorded", records[1])
	}
	failed, created := records[2], records[3]
	if failed[2] != `'=HYPERLINK("http://evil")` || failed[8] != "'-1+2" {
		t.Errorf("formula cells not defused: %q", failed)
	}
	if failed[9] != `{"reason":"<bad_credentials>"}` {
		t.Errorf("details = %q", failed[9])
	}
	if created[2] != "김민지 <kim@example.com>" || created[8] != `Mozilla/5.0 ("quoted", comma)` ||
		created[9] != `{"name":"디자인팀, 서울\n2층"}` || created[0] != "2026-03-01T09:00:00.000000Z" {
		t.Errorf("Korean text, quotes and commas must round-trip: %q", created)
	}

	// More entries than the cap: newest ExportLimit rows, flagged.
	appendAt(t, st, app.AuditEntry{At: t0.Add(time.Minute), Action: "x"}, app.AuditEntry{At: t0.Add(2 * time.Minute), Action: "y"})
	e, err = svc.StartExport(ctx, admin, audit.Filter{}, app.RequestMeta{})
	if err != nil || !e.Truncated {
		t.Fatalf("over the cap: %+v, %v; want truncated", e, err)
	}
	buf.Reset()
	if err := e.WriteTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if records, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll(); len(records) != 4 {
		t.Fatalf("capped export has %d data rows, want 3", len(records)-1)
	}
}
