package store_test

import (
	"context"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/auth"
	"nexus/store"
)

func mustCreateAccessToken(t *testing.T, st *store.Store, userID, name string, scopes []app.Scope, expires time.Time) (*auth.AccessToken, string) {
	t.Helper()
	secret, hash, err := auth.NewOpaqueToken()
	if err != nil {
		t.Fatal(err)
	}
	tok := &auth.AccessToken{ID: app.NewID(), UserID: userID, Name: name, Hash: hash, Scopes: scopes, ExpiresAt: expires}
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		tok.CreatedAt = tx.Now()
		return tx.CreateAccessToken(context.Background(), tok)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok, secret
}

func TestAccessTokensRoundTrip(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	u := MustCreateUser(t, st, "pat@example.com", app.RoleAdmin)
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Microsecond)
	tok, secret := mustCreateAccessToken(t, st, u.ID, "배포 봇", []app.Scope{app.ScopeRead, app.ScopeAdmin}, expires)
	forever, _ := mustCreateAccessToken(t, st, u.ID, "forever", []app.Scope{app.ScopeWrite}, time.Time{})

	gotUser, got, err := st.FindAccessTokenUser(ctx, auth.HashOpaqueToken(secret))
	if err != nil {
		t.Fatal(err)
	}
	if gotUser.ID != u.ID || gotUser.Email != u.Email || got.ID != tok.ID || got.Name != "배포 봇" || !got.ExpiresAt.Equal(expires) ||
		!got.LastUsedAt.IsZero() || !got.RevokedAt.IsZero() || len(got.Scopes) != 2 || got.Scopes[1] != app.ScopeAdmin {
		t.Fatalf("FindAccessTokenUser = %+v, %+v", gotUser, got)
	}
	if _, _, err := st.FindAccessTokenUser(ctx, []byte("unknown")); !app.IsNotFound(err) {
		t.Fatalf("unknown hash: %v, want not found", err)
	}

	list, err := st.FindAccessTokensOfUser(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].ID != forever.ID || !list[0].ExpiresAt.IsZero() {
		t.Fatalf("list = %+v, %v; want both, newest first", list, err)
	}

	// Touch writes only when the stored time is old enough.
	err = st.Update(ctx, func(tx *store.Tx) error {
		if err := tx.TouchAccessToken(ctx, tok.ID, tx.Now().Add(-time.Minute)); err != nil {
			return err
		}
		got, err := tx.FindAccessToken(ctx, tok.ID)
		if err != nil {
			return err
		}
		if !got.LastUsedAt.Equal(tx.Now()) {
			t.Errorf("first touch: last used %v, want %v", got.LastUsedAt, tx.Now())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, before, _ := st.FindAccessTokenUser(ctx, auth.HashOpaqueToken(secret))
	err = st.Update(ctx, func(tx *store.Tx) error {
		return tx.TouchAccessToken(ctx, tok.ID, before.LastUsedAt.Add(-time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, after, _ := st.FindAccessTokenUser(ctx, auth.HashOpaqueToken(secret)); !after.LastUsedAt.Equal(before.LastUsedAt) {
		t.Fatalf("a recent last use was overwritten: %v → %v", before.LastUsedAt, after.LastUsedAt)
	}

	err = st.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.CountActiveAccessTokens(ctx, u.ID, tx.Now())
		if err != nil || n != 2 {
			t.Errorf("active = %d, %v; want 2", n, err)
		}
		if n, _ := tx.CountActiveAccessTokens(ctx, u.ID, expires.Add(time.Second)); n != 1 {
			t.Errorf("active after expiry = %d, want 1", n)
		}
		return tx.RevokeAccessToken(ctx, tok.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, got, _ := st.FindAccessTokenUser(ctx, auth.HashOpaqueToken(secret)); got.RevokedAt.IsZero() {
		t.Fatal("token not revoked")
	}
	if list, _ := st.FindAccessTokensOfUser(ctx, u.ID); len(list) != 1 || list[0].ID != forever.ID {
		t.Fatalf("a revoked token is still listed: %+v", list)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.FindAccessToken(ctx, "nope")
		return err
	})
	if !app.IsNotFound(err) {
		t.Fatalf("FindAccessToken(unknown) = %v, want not found", err)
	}
}

func TestAccessTokenHashIsUnique(t *testing.T) {
	st := MustOpenStore(t)
	u := MustCreateUser(t, st, "dup@example.com", app.RoleMember)
	tok, _ := mustCreateAccessToken(t, st, u.ID, "a", []app.Scope{app.ScopeRead}, time.Time{})
	err := st.Update(context.Background(), func(tx *store.Tx) error {
		return tx.CreateAccessToken(context.Background(), &auth.AccessToken{ID: app.NewID(), UserID: u.ID, Name: "b",
			Hash: tok.Hash, Scopes: []app.Scope{app.ScopeRead}, CreatedAt: tx.Now()})
	})
	if err == nil {
		t.Fatal("two tokens with one hash were stored")
	}
}

func TestListAndRevokeSessionsOfUser(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	u := MustCreateUser(t, st, "s@example.com", app.RoleMember)
	other := MustCreateUser(t, st, "o@example.com", app.RoleMember)
	var ids []string
	now := time.Now().UTC()
	err := st.Update(ctx, func(tx *store.Tx) error {
		for i, owner := range []string{u.ID, u.ID, u.ID, u.ID, other.ID} {
			s := &auth.Session{ID: app.NewID(), UserID: owner, CreatedAt: now, LastUsedAt: now.Add(time.Duration(i) * time.Minute),
				ExpiresAt: now.Add(time.Hour), UserAgent: "curl/8", IP: "10.0.0.1"}
			if i == 3 {
				s.ExpiresAt = now.Add(-time.Second) // past its lifetime
			}
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
			ids = append(ids, s.ID)
		}
		return tx.RevokeSession(ctx, ids[2], auth.RevokedLogout)
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.FindSessionsOfUser(ctx, u.ID, now)
	if err != nil || len(list) != 2 || list[0].ID != ids[1] || list[1].ID != ids[0] || list[0].UserAgent != "curl/8" {
		t.Fatalf("sessions = %+v, %v; want the two live ones, most recently used first", list, err)
	}
	var revoked []string
	err = st.Update(ctx, func(tx *store.Tx) error {
		revoked, err = tx.RevokeSessionsOfUser(ctx, u.ID, ids[0], "test")
		return err
	})
	if err != nil || len(revoked) != 1 || revoked[0] != ids[1] {
		t.Fatalf("revoked %v, %v; want only %s (one kept, one already revoked, one expired)", revoked, err, ids[1])
	}
	if list, _ := st.FindSessionsOfUser(ctx, u.ID, now); len(list) != 1 || list[0].ID != ids[0] {
		t.Fatalf("after revoking the others: %+v", list)
	}
	if list, _ := st.FindSessionsOfUser(ctx, other.ID, now); len(list) != 1 {
		t.Fatalf("another user's session was touched: %+v", list)
	}
	err = st.Update(ctx, func(tx *store.Tx) error {
		revoked, err = tx.RevokeSessionsOfUser(ctx, u.ID, "", "test")
		return err
	})
	if err != nil || len(revoked) != 1 || revoked[0] != ids[0] {
		t.Fatalf("revoke all: %v, %v", revoked, err)
	}
}
