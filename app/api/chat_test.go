package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"nexus/app"
)

// chatter is a signed-in user in a chat test.
type chatter struct {
	id   string
	name string
	hdr  header
}

// chatOrg sets up an owner and people with the given roles and names.
func chatOrg(t *testing.T) (*harness, chatter) {
	t.Helper()
	h := newHarness(t, options{})
	access := accessToken(t, h.setup())
	me := h.me(access).json(t)
	return h, chatter{id: me["id"].(string), name: "김민지", hdr: bearer(access)}
}

func (h *harness) chatter(role app.Role, name string) chatter {
	h.t.Helper()
	id, access := h.accessUser(role, name)
	return chatter{id: id, name: name, hdr: bearer(access)}
}

func (h *harness) newChannel(a chatter, name, visibility string) string {
	h.t.Helper()
	ch := h.expect(h.request("POST", "/api/v1/channels", map[string]any{"name": name, "visibility": visibility}, a.hdr), 201, "create channel "+name)
	return ch["id"].(string)
}

func (h *harness) addMember(by chatter, channelID, userID string) {
	h.t.Helper()
	h.expect(h.request("POST", "/api/v1/channels/"+channelID+"/members", map[string]any{"user_id": userID}, by.hdr), 200, "add member")
}

func (h *harness) postMessage(a chatter, channelID, body string) map[string]any {
	h.t.Helper()
	return h.expect(h.request("POST", "/api/v1/channels/"+channelID+"/messages", map[string]any{"body": body}, a.hdr), 201, "post")
}

func (h *harness) reply(a chatter, channelID, parentID, body string) map[string]any {
	h.t.Helper()
	return h.expect(h.request("POST", "/api/v1/channels/"+channelID+"/messages",
		map[string]any{"body": body, "parent_id": parentID}, a.hdr), 201, "reply")
}

func items(m map[string]any) []map[string]any {
	raw, _ := m["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		out = append(out, r.(map[string]any))
	}
	return out
}

func (h *harness) notifications(a chatter) []map[string]any {
	h.t.Helper()
	return items(h.expect(h.request("GET", "/api/v1/notifications", nil, a.hdr), 200, "notifications"))
}

func (h *harness) unreadOf(a chatter, channelID string) map[string]any {
	h.t.Helper()
	for _, u := range items(h.expect(h.request("GET", "/api/v1/unread", nil, a.hdr), 200, "unread")) {
		if u["channel_id"] == channelID {
			return u
		}
	}
	return nil
}

func TestChatChannelPermissions(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	guest := h.chatter(app.RoleGuest, "Guest Kim")

	general := h.newChannel(owner, "일반", "public")
	path := "/api/v1/channels/" + general
	checkError(t, "guest cannot create", h.request("POST", "/api/v1/channels", map[string]any{"name": "x"}, guest.hdr), 403, "forbidden", "", "")
	checkError(t, "name taken (any case)", h.request("POST", "/api/v1/channels", map[string]any{"name": "일반"}, alice.hdr), 409, "conflict", "name", "")
	checkError(t, "bad visibility", h.request("POST", "/api/v1/channels", map[string]any{"name": "y", "visibility": "secret"}, alice.hdr), 400, "invalid", "visibility", "")

	// A member of the organisation sees a public channel and its history
	// without joining, but must join to post.
	first := h.postMessage(owner, general, "환영합니다!")
	got := h.expect(h.request("GET", path, nil, alice.hdr), 200, "member reads public channel")
	if got["is_member"] != false || got["name"] != "일반" || got["member_count"] != float64(1) {
		t.Fatalf("public channel as non-member = %v", got)
	}
	if hist := items(h.expect(h.request("GET", path+"/messages", nil, alice.hdr), 200, "history")); len(hist) != 1 || hist[0]["body"] != "환영합니다!" {
		t.Fatalf("history = %v", hist)
	}
	checkError(t, "post before joining", h.request("POST", path+"/messages", map[string]any{"body": "hi"}, alice.hdr), 403, "forbidden", "", "Join")
	browse := items(h.expect(h.request("GET", "/api/v1/channels?browse=true", nil, alice.hdr), 200, "browse"))
	if len(browse) != 1 || browse[0]["id"] != general {
		t.Fatalf("browse = %v", browse)
	}
	h.expect(h.request("POST", path+"/join", nil, alice.hdr), 200, "join")
	h.postMessage(alice, general, "안녕하세요")
	if mine := items(h.expect(h.request("GET", "/api/v1/channels", nil, alice.hdr), 200, "mine")); len(mine) != 1 || mine[0]["is_member"] != true || mine[0]["role"] != "member" {
		t.Fatalf("my channels = %v", mine)
	}

	// Guests see nothing they were not added to.
	checkError(t, "guest reads public channel", h.request("GET", path, nil, guest.hdr), 404, "not_found", "", "")
	checkError(t, "guest reads a message", h.request("GET", "/api/v1/messages/"+first["id"].(string), nil, guest.hdr), 404, "not_found", "", "")
	checkError(t, "guest joins", h.request("POST", path+"/join", nil, guest.hdr), 404, "not_found", "", "")
	if b := items(h.expect(h.request("GET", "/api/v1/channels?browse=true", nil, guest.hdr), 200, "guest browse")); len(b) != 0 {
		t.Fatalf("guest browse = %v", b)
	}
	// Only a channel admin adds a guest; then the guest reads and posts.
	checkError(t, "member adds guest", h.request("POST", path+"/members", map[string]any{"user_id": guest.id}, alice.hdr), 403, "forbidden", "", "")
	h.addMember(owner, general, guest.id)
	h.expect(h.request("GET", path, nil, guest.hdr), 200, "guest reads after being added")
	h.postMessage(guest, general, "Hello from a guest")
	checkError(t, "guest adds people", h.request("POST", path+"/members", map[string]any{"user_id": bob.id}, guest.hdr), 403, "forbidden", "", "")

	// Private channels exist only for their members — owners included.
	secret := h.newChannel(alice, "비밀 프로젝트", "private")
	spath := "/api/v1/channels/" + secret
	msg := h.postMessage(alice, secret, "기밀")
	for name, who := range map[string]chatter{"member": bob, "owner": owner, "guest": guest} {
		checkError(t, name+" reads private channel", h.request("GET", spath, nil, who.hdr), 404, "not_found", "", "")
		checkError(t, name+" reads private history", h.request("GET", spath+"/messages", nil, who.hdr), 404, "not_found", "", "")
		checkError(t, name+" reads private message", h.request("GET", "/api/v1/messages/"+msg["id"].(string), nil, who.hdr), 404, "not_found", "", "")
		checkError(t, name+" joins private channel", h.request("POST", spath+"/join", nil, who.hdr), 404, "not_found", "", "")
		checkError(t, name+" reacts in private channel", h.request("POST", "/api/v1/messages/"+msg["id"].(string)+"/reactions", map[string]any{"emoji": "👍"}, who.hdr), 404, "not_found", "", "")
	}
	for _, c := range items(h.expect(h.request("GET", "/api/v1/channels?browse=true", nil, owner.hdr), 200, "owner browse")) {
		if c["id"] == secret {
			t.Fatal("the owner can browse a private channel they are not in")
		}
	}
	h.addMember(alice, secret, bob.id)
	if got := h.expect(h.request("GET", spath, nil, bob.hdr), 200, "bob reads after being added"); got["role"] != "member" || got["can_manage"] != false {
		t.Fatalf("bob's view = %v", got)
	}
	checkError(t, "member renames", h.request("PATCH", spath, map[string]any{"name": "x", "version": 1}, bob.hdr), 403, "forbidden", "", "")
	upd := h.expect(h.request("PATCH", spath, map[string]any{"topic": "출시 준비", "version": 1}, bob.hdr), 200, "member sets topic")
	if upd["topic"] != "출시 준비" || upd["version"] != float64(2) {
		t.Fatalf("topic update = %v", upd)
	}
	stale := h.request("PATCH", spath, map[string]any{"purpose": "x", "version": 1}, alice.hdr)
	checkError(t, "stale version", stale, 409, "conflict", "", "")
	checkError(t, "member removes admin", h.request("DELETE", spath+"/members/"+alice.id, nil, bob.hdr), 403, "forbidden", "", "")
	checkError(t, "last admin leaves", h.request("POST", spath+"/leave", nil, alice.hdr), 409, "conflict", "", "admin")
	h.expect(h.request("DELETE", spath+"/members/"+bob.id, nil, alice.hdr), 204, "remove bob")
	checkError(t, "bob after removal", h.request("GET", spath, nil, bob.hdr), 404, "not_found", "", "")
	if n := len(h.audit(app.ActionChannelMemberRemoved)); n != 1 {
		t.Fatalf("member_removed audit rows = %d", n)
	}
	if n := len(h.audit(app.ActionChannelMemberAdded)); n < 3 {
		t.Fatalf("member_added audit rows = %d", n)
	}

	// Archive: read-only, audited, channel admins only.
	checkError(t, "member archives", h.request("POST", path+"/archive", nil, alice.hdr), 403, "forbidden", "", "")
	arch := h.expect(h.request("POST", path+"/archive", nil, owner.hdr), 200, "archive")
	if arch["archived_at"] == nil {
		t.Fatalf("archived = %v", arch)
	}
	checkError(t, "post in archived", h.request("POST", path+"/messages", map[string]any{"body": "x"}, alice.hdr), 409, "conflict", "", "archived")
	if len(h.audit(app.ActionChannelArchived)) != 1 {
		t.Fatal("archive not audited")
	}
	h.expect(h.request("POST", path+"/unarchive", nil, owner.hdr), 200, "unarchive")
	h.postMessage(alice, general, "다시 열렸네요")
}

func TestChatTeams(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	carol := h.chatter(app.RoleMember, "최유나")
	team := h.expect(h.request("POST", "/api/v1/teams", map[string]any{"name": "디자인팀"}, owner.hdr), 201, "team")["id"].(string)
	h.expect(h.request("POST", "/api/v1/teams/"+team+"/members", map[string]any{"user_id": bob.id}, owner.hdr), 204, "team member")

	ch := h.newChannel(alice, "디자인", "private")
	checkError(t, "both ids", h.request("POST", "/api/v1/channels/"+ch+"/members", map[string]any{"user_id": bob.id, "team_id": team}, alice.hdr), 400, "invalid", "", "")
	added := h.expect(h.request("POST", "/api/v1/channels/"+ch+"/members", map[string]any{"team_id": team}, alice.hdr), 200, "add team")
	if ids, _ := added["added"].([]any); len(ids) != 1 || ids[0] != bob.id {
		t.Fatalf("added = %v", added)
	}
	h.expect(h.request("GET", "/api/v1/channels/"+ch, nil, bob.hdr), 200, "team member reads")
	// Someone who joins the team later finds the channel and may join it.
	h.expect(h.request("POST", "/api/v1/teams/"+team+"/members", map[string]any{"user_id": carol.id}, owner.hdr), 204, "later team member")
	checkError(t, "not a member yet", h.request("GET", "/api/v1/channels/"+ch, nil, carol.hdr), 404, "not_found", "", "")
	found := false
	for _, c := range items(h.expect(h.request("GET", "/api/v1/channels?browse=true", nil, carol.hdr), 200, "browse")) {
		found = found || c["id"] == ch
	}
	if !found {
		t.Fatal("a team member cannot find the team's private channel")
	}
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, carol.hdr), 200, "join through team")
	members := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/members", nil, carol.hdr), 200, "members"))
	if len(members) != 3 {
		t.Fatalf("members = %v", members)
	}
	// Withdrawing the team keeps its members in the channel.
	h.expect(h.request("DELETE", "/api/v1/channels/"+ch+"/members/"+team, nil, alice.hdr), 204, "remove team")
	h.expect(h.request("GET", "/api/v1/channels/"+ch, nil, bob.hdr), 200, "bob stays")
	if len(h.audit(app.ActionChannelTeamAdded)) != 1 || len(h.audit(app.ActionChannelTeamRemoved)) != 1 {
		t.Fatal("team changes not audited")
	}
}

func TestChatDirectMessages(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	carol := h.chatter(app.RoleMember, "최유나")

	dm := h.expect(h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{bob.id}}, alice.hdr), 201, "open dm")
	id := dm["id"].(string)
	if dm["kind"] != "dm" || len(dm["members"].([]any)) != 2 {
		t.Fatalf("dm = %v", dm)
	}
	again := h.expect(h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{alice.id, bob.id, bob.id}}, bob.hdr), 200, "same people")
	if again["id"] != id {
		t.Fatalf("the same people got another DM: %v", again)
	}
	h.postMessage(alice, id, "점심 같이 먹을래요?")
	h.postMessage(bob, id, "좋아요 🍜")
	for name, who := range map[string]chatter{"outsider": carol, "owner": owner} {
		checkError(t, name+" reads a DM", h.request("GET", "/api/v1/channels/"+id+"/messages", nil, who.hdr), 404, "not_found", "", "")
		checkError(t, name+" posts in a DM", h.request("POST", "/api/v1/channels/"+id+"/messages", map[string]any{"body": "x"}, who.hdr), 404, "not_found", "", "")
	}
	checkError(t, "add to DM", h.request("POST", "/api/v1/channels/"+id+"/members", map[string]any{"user_id": carol.id}, alice.hdr), 400, "invalid", "", "")
	checkError(t, "leave DM", h.request("POST", "/api/v1/channels/"+id+"/leave", nil, alice.hdr), 400, "invalid", "", "")
	checkError(t, "DM with nobody", h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{alice.id}}, alice.hdr), 400, "invalid", "user_ids", "")
	checkError(t, "DM with unknown user", h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{"nobody"}}, alice.hdr), 404, "not_found", "user_ids", "")
	dms := items(h.expect(h.request("GET", "/api/v1/dms", nil, bob.hdr), 200, "list dms"))
	if len(dms) != 1 || dms[0]["id"] != id {
		t.Fatalf("bob's dms = %v", dms)
	}
	// Every message of a DM notifies the others, and counts as a mention.
	h.postMessage(alice, id, "12시   어때요?\n강남역에서")
	if n := h.notifications(bob); len(n) != 2 || n[0]["kind"] != "dm" || n[0]["excerpt"] != "12시 어때요? 강남역에서" {
		t.Fatalf("bob's notifications = %v", n)
	}
	if u := h.unreadOf(bob, id); u["unread"] != float64(1) || u["mentions"] != float64(1) {
		t.Fatalf("bob's unread = %v", u)
	}

	// Group DMs: at most 8 people including you.
	var seven []string
	for i := range 7 {
		seven = append(seven, h.chatter(app.RoleMember, fmt.Sprintf("사람%d", i)).id)
	}
	group := h.expect(h.request("POST", "/api/v1/dms", map[string]any{"user_ids": seven}, alice.hdr), 201, "group of 8")
	if len(group["members"].([]any)) != 8 {
		t.Fatalf("group = %v", group)
	}
	checkError(t, "group of 9", h.request("POST", "/api/v1/dms", map[string]any{"user_ids": append(seven, bob.id)}, alice.hdr), 400, "invalid", "user_ids", "")

	// Guests may write only to people they share a channel with.
	guest := h.chatter(app.RoleGuest, "Guest Lee")
	checkError(t, "guest DMs a stranger", h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{alice.id}}, guest.hdr), 403, "forbidden", "", "")
	ch := h.newChannel(alice, "외부 협업", "private")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/members", map[string]any{"user_id": guest.id}, alice.hdr), 200, "add guest")
	h.expect(h.request("POST", "/api/v1/dms", map[string]any{"user_ids": []string{alice.id}}, guest.hdr), 201, "guest DMs a colleague")
}

func TestChatThreadsAndFollow(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	ch := h.newChannel(owner, "개발", "public")
	for _, who := range []chatter{alice, bob} {
		h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, who.hdr), 200, "join")
	}
	root := h.postMessage(alice, ch, "배포 언제 하나요?")
	rootID := root["id"].(string)
	r1 := h.reply(bob, ch, rootID, "오늘 오후요")
	if r1["parent_id"] != rootID {
		t.Fatalf("reply = %v", r1)
	}
	// A reply to a reply joins the root's thread.
	r2 := h.reply(owner, ch, r1["id"].(string), "3시에 합니다")
	if r2["parent_id"] != rootID {
		t.Fatalf("nested reply parent = %v", r2["parent_id"])
	}
	got := h.expect(h.request("GET", "/api/v1/messages/"+rootID, nil, alice.hdr), 200, "root")
	parts, _ := got["participants"].([]any)
	if got["reply_count"] != float64(2) || got["last_reply_at"] == nil || len(parts) != 2 ||
		parts[0].(map[string]any)["id"] != bob.id || got["following"] != true {
		t.Fatalf("root = %v", got)
	}
	// Replies stay out of the channel history.
	if hist := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/messages", nil, alice.hdr), 200, "history")); len(hist) != 1 {
		t.Fatalf("history = %v", hist)
	}
	thread := h.expect(h.request("GET", "/api/v1/messages/"+rootID+"/thread", nil, bob.hdr), 200, "thread")
	if rs := items(thread); len(rs) != 2 || rs[0]["body"] != "오늘 오후요" || thread["root"].(map[string]any)["id"] != rootID {
		t.Fatalf("thread = %v", thread)
	}
	// The author followed from the first reply; each replier follows.
	kinds := func(a chatter) []string {
		var out []string
		for _, n := range h.notifications(a) {
			out = append(out, n["kind"].(string))
		}
		return out
	}
	if k := kinds(alice); len(k) != 2 || k[0] != "reply" {
		t.Fatalf("alice = %v", k)
	}
	if k := kinds(bob); len(k) != 1 || k[0] != "reply" {
		t.Fatalf("bob = %v", k)
	}
	// Unfollowing stops them; following again brings them back.
	h.expect(h.request("DELETE", "/api/v1/messages/"+rootID+"/follow", nil, alice.hdr), 204, "unfollow")
	h.reply(bob, ch, rootID, "리허설도 해요")
	if k := kinds(alice); len(k) != 2 {
		t.Fatalf("alice after unfollowing = %v", k)
	}
	if f := h.expect(h.request("GET", "/api/v1/messages/"+rootID, nil, alice.hdr), 200, "root")["following"]; f != false {
		t.Fatalf("following after unfollow = %v", f)
	}
	h.expect(h.request("PUT", "/api/v1/messages/"+rootID+"/follow", nil, alice.hdr), 204, "follow")
	h.reply(owner, ch, rootID, "네")
	if k := kinds(alice); len(k) != 3 {
		t.Fatalf("alice after following again = %v", k)
	}
	// A thread reply is not an unread channel message.
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) {
		t.Fatalf("alice unread = %v", u)
	}
}

func TestChatReactionsAndPins(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	ch := h.newChannel(owner, "잡담", "public")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, alice.hdr), 200, "join")
	msg := h.postMessage(owner, ch, "금요일 회식!")
	rpath := "/api/v1/messages/" + msg["id"].(string) + "/reactions"

	for _, e := range []string{"👍", "❤️", "👍🏽", "👨‍👩‍👧", "🇰🇷", "1️⃣", ":party_parrot:"} {
		r := h.expect(h.request("POST", rpath, map[string]any{"emoji": e}, alice.hdr), 200, "react "+e)
		if r["added"] != true {
			t.Fatalf("react %q = %v", e, r)
		}
	}
	for _, bad := range []string{"", "좋아요", "👍👍", "a", "<b>", ":Bad Code:", "👍x"} {
		checkError(t, "emoji "+bad, h.request("POST", rpath, map[string]any{"emoji": bad}, alice.hdr), 400, "invalid", "emoji", "")
	}
	r := h.expect(h.request("POST", rpath, map[string]any{"emoji": "👍"}, owner.hdr), 200, "owner reacts")
	var thumbs map[string]any
	for _, g := range r["reactions"].([]any) {
		if g.(map[string]any)["emoji"] == "👍" {
			thumbs = g.(map[string]any)
		}
	}
	if thumbs == nil || thumbs["count"] != float64(2) || thumbs["me"] != true || len(thumbs["users"].([]any)) != 2 {
		t.Fatalf("👍 = %v", thumbs)
	}
	off := h.expect(h.request("POST", rpath, map[string]any{"emoji": "👍"}, alice.hdr), 200, "toggle off")
	if off["added"] != false {
		t.Fatalf("toggle off = %v", off)
	}
	who := items(h.expect(h.request("GET", rpath, nil, alice.hdr), 200, "who reacted"))
	for _, g := range who {
		if g["emoji"] == "👍" && (g["count"] != float64(1) || g["me"] != false ||
			g["users"].([]any)[0].(map[string]any)["name"] != "김민지") {
			t.Fatalf("👍 after toggling off = %v", g)
		}
	}
	if len(who) != 7 {
		t.Fatalf("reaction groups = %d", len(who))
	}

	// Pins.
	mid := msg["id"].(string)
	pinned := h.expect(h.request("PUT", "/api/v1/messages/"+mid+"/pin", nil, alice.hdr), 200, "pin")
	if pinned["pinned_at"] == nil || pinned["pinned_by"] != alice.id {
		t.Fatalf("pinned = %v", pinned)
	}
	other := h.postMessage(alice, ch, "장소는 강남역")
	h.expect(h.request("PUT", "/api/v1/messages/"+other["id"].(string)+"/pin", nil, owner.hdr), 200, "pin 2")
	pins := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/pins", nil, alice.hdr), 200, "pins"))
	if len(pins) != 2 || pins[0]["id"] != other["id"] {
		t.Fatalf("pins = %v", pins)
	}
	h.expect(h.request("DELETE", "/api/v1/messages/"+mid+"/pin", nil, alice.hdr), 200, "unpin")
	if pins := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/pins", nil, alice.hdr), 200, "pins")); len(pins) != 1 {
		t.Fatalf("pins after unpin = %v", pins)
	}
}

func TestChatEditAndDelete(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	ch := h.newChannel(alice, "기획", "public")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, bob.hdr), 200, "join")
	msg := h.postMessage(bob, ch, "회의는 3시")
	mpath := "/api/v1/messages/" + msg["id"].(string)
	if msg["edited_at"] != nil {
		t.Fatalf("new message edited_at = %v", msg["edited_at"])
	}
	checkError(t, "someone else edits", h.request("PATCH", mpath, map[string]any{"body": "x"}, alice.hdr), 403, "forbidden", "", "")
	ed := h.expect(h.request("PATCH", mpath, map[string]any{"body": "회의는 4시로 변경"}, bob.hdr), 200, "edit")
	if ed["body"] != "회의는 4시로 변경" || ed["edited_at"] == nil || !strings.Contains(ed["html"].(string), "4시") {
		t.Fatalf("edited = %v", ed)
	}
	h.expect(h.request("PATCH", mpath, map[string]any{"body": "회의는 5시"}, bob.hdr), 200, "edit again")
	// Previous versions: channel managers and organisation admins only.
	checkError(t, "author reads history", h.request("GET", mpath+"/edits", nil, bob.hdr), 403, "forbidden", "", "")
	edits := items(h.expect(h.request("GET", mpath+"/edits", nil, owner.hdr), 200, "owner reads history"))
	if len(edits) != 2 || edits[0]["body"] != "회의는 4시로 변경" || edits[1]["body"] != "회의는 3시" || edits[0]["kind"] != "edit" {
		t.Fatalf("edits = %v", edits)
	}
	h.expect(h.request("GET", mpath+"/edits", nil, alice.hdr), 200, "channel admin reads history")

	// Soft delete by the author: a placeholder without the text.
	h.expect(h.request("DELETE", mpath, nil, bob.hdr), 204, "delete")
	del := h.expect(h.request("GET", mpath, nil, alice.hdr), 200, "deleted message")
	if del["deleted"] != true || del["body"] != "" || del["html"] != "" || del["deleted_at"] == nil {
		t.Fatalf("deleted = %v", del)
	}
	hist := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/messages", nil, alice.hdr), 200, "history"))
	if len(hist) != 1 || hist[0]["deleted"] != true || hist[0]["body"] != "" {
		t.Fatalf("history after delete = %v", hist)
	}
	checkError(t, "edit deleted", h.request("PATCH", mpath, map[string]any{"body": "x"}, bob.hdr), 409, "conflict", "", "")
	if edits := items(h.expect(h.request("GET", mpath+"/edits", nil, owner.hdr), 200, "history")); len(edits) != 3 || edits[0]["kind"] != "delete" {
		t.Fatalf("edits after delete = %v", edits)
	}
	if n := len(h.audit(app.ActionMessageModerated)); n != 0 {
		t.Fatalf("author's own delete audited as moderation: %d", n)
	}

	// Moderation: a channel admin deletes someone else's message (audited);
	// a member may not.
	third := h.postMessage(bob, ch, "스팸")
	tpath := "/api/v1/messages/" + third["id"].(string)
	carol := h.chatter(app.RoleMember, "최유나")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, carol.hdr), 200, "join")
	checkError(t, "member deletes another's message", h.request("DELETE", tpath, nil, carol.hdr), 403, "forbidden", "", "")
	h.expect(h.request("DELETE", tpath, nil, alice.hdr), 204, "moderator delete")
	if rows := h.audit(app.ActionMessageModerated); len(rows) != 1 || rows[0].ActorID != alice.id || rows[0].Details["author_id"] != bob.id {
		t.Fatalf("moderation audit = %v", rows)
	}
}

func TestChatMentionsAndNotifications(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	carol := h.chatter(app.RoleMember, "Carol Park")
	outsider := h.chatter(app.RoleMember, "정하늘")
	ch := h.newChannel(owner, "공지", "public")
	for _, who := range []chatter{alice, bob, carol} {
		h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, who.hdr), 200, "join")
	}

	// @name resolves Korean names and "First Last" without the space; people
	// outside the channel are rendered but not notified.
	m := h.postMessage(alice, ch, "@박지훈 @CarolPark @정하늘 @nobody 확인 부탁해요")
	if ids, _ := m["mentions"].([]any); len(ids) != 3 {
		t.Fatalf("mentions = %v", m["mentions"])
	}
	if !strings.Contains(m["html"].(string), "박지훈") {
		t.Fatalf("html = %s", m["html"])
	}
	for _, who := range []chatter{bob, carol} {
		n := h.notifications(who)
		if len(n) != 1 || n[0]["kind"] != "mention" || n[0]["channel_id"] != ch || n[0]["message_id"] != m["id"] ||
			n[0]["actor"].(map[string]any)["id"] != alice.id || n[0]["channel_name"] != "공지" {
			t.Fatalf("%s notifications = %v", who.name, n)
		}
		if u := h.unreadOf(who, ch); u["mentions"] != float64(1) || u["unread"] != float64(1) {
			t.Fatalf("%s unread = %v", who.name, u)
		}
	}
	if n := h.notifications(outsider); len(n) != 0 {
		t.Fatalf("a non-member was notified: %v", n)
	}
	if n := h.notifications(alice); len(n) != 0 {
		t.Fatalf("the author was notified: %v", n)
	}

	// @channel reaches every member; @here only those online.
	h.postMessage(owner, ch, "@channel 내일 휴무입니다")
	for _, who := range []chatter{alice, bob, carol} {
		if n := h.notifications(who); n[0]["kind"] != "channel" {
			t.Fatalf("%s after @channel = %v", who.name, n)
		}
	}
	chatServiceOf(h).SetPresence(fakePresence{bob.id: "online", carol.id: "away"})
	h.postMessage(owner, ch, "@here 잠깐 모일까요?")
	if n := h.notifications(bob); len(n) != 3 || n[0]["kind"] != "here" {
		t.Fatalf("bob after @here = %v", n)
	}
	if n := h.notifications(carol); len(n) != 2 {
		t.Fatalf("carol (away) after @here = %v", n)
	}
	members := items(h.expect(h.request("GET", "/api/v1/channels/"+ch+"/members?q=박", nil, alice.hdr), 200, "autocomplete"))
	if len(members) != 1 || members[0]["user"].(map[string]any)["id"] != bob.id || members[0]["presence"] != "online" || members[0]["handle"] != "박지훈" {
		t.Fatalf("autocomplete = %v", members)
	}

	// Notification centre: unread count and marking read.
	page := h.expect(h.request("GET", "/api/v1/notifications", nil, bob.hdr), 200, "page")
	if page["unread_count"] != float64(3) {
		t.Fatalf("unread_count = %v", page["unread_count"])
	}
	first := items(page)[0]["id"].(string)
	h.expect(h.request("POST", "/api/v1/notifications/read", map[string]any{"ids": []string{first}}, bob.hdr), 200, "read one")
	if p := h.expect(h.request("GET", "/api/v1/notifications?unread=true", nil, bob.hdr), 200, "unread only"); p["unread_count"] != float64(2) || len(items(p)) != 2 {
		t.Fatalf("after reading one = %v", p)
	}
	read := h.expect(h.request("POST", "/api/v1/notifications/read", map[string]any{"all": true}, bob.hdr), 200, "read all")
	if read["marked"] != float64(2) {
		t.Fatalf("read all = %v", read)
	}
	paged := h.expect(h.request("GET", "/api/v1/notifications?limit=2", nil, bob.hdr), 200, "limit 2")
	if len(items(paged)) != 2 || paged["next_cursor"] == "" {
		t.Fatalf("paged = %v", paged)
	}
	rest := h.expect(h.request("GET", "/api/v1/notifications?limit=2&cursor="+paged["next_cursor"].(string), nil, bob.hdr), 200, "page 2")
	if len(items(rest)) != 1 || rest["next_cursor"] != "" {
		t.Fatalf("page 2 = %v", rest)
	}

	// An edit that adds a mention notifies only the newly mentioned.
	plain := h.postMessage(bob, ch, "검토 부탁")
	before := len(h.notifications(alice))
	h.expect(h.request("PATCH", "/api/v1/messages/"+plain["id"].(string), map[string]any{"body": "@이서연 검토 부탁"}, bob.hdr), 200, "edit")
	if n := h.notifications(alice); len(n) != before+1 || n[0]["kind"] != "mention" {
		t.Fatalf("alice after edit mention = %v", n)
	}
	h.expect(h.request("PATCH", "/api/v1/messages/"+plain["id"].(string), map[string]any{"body": "@이서연 검토 부탁드려요"}, bob.hdr), 200, "edit again")
	if n := h.notifications(alice); len(n) != before+1 {
		t.Fatalf("re-notified on a second edit: %v", n)
	}
}

type fakePresence map[string]string

func (f fakePresence) Presence(ids []string) map[string]string {
	out := map[string]string{}
	for _, id := range ids {
		if st, ok := f[id]; ok {
			out[id] = st
		}
	}
	return out
}

func TestChatMuteAndPreferences(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	ch := h.newChannel(owner, "알림 테스트", "public")
	for _, who := range []chatter{alice, bob} {
		h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, who.hdr), 200, "join")
	}
	count := func(a chatter) int { return len(h.notifications(a)) }

	// Muted: @channel is silent, a direct @mention still gets through.
	h.expect(h.request("PUT", "/api/v1/channels/"+ch+"/mute", nil, bob.hdr), 204, "mute")
	if got := h.expect(h.request("GET", "/api/v1/channels/"+ch, nil, bob.hdr), 200, "get")["muted"]; got != true {
		t.Fatalf("muted = %v", got)
	}
	h.postMessage(alice, ch, "@channel 공지")
	if n := count(bob); n != 0 {
		t.Fatalf("muted channel notified %d times", n)
	}
	if u := h.unreadOf(bob, ch); u["muted"] != true || u["mentions"] != float64(1) {
		t.Fatalf("muted unread = %v", u)
	}
	h.postMessage(alice, ch, "@박지훈 이건 직접")
	if n := count(bob); n != 1 {
		t.Fatalf("direct mention in a muted channel: %d notifications", n)
	}
	h.expect(h.request("DELETE", "/api/v1/channels/"+ch+"/mute", nil, bob.hdr), 204, "unmute")

	// Levels: nothing silences everything; mentions keeps @mentions and DMs
	// but not thread replies; a channel override wins over the default.
	checkError(t, "bad level", h.request("PUT", "/api/v1/notifications/preferences", map[string]any{"notify": "sometimes"}, bob.hdr), 400, "invalid", "notify", "")
	if got := h.expect(h.request("GET", "/api/v1/notifications/preferences", nil, bob.hdr), 200, "prefs")["notify"]; got != "all" {
		t.Fatalf("default level = %v", got)
	}
	h.expect(h.request("PUT", "/api/v1/notifications/preferences", map[string]any{"notify": "none"}, bob.hdr), 200, "none")
	h.postMessage(alice, ch, "@박지훈 안 들리죠?")
	if n := count(bob); n != 1 {
		t.Fatalf("level none still notified: %d", n)
	}
	h.expect(h.request("PUT", "/api/v1/channels/"+ch+"/notify", map[string]any{"notify": "mentions"}, bob.hdr), 204, "override")
	root := h.postMessage(bob, ch, "질문 있어요")
	h.reply(alice, ch, root["id"].(string), "답변입니다")
	if n := count(bob); n != 1 {
		t.Fatalf("mentions level notified a thread reply: %d", n)
	}
	h.postMessage(alice, ch, "@박지훈 이제 들리죠?")
	if n := count(bob); n != 2 {
		t.Fatalf("mentions level missed a mention: %d", n)
	}
	h.expect(h.request("PUT", "/api/v1/channels/"+ch+"/notify", map[string]any{"notify": "all"}, bob.hdr), 204, "override all")
	h.reply(alice, ch, root["id"].(string), "추가 답변")
	if n := count(bob); n != 3 {
		t.Fatalf("all level missed a reply: %d", n)
	}
}

func TestChatUnreadAndMarkRead(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	ch := h.newChannel(owner, "읽음", "public")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, alice.hdr), 200, "join")
	h.postMessage(alice, ch, "제가 쓴 글")
	var seqs []float64
	for i := range 3 {
		seqs = append(seqs, h.postMessage(owner, ch, fmt.Sprintf("공지 %d", i))["seq"].(float64))
	}
	u := h.unreadOf(alice, ch)
	if u["unread"] != float64(3) || u["first_unread_seq"] != seqs[0] || u["last_seq"] != seqs[2] || u["last_read_seq"] != seqs[0]-1 {
		t.Fatalf("unread = %v", u)
	}
	if got := h.expect(h.request("GET", "/api/v1/channels/"+ch, nil, alice.hdr), 200, "channel")["first_unread_seq"]; got != seqs[0] {
		t.Fatalf("channel first_unread_seq = %v", got)
	}
	r := h.expect(h.request("POST", "/api/v1/channels/"+ch+"/read", map[string]any{"seq": seqs[1]}, alice.hdr), 200, "read 2")
	if r["last_read_seq"] != seqs[1] || r["first_unread_seq"] != seqs[2] {
		t.Fatalf("mark read = %v", r)
	}
	if u := h.unreadOf(alice, ch); u["unread"] != float64(1) {
		t.Fatalf("unread after partial read = %v", u)
	}
	// Never backwards.
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/read", map[string]any{"seq": 1}, alice.hdr), 200, "read back")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(1) {
		t.Fatalf("read position went back: %v", u)
	}
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/read", nil, alice.hdr), 200, "read all")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) || u["first_unread_seq"] != float64(0) {
		t.Fatalf("unread after reading all = %v", u)
	}
	// A deleted message is not unread; posting marks your channel read.
	gone := h.postMessage(owner, ch, "잘못 보냄")
	h.expect(h.request("DELETE", "/api/v1/messages/"+gone["id"].(string), nil, owner.hdr), 204, "delete")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) {
		t.Fatalf("deleted message counted: %v", u)
	}
	h.postMessage(owner, ch, "새 글")
	h.postMessage(alice, ch, "답장")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) {
		t.Fatalf("posting did not mark read: %v", u)
	}
	checkError(t, "read by non-member", h.request("POST", "/api/v1/channels/"+ch+"/read", nil, h.chatter(app.RoleMember, "x").hdr), 403, "forbidden", "", "")
}

func TestChatMarkUnread(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	ch := h.newChannel(owner, "다시 읽기", "public")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, alice.hdr), 200, "join")
	first := h.postMessage(owner, ch, "첫 공지")
	second := h.postMessage(owner, ch, "@이서연 확인 부탁해요")
	h.postMessage(owner, ch, "세 번째")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/read", nil, alice.hdr), 200, "read all")

	// Back to just before the second message: it and the third are unread
	// again, and the mention in it counts again.
	r := h.expect(h.request("POST", "/api/v1/messages/"+second["id"].(string)+"/unread", nil, alice.hdr), 200, "mark unread")
	if r["channel_id"] != ch || r["last_read_seq"] != second["seq"].(float64)-1 || r["unread"] != float64(2) ||
		r["mentions"] != float64(1) || r["first_unread_seq"] != second["seq"] {
		t.Fatalf("mark unread = %v", r)
	}
	if u := h.unreadOf(alice, ch); u["unread"] != float64(2) || u["first_unread_seq"] != second["seq"] {
		t.Fatalf("unread after mark unread = %v", u)
	}
	// From the first message: everything.
	h.expect(h.request("POST", "/api/v1/messages/"+first["id"].(string)+"/unread", nil, alice.hdr), 200, "mark unread from the first")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(3) {
		t.Fatalf("unread = %v", u)
	}
	// Reading again works as before.
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/read", nil, alice.hdr), 200, "read all again")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) {
		t.Fatalf("unread = %v", u)
	}

	reply := h.reply(owner, ch, first["id"].(string), "스레드 답글")
	checkError(t, "a thread reply", h.request("POST", "/api/v1/messages/"+reply["id"].(string)+"/unread", nil, alice.hdr), 400, "invalid", "id", "")
	checkError(t, "a non-member", h.request("POST", "/api/v1/messages/"+first["id"].(string)+"/unread", nil, h.chatter(app.RoleMember, "x").hdr), 403, "forbidden", "", "")
	checkError(t, "no such message", h.request("POST", "/api/v1/messages/"+app.NewID()+"/unread", nil, alice.hdr), 404, "not_found", "", "")
	secret := h.newChannel(owner, "비밀", "private")
	hidden := h.postMessage(owner, secret, "비밀 글")
	checkError(t, "a message in a private channel one is not in", h.request("POST", "/api/v1/messages/"+hidden["id"].(string)+"/unread", nil, alice.hdr), 404, "not_found", "", "")
	if u := h.unreadOf(alice, ch); u["unread"] != float64(0) {
		t.Fatalf("a refused request changed the read state: %v", u)
	}
}

func TestChatHistoryPagination(t *testing.T) {
	h, owner := chatOrg(t)
	ch := h.newChannel(owner, "기록", "public")
	var ids []string
	for i := range 30 {
		ids = append(ids, h.postMessage(owner, ch, fmt.Sprintf("메시지 %02d", i))["id"].(string))
	}
	base := "/api/v1/channels/" + ch + "/messages"
	page := func(q string) (map[string]any, []string) {
		r := h.expect(h.request("GET", base+q, nil, owner.hdr), 200, "page "+q)
		var got []string
		for _, m := range items(r) {
			got = append(got, m["id"].(string))
		}
		return r, got
	}
	eq := func(name string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: got %d ids %v, want %v", name, len(got), got, want)
		}
	}
	r, got := page("?limit=10")
	eq("newest", got, ids[20:])
	if r["has_more_before"] != true || r["has_more_after"] != false || r["next_cursor"] != ids[20] {
		t.Fatalf("newest page flags = %v %v %v", r["has_more_before"], r["has_more_after"], r["next_cursor"])
	}
	r, got = page("?limit=10&before=" + ids[20])
	eq("before", got, ids[10:20])
	_, got = page("?limit=10&before=" + ids[10])
	eq("oldest", got, ids[0:10])
	r, got = page("?limit=10&before=" + ids[0])
	if len(got) != 0 || r["has_more_before"] != false {
		t.Fatalf("before the first = %v", r)
	}
	r, got = page("?limit=5&after=" + ids[3])
	eq("after", got, ids[4:9])
	if r["has_more_after"] != true {
		t.Fatal("after: has_more_after")
	}
	r, got = page("?limit=5&after=" + ids[27])
	eq("after near the end", got, ids[28:])
	if r["has_more_after"] != false {
		t.Fatal("after near end: has_more_after")
	}
	r, got = page("?limit=5&around=" + ids[15])
	eq("around", got, ids[13:18])
	if r["has_more_before"] != true || r["has_more_after"] != true {
		t.Fatalf("around flags = %v", r)
	}
	_, got = page("?limit=5&around=" + ids[1])
	eq("around the start", got, ids[0:5])
	// A reply's permalink opens the channel around its root.
	reply := h.reply(owner, ch, ids[15], "스레드 답")
	link := h.expect(h.request("GET", "/api/v1/messages/"+reply["id"].(string)+"/permalink", nil, owner.hdr), 200, "permalink")
	if link["channel_id"] != ch || link["around"] != ids[15] || link["parent_id"] != ids[15] || !strings.Contains(link["url"].(string), reply["id"].(string)) {
		t.Fatalf("permalink = %v", link)
	}
	_, got = page("?limit=3&around=" + reply["id"].(string))
	eq("around a reply", got, ids[14:17])

	checkError(t, "limit over 200", h.request("GET", base+"?limit=201", nil, owner.hdr), 400, "invalid", "limit", "")
	checkError(t, "two cursors", h.request("GET", base+"?before="+ids[1]+"&after="+ids[2], nil, owner.hdr), 400, "invalid", "", "")
	checkError(t, "unknown cursor", h.request("GET", base+"?before=nope", nil, owner.hdr), 400, "invalid", "before", "")
	other := h.newChannel(owner, "다른 곳", "public")
	checkError(t, "cursor from another channel", h.request("GET", "/api/v1/channels/"+other+"/messages?around="+ids[3], nil, owner.hdr), 400, "invalid", "around", "")
	r = h.expect(h.request("GET", base+"?limit=200", nil, owner.hdr), 200, "limit 200")
	if len(items(r)) != 30 || r["has_more_before"] != false {
		t.Fatalf("everything = %d", len(items(r)))
	}
}

func TestChatKoreanRoundTrip(t *testing.T) {
	h, owner := chatOrg(t)
	ch := h.newChannel(owner, "한국어 채널 🇰🇷", "public")
	bodies := []string{
		"안녕하세요, 여러분! 오늘 회의는 **3시**에 시작합니다.",
		"한글과 English를 섞어서 쓰면 mixed 텍스트가 됩니다 — 괜찮죠?",
		"조합형 자모: \u1112\u1161\u11ab\u1100\u1173\u11af (NFD) 그대로",
		"줄바꿈\n\n두 번째 문단\r\n세 번째 줄  ",
		"```go\nfmt.Println(\"안녕\")\n```",
		"이모지 👨‍👩‍👧‍👦 와 특수문자 <script>alert(1)</script> & \"따옴표\"",
	}
	for _, b := range bodies {
		m := h.postMessage(owner, ch, b)
		got := h.expect(h.request("GET", "/api/v1/messages/"+m["id"].(string), nil, owner.hdr), 200, "get")
		if got["body"] != b || m["body"] != b {
			t.Fatalf("round trip:\n got %q\nwant %q", got["body"], b)
		}
		if strings.Contains(got["html"].(string), "<script") {
			t.Fatalf("unsanitized html: %s", got["html"])
		}
	}
	if got := h.expect(h.request("GET", "/api/v1/channels/"+ch, nil, owner.hdr), 200, "channel")["name"]; got != "한국어 채널 🇰🇷" {
		t.Fatalf("channel name = %q", got)
	}
	checkError(t, "empty body", h.request("POST", "/api/v1/channels/"+ch+"/messages", map[string]any{"body": "  \n "}, owner.hdr), 400, "invalid", "body", "")
	checkError(t, "too long", h.request("POST", "/api/v1/channels/"+ch+"/messages", map[string]any{"body": strings.Repeat("가", 16001)}, owner.hdr), 400, "invalid", "body", "")
}

// fakeDocs is a knowledge base for the promotion test when the real one
// is not wired: it records what chat asked for.
type fakeDocs struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeDocs) CreateFromMessage(_ context.Context, p *app.Principal, spaceID, title, body, sourceURL string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if spaceID == "forbidden" {
		return "", &app.Error{Code: app.CodeNotFound, Message: "Space not found."}
	}
	f.calls = append(f.calls, strings.Join([]string{p.User.ID, spaceID, title, body, sourceURL}, "|"))
	return app.NewID(), nil
}

func (f *fakeDocs) Preview(_ context.Context, _ *app.Principal, docID string) (string, string, string, bool) {
	return "문서 " + docID[:4], "요약", "위키", true
}

func TestChatPromoteWithFakeKnowledgeBase(t *testing.T) {
	h, owner := chatOrg(t)
	docs := &fakeDocs{}
	chatServiceOf(h).SetDocuments(docs, docs, nil)
	ch := h.newChannel(owner, "결정", "public")
	msg := h.postMessage(owner, ch, "## 결정 사항\n\n다음 주부터 코드 리뷰는 2명 승인")
	path := "/api/v1/messages/" + msg["id"].(string) + "/promote"
	checkError(t, "no space", h.request("POST", path, map[string]any{"title": "x"}, owner.hdr), 400, "invalid", "space_id", "")
	checkError(t, "space refused", h.request("POST", path, map[string]any{"space_id": "forbidden", "title": "x"}, owner.hdr), 404, "not_found", "", "")
	got := h.expect(h.request("POST", path, map[string]any{"space_id": "sp1", "title": "코드 리뷰 규칙"}, owner.hdr), 201, "promote")
	docID, _ := got["promoted_document_id"].(string)
	if docID == "" || len(docs.calls) != 1 {
		t.Fatalf("promoted = %v calls %v", got, docs.calls)
	}
	parts := strings.Split(docs.calls[0], "|")
	if parts[1] != "sp1" || parts[2] != "코드 리뷰 규칙" || parts[3] != msg["body"] || !strings.Contains(parts[4], msg["id"].(string)) {
		t.Fatalf("CreateFromMessage args = %q", parts)
	}
	checkError(t, "promote twice", h.request("POST", path, map[string]any{"space_id": "sp1"}, owner.hdr), 409, "conflict", "", "")

	// Document links get preview cards (from the previewer, per reader).
	link := h.postMessage(owner, ch, "참고: /kb/doc/"+docID+" 를 보세요")
	if link["has_previews"] != true {
		t.Fatalf("has_previews = %v", link["has_previews"])
	}
	pv, _ := link["previews"].([]any)
	if len(pv) != 1 || pv[0].(map[string]any)["id"] != docID || pv[0].(map[string]any)["url"] != "/kb/doc/"+docID {
		t.Fatalf("previews = %v", link["previews"])
	}
}

func TestChatAnonymousAndUnknown(t *testing.T) {
	h, owner := chatOrg(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/channels"}, {"GET", "/api/v1/unread"}, {"GET", "/api/v1/notifications"}, {"POST", "/api/v1/dms"},
	} {
		checkError(t, "anonymous "+r.path, h.request(r.method, r.path, nil, nil), 401, "unauthorized", "", "")
	}
	checkError(t, "unknown channel", h.request("GET", "/api/v1/channels/"+app.NewID(), nil, owner.hdr), 404, "not_found", "", "")
	checkError(t, "unknown message", h.request("GET", "/api/v1/messages/"+url.PathEscape("없음"), nil, owner.hdr), 404, "not_found", "", "")
}

// TestChatWithKnowledgeBase uses the real knowledge base: promotion creates
// a document linking back to the message, and document links get preview
// cards only for readers who may open the document.
func TestChatWithKnowledgeBase(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	ch := h.newChannel(owner, "위키 연동", "public")
	h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, alice.hdr), 200, "join")
	open := h.expect(h.request("POST", "/api/v1/spaces", map[string]any{"name": "개발 위키", "visibility": "org"}, owner.hdr), 201, "space")["id"].(string)
	closed := h.expect(h.request("POST", "/api/v1/spaces", map[string]any{"name": "임원 회의", "visibility": "members"}, owner.hdr), 201, "private space")["id"].(string)

	h.expect(h.request("POST", "/api/v1/spaces/"+open+"/members", map[string]any{"user_id": alice.id, "role": "editor"}, owner.hdr), 200, "space editor")
	msg := h.postMessage(alice, ch, "배포 절차:\n\n1. 태그\n2. 빌드\n3. 공지")
	checkError(t, "promote into a space alice cannot see", h.request("POST", "/api/v1/messages/"+msg["id"].(string)+"/promote",
		map[string]any{"space_id": closed, "title": "x"}, alice.hdr), 404, "not_found", "", "")
	got := h.expect(h.request("POST", "/api/v1/messages/"+msg["id"].(string)+"/promote",
		map[string]any{"space_id": open, "title": "배포 절차"}, alice.hdr), 201, "promote")
	docID, _ := got["promoted_document_id"].(string)
	doc := h.expect(h.request("GET", "/api/v1/documents/"+docID, nil, alice.hdr), 200, "document")
	body, _ := doc["body"].(string)
	if doc["title"] != "배포 절차" || !strings.HasPrefix(body, msg["body"].(string)) || !strings.Contains(body, "/chat/c/"+ch+"?m="+msg["id"].(string)) {
		t.Fatalf("document = %v", doc)
	}

	// Preview cards, per reader: alice cannot see the closed space's
	// document, the owner (an admin of everything in the knowledge base) can.
	secret := h.expect(h.request("POST", "/api/v1/documents", map[string]any{"space_id": closed, "title": "인수 계획", "body": "극비", "status": "published"}, owner.hdr), 201, "secret doc")["id"].(string)
	link := h.postMessage(owner, ch, "[[배포 절차]] 와 /kb/doc/"+secret+" 참고")
	for who, want := range map[*chatter]int{&alice: 1, &owner: 2} {
		m := h.expect(h.request("GET", "/api/v1/messages/"+link["id"].(string), nil, who.hdr), 200, "message")
		pv, _ := m["previews"].([]any)
		if len(pv) != want || pv[0].(map[string]any)["id"] != docID || pv[0].(map[string]any)["space_name"] != "개발 위키" {
			t.Fatalf("%s previews = %v", who.name, m["previews"])
		}
		if !strings.Contains(m["html"].(string), "/kb/doc/"+docID) {
			t.Fatalf("[[title]] not linked: %s", m["html"])
		}
	}
}

// chatUpload uploads a draft attachment for a channel, as the UI does
// before posting.
func (h *harness) chatUpload(a chatter, channelID, filename string, data []byte) response {
	h.t.Helper()
	body, ct := uploadForm(h.t, "draft", channelID, filename, data, true)
	req := httptest.NewRequest("POST", "/api/v1/attachments", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", a.hdr["Authorization"])
	return h.do(req)
}

func TestChatAttachments(t *testing.T) {
	h, owner := chatOrg(t)
	alice := h.chatter(app.RoleMember, "이서연")
	bob := h.chatter(app.RoleMember, "박지훈")
	carol := h.chatter(app.RoleMember, "최유나")
	ch := h.newChannel(alice, "자료", "private")
	h.addMember(alice, ch, bob.id)
	other := h.newChannel(alice, "다른 채널", "public")

	text := []byte("회의록: 다음 주 월요일까지 검토\n")
	up := h.expect(h.chatUpload(alice, ch, "회의록.txt", text), 201, "upload draft")
	draftID := up["id"].(string)
	checkError(t, "outsider uploads to the channel", h.chatUpload(carol, ch, "x.txt", text), 404, "not_found", "", "")
	// A draft is its uploader's alone until sent.
	checkError(t, "bob reads alice's draft", h.request("GET", "/api/v1/attachments/"+draftID, nil, bob.hdr), 404, "not_found", "", "")
	checkError(t, "bob sends alice's draft", h.request("POST", "/api/v1/channels/"+ch+"/messages",
		map[string]any{"body": "가로채기", "attachment_ids": []string{draftID}}, bob.hdr), 400, "invalid", "attachment_ids", "")
	checkError(t, "sent to another channel", h.request("POST", "/api/v1/channels/"+other+"/messages",
		map[string]any{"body": "다른 곳", "attachment_ids": []string{draftID}}, alice.hdr), 400, "invalid", "attachment_ids", "")
	checkError(t, "unknown attachment", h.request("POST", "/api/v1/channels/"+ch+"/messages",
		map[string]any{"body": "x", "attachment_ids": []string{draftID, app.NewID()}}, alice.hdr), 400, "invalid", "attachment_ids", "")

	// Posting moves the draft to the message, in the message's transaction.
	msg := h.expect(h.request("POST", "/api/v1/channels/"+ch+"/messages",
		map[string]any{"body": "", "attachment_ids": []string{draftID}}, alice.hdr), 201, "post with a file")
	atts, _ := msg["attachments"].([]any)
	if len(atts) != 1 || atts[0].(map[string]any)["id"] != draftID || atts[0].(map[string]any)["name"] != "회의록.txt" ||
		atts[0].(map[string]any)["url"] != "/api/v1/attachments/"+draftID+"/content" {
		t.Fatalf("attachments = %v", msg["attachments"])
	}
	if got := h.expect(h.request("GET", "/api/v1/messages/"+msg["id"].(string), nil, bob.hdr), 200, "bob reads")["attachments"].([]any); len(got) != 1 {
		t.Fatalf("bob sees attachments %v", got)
	}
	// Channel members read it; nobody else, owners included.
	content := h.request("GET", "/api/v1/attachments/"+draftID+"/content", nil, bob.hdr)
	if content.StatusCode != 200 || string(content.body) != string(text) {
		t.Fatalf("bob downloads: %d %q", content.StatusCode, content.body)
	}
	for name, who := range map[string]chatter{"outsider": carol, "owner": owner} {
		checkError(t, name+" downloads", h.request("GET", "/api/v1/attachments/"+draftID+"/content", nil, who.hdr), 404, "not_found", "", "")
	}
	checkError(t, "send it again", h.request("POST", "/api/v1/channels/"+ch+"/messages",
		map[string]any{"body": "again", "attachment_ids": []string{draftID}}, alice.hdr), 400, "invalid", "attachment_ids", "")
	// A deleted message's files are gone with it.
	h.expect(h.request("DELETE", "/api/v1/messages/"+msg["id"].(string), nil, alice.hdr), 204, "delete")
	checkError(t, "file of a deleted message", h.request("GET", "/api/v1/attachments/"+draftID+"/content", nil, bob.hdr), 404, "not_found", "", "")
	if got := h.expect(h.request("GET", "/api/v1/messages/"+msg["id"].(string), nil, bob.hdr), 200, "deleted")["attachments"].([]any); len(got) != 0 {
		t.Fatalf("deleted message shows files %v", got)
	}
}
