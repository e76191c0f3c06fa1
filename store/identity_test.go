package store_test

import (
	"context"
	"testing"
	"time"

	"nexus/app"
	"nexus/app/identity"
	"nexus/app/mail"
	"nexus/store"
)

func TestUpdateUserAccountIsVersioned(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	u := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	MustCreateUser(t, st, "b@example.com", app.RoleMember)

	err := st.Update(ctx, func(tx *store.Tx) error {
		u.Name, u.Language, u.Timezone = "에이", "ko", "Asia/Seoul"
		return tx.UpdateUserAccount(ctx, u)
	})
	if err != nil || u.Version != 2 {
		t.Fatalf("update: %v, version %d", err, u.Version)
	}
	got, _ := st.FindUserByID(ctx, u.ID)
	if got.Name != "에이" || got.Language != "ko" || got.Timezone != "Asia/Seoul" || got.Version != 2 {
		t.Fatalf("stored = %+v", got)
	}
	// A stale copy is a conflict carrying the stored version.
	stale := *got
	stale.Version = 1
	err = st.Update(ctx, func(tx *store.Tx) error { return tx.UpdateUserAccount(ctx, &stale) })
	var ae *app.Error
	if app.CodeOf(err) != app.CodeConflict {
		t.Fatalf("stale update: %v", err)
	}
	if ae, _ = err.(*app.Error); ae.Details["current_version"] != int64(2) {
		t.Fatalf("details = %v", ae.Details)
	}
	// A taken email is a conflict on email.
	got.Email = "b@example.com"
	err = st.Update(ctx, func(tx *store.Tx) error { return tx.UpdateUserAccount(ctx, got) })
	if ae, _ = err.(*app.Error); app.CodeOf(err) != app.CodeConflict || ae.Details["field"] != "email" {
		t.Fatalf("taken email: %v", err)
	}
}

func TestFindUsersFiltersAndPages(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	for _, n := range []struct{ email, name string }{{"z@example.com", "zed"}, {"a@example.com", "Amy"}, {"k@example.com", "김민지"},
		{"p@example.com", "50%_off"}} {
		u := MustCreateUser(t, st, n.email, app.RoleMember)
		if err := st.Update(ctx, func(tx *store.Tx) error { u.Name = n.name; return tx.UpdateUserAccount(ctx, u) }); err != nil {
			t.Fatal(err)
		}
	}
	names := func(f identity.UserFilter) []string {
		users, err := st.FindUsers(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range users {
			out = append(out, u.Name)
		}
		return out
	}
	if got := names(identity.UserFilter{}); len(got) != 4 || got[0] != "50%_off" || got[1] != "Amy" || got[2] != "zed" || got[3] != "김민지" {
		t.Fatalf("all = %v", got)
	}
	if got := names(identity.UserFilter{Query: "%_"}); len(got) != 1 || got[0] != "50%_off" {
		t.Fatalf("LIKE wildcards must be literal: %v", got)
	}
	if got := names(identity.UserFilter{Query: "민"}); len(got) != 1 {
		t.Fatalf("Korean search = %v", got)
	}
	if got := names(identity.UserFilter{After: &identity.UserCursor{Name: "Amy", ID: "~"}, Limit: 1}); len(got) != 1 || got[0] != "zed" {
		t.Fatalf("after Amy = %v", got)
	}
}

func TestOwnersTokensAndMemberships(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	owner := MustCreateUser(t, st, "o@example.com", app.RoleOwner)
	MustCreateUser(t, st, "o2@example.com", app.RoleOwner)
	count := func() int {
		var n int
		st.Update(ctx, func(tx *store.Tx) error { n, _ = tx.CountActiveOwners(ctx); return nil })
		return n
	}
	if n := count(); n != 2 {
		t.Fatalf("owners = %d", n)
	}
	owner.Status = app.UserDisabled
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.UpdateUserAccount(ctx, owner) }); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("owners after disabling one = %d", n)
	}
	if err := st.ExecForTest(ctx, `INSERT INTO personal_access_tokens (id, user_id, name, token_hash, scopes, created_at)
		VALUES ('t1', '`+owner.ID+`', 'x', x'01', 'read', '2026-01-01T00:00:00.000000Z'),
		       ('t2', '`+owner.ID+`', 'y', x'02', 'read', '2026-01-01T00:00:00.000000Z');
		INSERT INTO teams (id, name, created_at, updated_at) VALUES ('team', 'T', '2026', '2026');
		INSERT INTO team_members (team_id, user_id, added_at) VALUES ('team', '`+owner.ID+`', '2026');
		INSERT INTO resource_grants VALUES ('space', 's1', 'user', '`+owner.ID+`', 'editor', '2026')`); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(tx *store.Tx) error {
		n, err := tx.RevokeAccessTokensOfUser(ctx, owner.ID)
		if err != nil || n != 2 {
			t.Errorf("revoked %d, %v", n, err)
		}
		if n, _ := tx.RevokeAccessTokensOfUser(ctx, owner.ID); n != 0 {
			t.Errorf("revoked again: %d", n)
		}
		return tx.RemoveUserMemberships(ctx, owner.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	st.QueryIntForTest(ctx, `SELECT (SELECT count(*) FROM team_members) + (SELECT count(*) FROM resource_grants)`, &n)
	if n != 0 {
		t.Fatalf("memberships left: %d", n)
	}
}

func TestInvitationsStore(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	inviter := MustCreateUser(t, st, "o@example.com", app.RoleOwner)
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(email string, expires time.Time) *identity.Invitation {
		inv := &identity.Invitation{ID: app.NewID(), Email: email, Role: app.RoleMember, TokenHash: []byte("hash-" + email),
			InvitedBy: inviter.ID, CreatedAt: now, ExpiresAt: expires}
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.CreateInvitation(ctx, inv) }); err != nil {
			t.Fatal(err)
		}
		return inv
	}
	pending := mk("p@example.com", now.Add(time.Hour))
	expired := mk("e@example.com", now.Add(-time.Hour))
	revoked := mk("r@example.com", now.Add(time.Hour))
	revoked.RevokedAt = now
	if err := st.Update(ctx, func(tx *store.Tx) error { return tx.UpdateInvitation(ctx, revoked) }); err != nil {
		t.Fatal(err)
	}
	got, err := st.FindInvitationByTokenHash(ctx, []byte("hash-p@example.com"))
	if err != nil || got.ID != pending.ID || got.InviterName != inviter.Name || !got.ExpiresAt.Equal(pending.ExpiresAt) {
		t.Fatalf("by hash = %+v, %v", got, err)
	}
	if _, err := st.FindInvitationByTokenHash(ctx, []byte("nope")); !app.IsNotFound(err) {
		t.Fatalf("unknown hash: %v", err)
	}
	for status, want := range map[identity.InvitationStatus]string{
		identity.InvitationPending: pending.ID, identity.InvitationExpired: expired.ID, identity.InvitationRevoked: revoked.ID} {
		list, err := st.FindInvitations(ctx, identity.InvitationFilter{Status: status, Now: now})
		if err != nil || len(list) != 1 || list[0].ID != want || list[0].Status(now) != status {
			t.Errorf("%s = %+v, %v", status, list, err)
		}
	}
	all, _ := st.FindInvitations(ctx, identity.InvitationFilter{Now: now})
	if len(all) != 3 || all[0].ID != revoked.ID {
		t.Fatalf("all, newest first = %+v", all)
	}
	older, _ := st.FindInvitations(ctx, identity.InvitationFilter{Now: now, Before: all[0].ID})
	if len(older) != 2 {
		t.Fatalf("before the newest = %d", len(older))
	}
	st.Update(ctx, func(tx *store.Tx) error {
		if inv, err := tx.FindPendingInvitationByEmail(ctx, "p@example.com", now); err != nil || inv.ID != pending.ID {
			t.Errorf("pending by email = %+v, %v", inv, err)
		}
		for _, email := range []string{"e@example.com", "r@example.com"} {
			if _, err := tx.FindPendingInvitationByEmail(ctx, email, now); !app.IsNotFound(err) {
				t.Errorf("%s is not pending: %v", email, err)
			}
		}
		return nil
	})
}

func TestPasswordResetsAndAvatars(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	u := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	err := st.Update(ctx, func(tx *store.Tx) error {
		for _, h := range []string{"one", "two"} {
			if err := tx.CreatePasswordReset(ctx, &identity.PasswordReset{TokenHash: []byte(h), UserID: u.ID, CreatedAt: tx.Now(),
				ExpiresAt: tx.Now().Add(time.Minute)}); err != nil {
				return err
			}
		}
		ok, err := tx.MarkPasswordResetUsed(ctx, []byte("one"))
		if err != nil || !ok {
			t.Errorf("first use: %v %v", ok, err)
		}
		if ok, _ := tx.MarkPasswordResetUsed(ctx, []byte("one")); ok {
			t.Error("a link was spent twice")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.FindPasswordReset(ctx, []byte("one"))
	if err != nil || r.UsedAt.IsZero() || r.UserID != u.ID {
		t.Fatalf("reset = %+v, %v", r, err)
	}
	st.Update(ctx, func(tx *store.Tx) error { return tx.DeletePasswordResets(ctx, u.ID) })
	if _, err := st.FindPasswordReset(ctx, []byte("two")); !app.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}

	for _, png := range [][]byte{[]byte("first"), []byte("second")} {
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.PutAvatar(ctx, u.ID, png) }); err != nil {
			t.Fatal(err)
		}
	}
	if png, err := st.FindAvatar(ctx, u.ID); err != nil || string(png) != "second" {
		t.Fatalf("avatar = %q, %v", png, err)
	}
	st.Update(ctx, func(tx *store.Tx) error { return tx.DeleteAvatar(ctx, u.ID) })
	if _, err := st.FindAvatar(ctx, u.ID); !app.IsNotFound(err) {
		t.Fatalf("deleted avatar: %v", err)
	}
}

func TestMailOutboxStore(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	msgs := []*mail.Message{
		{ID: app.NewID(), Kind: mail.KindInvitation, To: "a@example.com", Language: "ko", Subject: "초대", Text: "t", HTML: "<p>h</p>",
			Restricted: true, Status: mail.StatusQueued, NextAttemptAt: now, CreatedAt: now},
		{ID: app.NewID(), Kind: mail.KindPasswordReset, To: "b@example.com", Language: "en", Subject: "s", Text: "t", HTML: "h",
			Status: mail.StatusQueued, NextAttemptAt: now.Add(time.Hour), CreatedAt: now},
		{ID: app.NewID(), Kind: mail.KindEmailChanged, To: "c@example.com", Language: "en", Subject: "s", Text: "t", HTML: "h",
			Status: mail.StatusStored, CreatedAt: now},
	}
	for _, m := range msgs {
		if err := st.Update(ctx, func(tx *store.Tx) error { return tx.EnqueueMail(ctx, m) }); err != nil {
			t.Fatal(err)
		}
	}
	due, err := st.FindDueMail(ctx, now, 10)
	if err != nil || len(due) != 1 || due[0].ID != msgs[0].ID || !due[0].Restricted || due[0].Subject != "초대" {
		t.Fatalf("due = %+v, %v", due, err)
	}
	if err := st.RecordMailAttempt(ctx, mail.Attempt{ID: msgs[0].ID, Status: mail.StatusSent, Attempts: 1, SentAt: now}); err != nil {
		t.Fatal(err)
	}
	m, err := st.FindMail(ctx, msgs[0].ID)
	if err != nil || m.Status != mail.StatusSent || m.Attempts != 1 || !m.SentAt.Equal(now) || !m.NextAttemptAt.IsZero() {
		t.Fatalf("after attempt = %+v, %v", m, err)
	}
	if due, _ := st.FindDueMail(ctx, now.Add(2*time.Hour), 10); len(due) != 1 || due[0].ID != msgs[1].ID {
		t.Fatalf("later due = %+v", due)
	}
	list, _ := st.FindMails(ctx, mail.Filter{Limit: 2})
	if len(list) != 2 || list[0].ID != msgs[2].ID {
		t.Fatalf("newest first = %+v", list)
	}
	rest, _ := st.FindMails(ctx, mail.Filter{Before: list[1].ID})
	if len(rest) != 1 || rest[0].ID != msgs[0].ID {
		t.Fatalf("next page = %+v", rest)
	}
	if _, err := st.FindMail(ctx, "nope"); !app.IsNotFound(err) {
		t.Fatalf("unknown: %v", err)
	}
}
