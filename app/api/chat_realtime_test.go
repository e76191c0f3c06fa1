package api_test

import (
	"testing"

	"nexus/app"
)

// waitEvent reads frames until an event of type typ arrives and returns
// it; any other chat event on the way is returned in skipped.
func waitEvent(c *wsClient, typ string) (map[string]any, []string) {
	c.t.Helper()
	var skipped []string
	for {
		f := c.nextEvent()
		if f["type"] == typ {
			return f, skipped
		}
		t, _ := f["type"].(string)
		skipped = append(skipped, t)
	}
}

// TestChatRealtimeDelivery drives chat through real WebSocket clients: a
// member receives what is posted in the channel, a user who is not a
// member does not, a mention reaches only the mentioned person, and a
// removed member stops receiving with the very next event.
func TestChatRealtimeDelivery(t *testing.T) {
	h := newRTHarness(t, nil)
	chatVisibility(chatServiceOf(h.harness), h.rt.gateway)
	ownerAccess := accessToken(t, h.setup())
	owner := chatter{hdr: bearer(ownerAccess)}
	aliceID, aliceAccess := h.accessUser(app.RoleMember, "이서연")
	bobID, bobAccess := h.accessUser(app.RoleMember, "박지훈")
	_, carolAccess := h.accessUser(app.RoleMember, "최유나")
	alice, bob := chatter{id: aliceID, hdr: bearer(aliceAccess)}, chatter{id: bobID, hdr: bearer(bobAccess)}

	general := h.newChannel(owner, "일반", "public")
	side := h.newChannel(owner, "잡담", "public")
	for _, ch := range []string{general, side} {
		for _, who := range []chatter{alice, bob} {
			h.expect(h.request("POST", "/api/v1/channels/"+ch+"/join", nil, who.hdr), 200, "join")
		}
	}
	a, _ := h.connect(aliceAccess)
	b, _ := h.connect(bobAccess)
	c, _ := h.connect(carolAccess)

	posted := h.postMessage(owner, general, "실시간 테스트 @이서연")
	for name, cl := range map[string]*wsClient{"alice": a, "bob": b} {
		f, _ := waitEvent(cl, "message.created")
		data, _ := f["data"].(map[string]any)
		msg, _ := data["message"].(map[string]any)
		if f["resource_type"] != "channel" || f["resource_id"] != general || f["seq"] == nil ||
			msg["id"] != posted["id"] || msg["body"] != "실시간 테스트 @이서연" || msg["html"] == "" {
			t.Fatalf("%s got %v", name, f)
		}
	}
	// The mention is alice's alone.
	n, _ := waitEvent(a, "notification.created")
	if d := n["data"].(map[string]any); d["user_id"] != aliceID || d["notification"].(map[string]any)["kind"] != "mention" {
		t.Fatalf("alice's notification = %v", n)
	}
	// A reaction and a thread reply show up live too.
	h.expect(h.request("POST", "/api/v1/messages/"+posted["id"].(string)+"/reactions", map[string]any{"emoji": "🎉"}, alice.hdr), 200, "react")
	if f, _ := waitEvent(b, "reaction.added"); f["data"].(map[string]any)["emoji"] != "🎉" {
		t.Fatalf("bob's reaction event = %v", f)
	}
	h.reply(bob, general, posted["id"].(string), "확인했습니다")
	if f, _ := waitEvent(a, "thread.updated"); f["data"].(map[string]any)["reply_count"] != float64(1) {
		t.Fatalf("alice's thread event = %v", f)
	}

	// Carol (not a member) got none of it: her first event is from a
	// channel she joins afterwards.
	carol := chatter{hdr: bearer(carolAccess)}
	h.expect(h.request("POST", "/api/v1/channels/"+side+"/join", nil, carol.hdr), 200, "carol joins side")
	marker := h.postMessage(owner, side, "표시")
	f, skipped := waitEvent(c, "message.created")
	if f["data"].(map[string]any)["message"].(map[string]any)["id"] != marker["id"] {
		t.Fatalf("carol got %v", f)
	}
	for _, typ := range skipped {
		if typ != "member.added" {
			t.Fatalf("carol received %q from a channel she is not in", typ)
		}
	}

	// Bob is removed from general: he hears about his removal, and then
	// nothing more from general.
	h.expect(h.request("DELETE", "/api/v1/channels/"+general+"/members/"+bobID, nil, owner.hdr), 204, "remove bob")
	if f, _ := waitEvent(b, "member.removed"); f["data"].(map[string]any)["user_id"] != bobID {
		t.Fatalf("bob's removal event = %v", f)
	}
	h.postMessage(owner, general, "밥은 못 봐요")
	marker = h.postMessage(owner, side, "표시 2")
	f, skipped = waitEvent(b, "message.created")
	if f["data"].(map[string]any)["message"].(map[string]any)["id"] != marker["id"] || len(skipped) != 0 {
		t.Fatalf("bob after removal got %v (skipped %v)", f, skipped)
	}
	for {
		f, _ := waitEvent(a, "message.created")
		if f["data"].(map[string]any)["message"].(map[string]any)["body"] == "밥은 못 봐요" {
			break // alice, still a member, got it
		}
	}

	// Typing: members only.
	a.send(map[string]any{"type": "typing", "channel_id": general})
	if f, _ := waitEvent(a, "typing"); f["data"].(map[string]any)["user_id"] != aliceID {
		t.Fatalf("typing = %v", f)
	}
}
