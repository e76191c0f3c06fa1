package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/store"
)

// MustOpenStore opens a migrated store on a fresh SQLite file.
func MustOpenStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// MustCreateUser inserts an active user with the given email.
func MustCreateUser(t testing.TB, st *store.Store, email string, role app.Role) *app.User {
	t.Helper()
	var u *app.User
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		u = &app.User{ID: app.NewID(), Email: email, Name: "User " + email, Role: role, Status: app.UserActive,
			CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		return tx.CreateUser(context.Background(), u)
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrateFromEmptyAndIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nexus.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	status, err := st.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(status) == 0 || status[0].Applied {
		t.Fatalf("fresh database: want pending migrations, got %+v", status)
	}
	if _, pending, err := st.Ready(ctx); err != nil || !pending {
		t.Fatalf("fresh database: Ready pending=%v err=%v, want pending", pending, err)
	}

	applied, err := st.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(status) {
		t.Fatalf("applied %d migrations, want %d", len(applied), len(status))
	}
	again, err := st.Migrate(ctx)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if len(again) != 0 {
		t.Fatalf("second run applied %v, want nothing", again)
	}
	version, pending, err := st.Ready(ctx)
	if err != nil || pending || version != status[len(status)-1].Version {
		t.Fatalf("Ready = %d, %v, %v; want latest version, not pending", version, pending, err)
	}
	for _, table := range []string{"users", "sessions", "refresh_tokens", "audit_events", "outbox"} {
		var n int
		if err := queryInt(st, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='"+table+"'", &n); err != nil || n != 1 {
			t.Errorf("table %s: exists=%d err=%v", table, n, err)
		}
	}
}

func queryInt(st *store.Store, q string, dst *int) error {
	return st.QueryIntForTest(context.Background(), q, dst)
}

func TestPragmas(t *testing.T) {
	st := MustOpenStore(t)
	var fk, timeout int
	if err := queryInt(st, "PRAGMA foreign_keys", &fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
	if err := queryInt(st, "PRAGMA busy_timeout", &timeout); err != nil || timeout < 1000 {
		t.Errorf("busy_timeout = %d (%v), want ≥ 1000", timeout, err)
	}
	var mode string
	if err := st.QueryStringForTest(context.Background(), "PRAGMA journal_mode", &mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestUserRoundTripKoreanAndEnglish(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	for _, name := range []string{"김민지", "Kim Minji", "이서연 (Seoyeon Lee) 👩‍💻"} {
		var created *app.User
		err := st.Update(ctx, func(tx *store.Tx) error {
			created = &app.User{ID: app.NewID(), Email: app.NewID() + "@example.com", Name: name, Role: app.RoleMember,
				Status: app.UserActive, PasswordHash: "h", CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
			return tx.CreateUser(ctx, created)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.FindUserByID(ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Email != created.Email || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("round trip: got %+v, want %+v", got, created)
		}
	}
}

func TestDuplicateEmailIsConflict(t *testing.T) {
	st := MustOpenStore(t)
	MustCreateUser(t, st, "dup@example.com", app.RoleMember)
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.CreateUser(context.Background(), &app.User{ID: app.NewID(), Email: "dup@example.com", Name: "x",
			Role: app.RoleMember, Status: app.UserActive, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
	})
	if app.CodeOf(err) != app.CodeConflict {
		t.Fatalf("duplicate email: got %v, want conflict", err)
	}
	if n, _ := st.CountUsers(context.Background()); n != 1 {
		t.Fatalf("users after failed insert = %d, want 1", n)
	}
}

func TestFindMissingIsNotFound(t *testing.T) {
	st := MustOpenStore(t)
	if _, err := st.FindUserByID(context.Background(), "nope"); !app.IsNotFound(err) {
		t.Errorf("FindUserByID: %v, want not found", err)
	}
	if _, err := st.FindUserByEmail(context.Background(), "nope@example.com"); !app.IsNotFound(err) {
		t.Errorf("FindUserByEmail: %v, want not found", err)
	}
	if _, _, err := st.FindSessionUser(context.Background(), "u", "s"); !app.IsNotFound(err) {
		t.Errorf("FindSessionUser: %v, want not found", err)
	}
}

func TestUpdateRollsBackOnError(t *testing.T) {
	st := MustOpenStore(t)
	boom := errors.New("boom")
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.CreateUser(context.Background(), &app.User{ID: app.NewID(), Email: "a@example.com", Name: "a",
			Role: app.RoleMember, Status: app.UserActive, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}); err != nil {
			return err
		}
		if err := tx.AppendAudit(context.Background(), app.AuditEntry{Action: "x", Result: app.AuditSuccess}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want boom", err)
	}
	if n, _ := st.CountUsers(context.Background()); n != 0 {
		t.Fatalf("user survived a rolled-back transaction")
	}
	entries, _ := st.FindAuditEntries(context.Background(), store.AuditFilter{})
	if len(entries) != 0 {
		t.Fatalf("audit row survived a rolled-back transaction: %+v", entries)
	}
}

func TestTransactionsShareTheirTime(t *testing.T) {
	fixed := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "n.db"), store.Options{Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	u := MustCreateUser(t, st, "clock@example.com", app.RoleMember)
	if want := fixed.Truncate(time.Microsecond); !u.CreatedAt.Equal(want) {
		t.Fatalf("CreatedAt = %v, want the transaction's time %v", u.CreatedAt, want)
	}
	entries := appendAndList(t, st, app.AuditEntry{Action: "test", Result: app.AuditSuccess})
	if !entries[0].At.Equal(fixed.Truncate(time.Microsecond)) {
		t.Fatalf("audit At = %v, want %v", entries[0].At, fixed)
	}
}

func appendAndList(t *testing.T, st *store.Store, e app.AuditEntry) []app.AuditEntry {
	t.Helper()
	if err := st.Update(context.Background(), func(tx *store.Tx) error { return tx.AppendAudit(context.Background(), e) }); err != nil {
		t.Fatal(err)
	}
	entries, err := st.FindAuditEntries(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestAuditIsAppendOnly(t *testing.T) {
	st := MustOpenStore(t)
	entries := appendAndList(t, st, app.AuditEntry{ActorLabel: "김민지", Action: app.ActionLogin, Result: app.AuditSuccess,
		Details: map[string]any{"method": "password"}})
	if len(entries) != 1 || entries[0].ActorLabel != "김민지" || entries[0].Details["method"] != "password" {
		t.Fatalf("entries = %+v", entries)
	}
	err := st.ExecForTest(context.Background(), "UPDATE audit_events SET action = 'tampered'")
	if err == nil {
		t.Fatal("updating an audit row succeeded; the log must be append-only")
	}
	if err := st.ExecForTest(context.Background(), "DELETE FROM audit_events"); err == nil {
		t.Fatal("deleting an audit row succeeded; only the retention job may remove old rows")
	}
	entries, _ = st.FindAuditEntries(context.Background(), store.AuditFilter{})
	if len(entries) != 1 || entries[0].Action != app.ActionLogin {
		t.Fatalf("audit rows changed: %+v", entries)
	}
	// Rows older than the retention cutoff may go.
	if err := st.ExecForTest(context.Background(), "UPDATE audit_retention SET cutoff = '9999'"); err != nil {
		t.Fatal(err)
	}
	if err := st.ExecForTest(context.Background(), "DELETE FROM audit_events"); err != nil {
		t.Fatalf("retention delete refused: %v", err)
	}
}

func TestOutboxKeepsOrder(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := st.Update(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(ctx, app.Event{Type: "user.created", ResourceType: "user", ResourceID: string(rune('a' + i)),
				Data: map[string]any{"n": i}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	events, err := st.OutboxEvents(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 {
		t.Fatalf("got %d events", len(events))
	}
	for i, e := range events {
		if e.Seq != int64(i+1) || e.ResourceID != string(rune('a'+i)) || e.Data["n"] != float64(i) {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	after, _ := st.OutboxEvents(ctx, 2, 10)
	if len(after) != 1 || after[0].Seq != 3 {
		t.Errorf("after seq 2: %+v", after)
	}
}

func TestSessionsAndRefreshTokens(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	u := MustCreateUser(t, st, "s@example.com", app.RoleMember)
	sess := &auth.Session{ID: app.NewID(), UserID: u.ID, UserAgent: "Firefox", IP: "10.0.0.1"}
	_, hash, _ := auth.NewOpaqueToken()
	err := st.Update(ctx, func(tx *store.Tx) error {
		sess.CreatedAt, sess.LastUsedAt, sess.ExpiresAt = tx.Now(), tx.Now(), tx.Now().Add(time.Hour)
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return tx.CreateRefreshToken(ctx, &auth.RefreshToken{Hash: hash, SessionID: sess.ID, CreatedAt: tx.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		rt, err := tx.FindRefreshToken(ctx, hash)
		if err != nil {
			return err
		}
		if rt.SessionID != sess.ID || !rt.UsedAt.IsZero() {
			t.Errorf("token = %+v", rt)
		}
		if err := tx.MarkRefreshTokenUsed(ctx, hash); err != nil {
			return err
		}
		rt, _ = tx.FindRefreshToken(ctx, hash)
		if rt.UsedAt.IsZero() {
			t.Error("token not marked used")
		}
		if _, err := tx.FindRefreshToken(ctx, []byte("other")); !app.IsNotFound(err) {
			t.Errorf("unknown token: %v", err)
		}
		return tx.RevokeSession(ctx, sess.ID, auth.RevokedLogout)
	})
	if err != nil {
		t.Fatal(err)
	}
	gotUser, gotSess, err := st.FindSessionUser(ctx, u.ID, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotUser.ID != u.ID || gotSess.RevokedAt.IsZero() {
		t.Fatalf("FindSessionUser = %+v %+v", gotUser, gotSess)
	}
	if _, _, err := st.FindSessionUser(ctx, "someone-else", sess.ID); !app.IsNotFound(err) {
		t.Fatalf("session must belong to the user in the token: %v", err)
	}

	n, err := st.PurgeSessions(ctx, time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("PurgeSessions = %d, %v; want 1 revoked session purged", n, err)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.FindRefreshToken(ctx, hash)
		return err
	})
	if !app.IsNotFound(err) {
		t.Fatalf("refresh token outlived its purged session: %v", err)
	}
}

func TestConcurrentWritesAndReads(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 50; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- st.Update(ctx, func(tx *store.Tx) error {
				return tx.CreateUser(ctx, &app.User{ID: app.NewID(), Email: app.NewID() + "@example.com", Name: "n",
					Role: app.RoleMember, Status: app.UserActive, CreatedAt: tx.Now(), UpdatedAt: tx.Now()})
			})
		}()
		go func() {
			defer wg.Done()
			_, err := st.CountUsers(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := st.CountUsers(ctx); n != 50 {
		t.Fatalf("users = %d, want 50", n)
	}
}

func TestDataDirAndKeys(t *testing.T) {
	root := filepath.Join(t.TempDir(), "data")
	d, err := store.PrepareDataDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, store.KeysDir)} {
		info, err := os.Stat(dir)
		if err != nil || info.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v err %v, want 0700", dir, info.Mode().Perm(), err)
		}
	}
	k1, err := d.LoadOrCreateKey(store.SigningKey, 32)
	if err != nil || len(k1) != 32 {
		t.Fatalf("key = %x, %v", k1, err)
	}
	info, _ := os.Stat(d.KeyPath(store.SigningKey))
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", info.Mode().Perm())
	}
	k2, err := d.LoadOrCreateKey(store.SigningKey, 32)
	if err != nil || string(k1) != string(k2) {
		t.Fatal("second load returned a different key")
	}
	if _, err := d.LoadOrCreateKey(store.SigningKey, 64); err == nil {
		t.Fatal("a key of the wrong size must be refused")
	}
	entries, _ := os.ReadDir(filepath.Join(root, store.KeysDir))
	if len(entries) != 1 {
		t.Fatalf("keys dir has %d entries; temporary files were left behind", len(entries))
	}
}

func TestDataDirThatCannotBeCreated(t *testing.T) {
	// A regular file where a directory should be fails for root as well,
	// unlike a permission check.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.PrepareDataDir(filepath.Join(file, "data")); err == nil {
		t.Fatal("want an error for a data dir that cannot be created")
	}
}

// Many writers and readers at once, each using statements for the first
// time: preparing must never wait on the writer while holding a lock that a
// transaction needs.
func TestFirstUseOfStatementsUnderConcurrency(t *testing.T) {
	for round := 0; round < 20; round++ {
		st := MustOpenStore(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_ = st.Update(ctx, func(tx *store.Tx) error {
					if _, err := tx.CountUsers(ctx); err != nil {
						return err
					}
					return tx.AppendAudit(ctx, app.AuditEntry{Action: "x", Result: app.AuditSuccess})
				})
			}()
			go func() {
				defer wg.Done()
				_, _ = st.CountUsers(ctx)
				_, _ = st.FindUserByEmail(ctx, "a@example.com")
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatal("store deadlocked under concurrent first use of statements")
		}
		cancel()
	}
}
