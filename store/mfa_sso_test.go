package store_test

import (
	"context"
	"testing"

	"nexus/app"
	"nexus/app/mfa"
	"nexus/app/sso"
	"nexus/store"
)

func TestMFAStore(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	u := MustCreateUser(t, st, "kim@example.com", app.RoleMember)
	update := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := st.FindTOTP(ctx, u.ID); !app.IsNotFound(err) {
		t.Fatalf("FindTOTP before enrolment: %v, want not found", err)
	}
	update(func(tx *store.Tx) error {
		return tx.SaveTOTP(ctx, &mfa.TOTP{UserID: u.ID, Secret: []byte("sealed-1"), CreatedAt: tx.Now()})
	})
	got, err := st.FindTOTP(ctx, u.ID)
	if err != nil || got.Confirmed() || string(got.Secret) != "sealed-1" || got.LastStep != 0 {
		t.Fatalf("pending totp = %+v, %v", got, err)
	}
	// Saving again replaces (a restarted enrolment), then confirms.
	update(func(tx *store.Tx) error {
		return tx.SaveTOTP(ctx, &mfa.TOTP{UserID: u.ID, Secret: []byte("sealed-2"), CreatedAt: tx.Now(), ConfirmedAt: tx.Now(), LastStep: 100})
	})
	if got, _ = st.FindTOTP(ctx, u.ID); !got.Confirmed() || string(got.Secret) != "sealed-2" || got.LastStep != 100 {
		t.Fatalf("confirmed totp = %+v", got)
	}

	// A step is accepted only when later than the last one.
	for _, tt := range []struct {
		step int64
		want bool
	}{{100, false}, {99, false}, {101, true}, {101, false}, {103, true}} {
		update(func(tx *store.Tx) error {
			ok, err := tx.AdvanceTOTPStep(ctx, u.ID, tt.step)
			if ok != tt.want {
				t.Errorf("AdvanceTOTPStep(%d) = %v, want %v", tt.step, ok, tt.want)
			}
			return err
		})
	}

	update(func(tx *store.Tx) error {
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("h1"), []byte("h2"), []byte("h3")}); err != nil {
			return err
		}
		return tx.SetUserMFAEnabled(ctx, u.ID, true)
	})
	if n, _ := st.CountRecoveryCodesLeft(ctx, u.ID); n != 3 {
		t.Fatalf("codes left = %d", n)
	}
	if user, _ := st.FindUserByID(ctx, u.ID); !user.MFAEnabled || user.Version != u.Version {
		t.Fatalf("user after enabling MFA = %+v (version must not change)", user)
	}
	update(func(tx *store.Tx) error {
		for _, tt := range []struct {
			hash string
			want bool
		}{{"h2", true}, {"h2", false}, {"nope", false}} {
			if ok, err := tx.UseRecoveryCode(ctx, u.ID, []byte(tt.hash)); err != nil || ok != tt.want {
				t.Errorf("UseRecoveryCode(%s) = %v, %v; want %v", tt.hash, ok, err, tt.want)
			}
		}
		n, err := tx.CountRecoveryCodesLeft(ctx, u.ID)
		if n != 2 {
			t.Errorf("codes left in tx = %d", n)
		}
		return err
	})
	other := MustCreateUser(t, st, "lee@example.com", app.RoleMember)
	update(func(tx *store.Tx) error {
		if ok, _ := tx.UseRecoveryCode(ctx, other.ID, []byte("h1")); ok {
			t.Error("another user's code was accepted")
		}
		return nil
	})

	update(func(tx *store.Tx) error {
		if err := tx.DeleteMFA(ctx, u.ID); err != nil {
			return err
		}
		return tx.SetUserMFAEnabled(ctx, u.ID, false)
	})
	if _, err := st.FindTOTP(ctx, u.ID); !app.IsNotFound(err) {
		t.Fatalf("totp after delete: %v", err)
	}
	if n, _ := st.CountRecoveryCodesLeft(ctx, u.ID); n != 0 {
		t.Fatalf("codes after delete = %d", n)
	}
	if user, _ := st.FindUserByID(ctx, u.ID); user.MFAEnabled {
		t.Fatal("mfa_enabled still set")
	}
}

func TestSSOStore(t *testing.T) {
	ctx := context.Background()
	st := MustOpenStore(t)
	u := MustCreateUser(t, st, "kim@example.com", app.RoleMember)
	v := MustCreateUser(t, st, "lee@example.com", app.RoleMember)
	update := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}

	update(func(tx *store.Tx) error {
		if _, err := tx.FindSSOIdentity(ctx, "google", "sub-1"); !app.IsNotFound(err) {
			t.Errorf("unknown identity: %v", err)
		}
		if found, err := tx.FindSSOUserByEmail(ctx, "kim@example.com"); err != nil || found.ID != u.ID {
			t.Errorf("FindSSOUserByEmail = %v, %v", found, err)
		}
		if _, err := tx.FindSSOUserByEmail(ctx, "nobody@example.com"); !app.IsNotFound(err) {
			t.Errorf("unknown email: %v", err)
		}
		return tx.SaveSSOIdentity(ctx, &sso.Identity{Provider: "google", Subject: "sub-1", UserID: u.ID, Email: "kim@example.com",
			CreatedAt: tx.Now(), LastLoginAt: tx.Now()})
	})
	update(func(tx *store.Tx) error {
		id, err := tx.FindSSOIdentity(ctx, "google", "sub-1")
		if err != nil || id.UserID != u.ID || id.Email != "kim@example.com" {
			t.Errorf("identity = %+v, %v", id, err)
		}
		// Saving the same provider account again moves the link.
		return tx.SaveSSOIdentity(ctx, &sso.Identity{Provider: "google", Subject: "sub-1", UserID: v.ID, Email: "lee@example.com",
			CreatedAt: tx.Now(), LastLoginAt: tx.Now()})
	})
	update(func(tx *store.Tx) error {
		if id, _ := tx.FindSSOIdentity(ctx, "google", "sub-1"); id.UserID != v.ID {
			t.Errorf("link not moved: %+v", id)
		}
		if _, err := tx.FindSSOIdentity(ctx, "okta", "sub-1"); !app.IsNotFound(err) {
			t.Error("identities are per provider")
		}
		return nil
	})

	var sync *sso.TeamSync
	update(func(tx *store.Tx) (err error) {
		sync, err = tx.SyncSSOTeams(ctx, u.ID, []string{"Design", "Engineering"}, []string{"Engineering"})
		return err
	})
	if len(sync.Created) != 1 || sync.Created[0].Name != "Engineering" || len(sync.Added) != 1 || len(sync.Removed) != 0 {
		t.Fatalf("first sync = %+v", sync)
	}
	update(func(tx *store.Tx) (err error) {
		sync, err = tx.SyncSSOTeams(ctx, u.ID, []string{"Design", "Engineering"}, []string{"engineering", "Design"})
		return err
	})
	if len(sync.Created) != 1 || sync.Created[0].Name != "Design" || len(sync.Added) != 1 || sync.Added[0].Name != "Design" || len(sync.Removed) != 0 {
		t.Fatalf("second sync (case-insensitive names) = %+v", sync)
	}
	update(func(tx *store.Tx) (err error) {
		sync, err = tx.SyncSSOTeams(ctx, u.ID, []string{"Design", "Engineering"}, nil)
		return err
	})
	if len(sync.Created) != 0 || len(sync.Added) != 0 || len(sync.Removed) != 2 {
		t.Fatalf("leaving every group = %+v", sync)
	}
}
