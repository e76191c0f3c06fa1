package store_test

import (
	"context"
	"reflect"
	"testing"

	"nexus/app"
	"nexus/app/authz"
	"nexus/app/chat"
	"nexus/store"
)

// chatFixture is a channel with members on a real database.
func chatChannel(t *testing.T, st *store.Store, kind string, members ...string) *chat.Channel {
	t.Helper()
	ctx := context.Background()
	var ch *chat.Channel
	mustUpdate(t, st, func(tx *store.Tx) error {
		ch = &chat.Channel{ID: app.NewID(), Kind: kind, Name: "채널 " + app.NewID()[24:], CreatedBy: members[0],
			CreatedAt: tx.Now(), UpdatedAt: tx.Now(), Version: 1}
		if err := tx.CreateChannel(ctx, ch); err != nil {
			return err
		}
		for _, id := range members {
			if _, err := tx.PutChannelMember(ctx, &chat.Member{ChannelID: ch.ID, UserID: id, Role: chat.RoleMember, JoinedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	return ch
}

func chatPost(t *testing.T, st *store.Store, channelID, authorID, parentID, body string) *chat.Message {
	t.Helper()
	ctx := context.Background()
	m := &chat.Message{ID: app.NewID(), ChannelID: channelID, AuthorID: authorID, ParentID: parentID, Body: body, HTML: "<p>" + body + "</p>"}
	mustUpdate(t, st, func(tx *store.Tx) error {
		seq, err := tx.NextChannelSeq(ctx, channelID, tx.Now())
		if err != nil {
			return err
		}
		m.Seq, m.CreatedAt = seq, tx.Now()
		if err := tx.CreateMessage(ctx, m); err != nil {
			return err
		}
		if parentID != "" {
			return tx.AddReply(ctx, parentID, authorID, tx.Now())
		}
		return nil
	})
	return m
}

func unreadOf(t *testing.T, st *store.Store, userID, channelID string) chat.Unread {
	t.Helper()
	all, err := st.FindChatUnread(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.ChannelID == channelID {
			return u
		}
	}
	t.Fatalf("no read state for %s", channelID)
	return chat.Unread{}
}

func TestChatSequencesAndUnread(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	a := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	b := MustCreateUser(t, st, "b@example.com", app.RoleMember)
	ch := chatChannel(t, st, chat.KindPublic, a.ID, b.ID)

	var msgs []*chat.Message
	for i, body := range []string{"하나", "둘", "셋", "넷"} {
		author := a.ID
		if i > 0 {
			author = b.ID
		}
		msgs = append(msgs, chatPost(t, st, ch.ID, author, "", body))
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d seq = %d", i, m.Seq)
		}
	}
	reply := chatPost(t, st, ch.ID, b.ID, msgs[0].ID, "답글")
	if reply.Seq != 5 {
		t.Fatalf("reply seq = %d", reply.Seq)
	}
	// a has read nothing: three roots by b (the reply and a's own are not unread).
	u := unreadOf(t, st, a.ID, ch.ID)
	if u.Unread != 3 || u.FirstUnreadSeq != 2 || u.LastSeq != 5 || u.Mentions != 0 {
		t.Fatalf("unread = %+v", u)
	}
	mustUpdate(t, st, func(tx *store.Tx) error {
		if err := tx.AddChatMention(ctx, a.ID, ch.ID, msgs[3].ID, msgs[3].Seq); err != nil {
			return err
		}
		return tx.DeleteMessage(ctx, msgs[2].ID, b.ID, tx.Now())
	})
	if u := unreadOf(t, st, a.ID, ch.ID); u.Unread != 2 || u.Mentions != 1 {
		t.Fatalf("after a mention and a delete = %+v", u)
	}
	// Read positions only move forward.
	mustUpdate(t, st, func(tx *store.Tx) error {
		if got, err := tx.SetMemberRead(ctx, ch.ID, a.ID, 4); err != nil || got != 4 {
			t.Errorf("read to 4 = %d, %v", got, err)
		}
		if got, err := tx.SetMemberRead(ctx, ch.ID, a.ID, 1); err != nil || got != 4 {
			t.Errorf("read back to 1 = %d, %v", got, err)
		}
		return nil
	})
	if u := unreadOf(t, st, a.ID, ch.ID); u.Unread != 0 || u.Mentions != 0 || u.FirstUnreadSeq != 0 {
		t.Fatalf("after reading = %+v", u)
	}

	// The root knows its thread.
	root, err := st.FindMessageByID(ctx, msgs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	chatPost(t, st, ch.ID, a.ID, root.ID, "또 답글")
	chatPost(t, st, ch.ID, b.ID, root.ID, "세 번째")
	root, _ = st.FindMessageByID(ctx, root.ID)
	if root.ReplyCount != 3 || len(root.Participants) != 2 || root.Participants[0] != b.ID || root.Participants[1] != a.ID {
		t.Fatalf("root = %+v", root)
	}
	replies, err := st.FindThreadReplies(ctx, root.ID, 0, 10)
	if err != nil || len(replies) != 3 || replies[0].Body != "답글" {
		t.Fatalf("replies = %v, %v", replies, err)
	}
	page, err := st.FindChannelMessages(ctx, chat.MessageQuery{ChannelID: ch.ID, BeforeSeq: 100, Limit: 10})
	if err != nil || len(page) != 4 || page[0].Seq != 1 || page[3].Seq != 4 {
		t.Fatalf("history = %v, %v", page, err)
	}
}

func TestChatArchivedChannelTakesNoMessages(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	a := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	ch := chatChannel(t, st, chat.KindPublic, a.ID)
	ch.ArchivedAt, ch.Version = ch.CreatedAt, 2
	mustUpdate(t, st, func(tx *store.Tx) error { return tx.UpdateChannel(ctx, ch) })
	err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.NextChannelSeq(ctx, ch.ID, tx.Now())
		return err
	})
	if !app.IsNotFound(err) {
		t.Fatalf("seq in an archived channel: %v", err)
	}
}

func TestChatNamesAndDMKeysAreUnique(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	a := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	create := func(kind, name, key string) error {
		return st.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateChannel(ctx, &chat.Channel{ID: app.NewID(), Kind: kind, Name: name, DMKey: key, CreatedBy: a.ID,
				CreatedAt: tx.Now(), UpdatedAt: tx.Now(), Version: 1})
		})
	}
	if err := create(chat.KindPublic, "General", ""); err != nil {
		t.Fatal(err)
	}
	if err := create(chat.KindPrivate, "general", ""); app.CodeOf(err) != app.CodeConflict {
		t.Fatalf("same name in another case: %v", err)
	}
	if err := create(chat.KindPublic, "일반", ""); err != nil {
		t.Fatal(err)
	}
	// DMs have no name; their key is unique.
	for i := range 2 {
		err := create(chat.KindDM, "", "a,b")
		if i == 0 && err != nil || i == 1 && app.CodeOf(err) != app.CodeConflict {
			t.Fatalf("dm %d: %v", i, err)
		}
	}
	if err := create(chat.KindDM, "", "a,c"); err != nil {
		t.Fatal(err)
	}
}

func TestChatResolveHandle(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	named := func(email, name string) *app.User {
		u := MustCreateUser(t, st, email, app.RoleMember)
		u.Name = name
		mustUpdate(t, st, func(tx *store.Tx) error { return tx.UpdateUserAccount(ctx, u) })
		return u
	}
	minji := named("minji@example.com", "김민지")
	carol := named("carol@example.com", "Carol Park")
	other := named("carol@other.example", "Carol Lee")
	ch := chatChannel(t, st, chat.KindPublic, minji.ID, carol.ID)
	for _, c := range []struct {
		handle string
		want   string
	}{
		{"김민지", minji.ID}, {"minji", minji.ID}, {"MINJI", minji.ID}, {"CarolPark", carol.ID}, {"carolpark", carol.ID},
		{"carol", carol.ID}, // two people, one in the channel
		{"CarolLee", other.ID}, {"nobody", ""},
	} {
		u, ok, err := st.ResolveChatHandle(ctx, ch.ID, c.handle)
		if err != nil || ok != (c.want != "") || u.ID != c.want {
			t.Errorf("@%s = %v %v %v, want %q", c.handle, u.ID, ok, err, c.want)
		}
	}
	// Ambiguous outside the channel: nobody.
	lone := chatChannel(t, st, chat.KindPublic, minji.ID)
	if u, ok, _ := st.ResolveChatHandle(ctx, lone.ID, "carol"); ok {
		t.Fatalf("ambiguous @carol resolved to %s", u.ID)
	}
}

func TestChatFollowsAndReactions(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	a := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	b := MustCreateUser(t, st, "b@example.com", app.RoleMember)
	ch := chatChannel(t, st, chat.KindPublic, a.ID, b.ID)
	root := chatPost(t, st, ch.ID, a.ID, "", "질문")
	mustUpdate(t, st, func(tx *store.Tx) error {
		if err := tx.FollowThread(ctx, root.ID, a.ID, false, false); err != nil { // explicit unfollow
			return err
		}
		if err := tx.FollowThread(ctx, root.ID, a.ID, true, true); err != nil { // auto-follow keeps it
			return err
		}
		return tx.FollowThread(ctx, root.ID, b.ID, true, true)
	})
	f, err := st.FindThreadFollowing(ctx, a.ID, []string{root.ID})
	if err != nil || f[root.ID] {
		t.Fatalf("a follows after an explicit unfollow: %v %v", f, err)
	}
	if f, _ := st.FindThreadFollowing(ctx, b.ID, []string{root.ID}); !f[root.ID] {
		t.Fatal("b does not follow")
	}
	toggle := func(user, emoji string) bool {
		var added bool
		mustUpdate(t, st, func(tx *store.Tx) error {
			var err error
			added, err = tx.ToggleMessageReaction(ctx, chat.Reaction{MessageID: root.ID, Emoji: emoji, UserID: user, CreatedAt: tx.Now()})
			return err
		})
		return added
	}
	if !toggle(a.ID, "👍") || !toggle(b.ID, "👍") || toggle(a.ID, "👍") {
		t.Fatal("toggle")
	}
	rs, err := st.FindMessageReactions(ctx, []string{root.ID})
	if err != nil || len(rs) != 1 || rs[0].UserID != b.ID || rs[0].Emoji != "👍" {
		t.Fatalf("reactions = %v %v", rs, err)
	}
}

// TestChatFindChannelForUser: the one-query lookup agrees with the three it
// replaces (channel, membership, granted role), for a member, a non-member,
// a user granted a role through a team and a missing channel.
func TestChatFindChannelForUser(t *testing.T) {
	st := MustOpenStore(t)
	ctx := context.Background()
	a := MustCreateUser(t, st, "a@example.com", app.RoleMember)
	b := MustCreateUser(t, st, "b@example.com", app.RoleMember)
	ch := chatChannel(t, st, chat.KindPublic, a.ID)
	chatPost(t, st, ch.ID, a.ID, "", "안녕")
	mustUpdate(t, st, func(tx *store.Tx) error {
		_, err := tx.SetMemberRead(ctx, ch.ID, a.ID, 1)
		return err
	})
	wantCh, err := st.FindChannelByID(ctx, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantM, err := st.FindChannelMember(ctx, ch.ID, a.ID)
	if err != nil || wantM == nil {
		t.Fatalf("member: %v %v", wantM, err)
	}
	grantedTo := func(userID string) authz.ResourceRole {
		t.Helper()
		r, err := st.GrantedRole(ctx, userID, authz.Channel, ch.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	gotCh, gotM, gotRole, err := st.FindChannelForUser(ctx, ch.ID, a.ID)
	if err != nil || !reflect.DeepEqual(gotCh, wantCh) || !reflect.DeepEqual(gotM, wantM) || gotRole != grantedTo(a.ID) {
		t.Fatalf("member: %+v %+v %q %v\nwant %+v %+v %q", gotCh, gotM, gotRole, err, wantCh, wantM, grantedTo(a.ID))
	}
	gotCh, gotM, gotRole, err = st.FindChannelForUser(ctx, ch.ID, b.ID)
	if err != nil || !reflect.DeepEqual(gotCh, wantCh) || gotM != nil || gotRole != authz.NoRole {
		t.Fatalf("non-member: %+v %+v %q %v", gotCh, gotM, gotRole, err)
	}
	// A grant to one of b's teams counts, as in every permission check.
	team := app.NewID()
	mustUpdate(t, st, func(tx *store.Tx) error {
		if err := tx.CreateTeam(ctx, &authz.Team{ID: team, Name: "Ops", CreatedAt: tx.Now(), UpdatedAt: tx.Now()}); err != nil {
			return err
		}
		if _, err := tx.AddTeamMember(ctx, team, b.ID); err != nil {
			return err
		}
		return tx.PutGrant(ctx, authz.Grant{ResourceType: authz.Channel, ResourceID: ch.ID,
			Grantee: authz.Grantee{Type: authz.GranteeTeam, ID: team}, Role: authz.Manager})
	})
	if _, gotM, gotRole, err = st.FindChannelForUser(ctx, ch.ID, b.ID); err != nil || gotM != nil ||
		gotRole != authz.Manager || gotRole != grantedTo(b.ID) {
		t.Fatalf("team grant: %+v %q %v, want manager", gotM, gotRole, err)
	}
	if _, _, _, err := st.FindChannelForUser(ctx, app.NewID(), a.ID); !app.IsNotFound(err) {
		t.Fatalf("missing channel: %v", err)
	}
}
