package api_test

import (
	"context"
	"net"
	"testing"
	"time"

	"nexus/app"
)

// Document and space events reach only those who may view the space, at
// the moment of delivery.
func TestKBRealtimeFollowsSpacePermissions(t *testing.T) {
	base := newHarness(t, options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go base.srv.Serve(ln)
	t.Cleanup(func() { base.srv.Shutdown(2 * time.Second) })
	h := &rtHarness{harness: base, rt: realtimeOf(base), addr: ln.Addr().String()}
	ownerTok := accessToken(t, h.setup())
	owner := bearer(ownerTok)
	memberID, memberTok := h.accessUser(app.RoleMember, "이서연")
	_, guestTok := h.accessUser(app.RoleGuest, "Guest")

	org := h.kbSpace(owner, "Org", "org")
	secret := h.kbSpace(owner, "Secret", "members")
	// Connect only once everything so far has gone out, so each socket
	// starts with the events below.
	h.waitFannedOut(h.latestSeq())
	ownerWS, _ := h.connect(ownerTok)
	memberWS, _ := h.connect(memberTok)
	guestWS, _ := h.connect(guestTok)

	h.kbDoc(owner, secret, "", "비밀 문서", "x")
	if f := ownerWS.nextEvent(); f["type"] != app.EventDocumentCreated {
		t.Fatalf("owner got %v", f)
	}
	memberWS.quiet(300 * time.Millisecond)

	doc := h.kbDoc(owner, org, "", "공개 문서", "y")["id"].(string)
	for name, ws := range map[string]*wsClient{"owner": ownerWS, "member": memberWS} {
		if f := ws.nextEvent(); f["type"] != app.EventDocumentCreated || f["resource_id"] != doc {
			t.Fatalf("%s got %v", name, f)
		}
	}
	guestWS.quiet(300 * time.Millisecond)

	// Moving the document into the members-only space: from then on the
	// member hears nothing about it, unless granted.
	h.kbDo("POST", "/api/v1/documents/"+doc+"/move", map[string]any{"space_id": secret}, owner, 200)
	ownerWS.nextEvent()
	memberWS.quiet(300 * time.Millisecond)
	h.kbGrant(owner, secret, memberID, "viewer")
	ownerWS.nextEvent() // access.granted
	if f := memberWS.nextEvent(); f["type"] != app.EventAccessGranted {
		t.Fatalf("member got %v", f)
	}
	h.kbDo("PUT", "/api/v1/documents/"+doc, map[string]any{"body": "z", "version": 1}, owner, 200)
	if f := memberWS.nextEvent(); f["type"] != app.EventDocumentUpdated {
		t.Fatalf("member got %v", f)
	}
	guestWS.quiet(300 * time.Millisecond)
}

// latestSeq is the newest committed outbox sequence.
func (h *rtHarness) latestSeq() int64 {
	h.t.Helper()
	var seq int64
	for {
		events, err := h.store.OutboxEvents(context.Background(), seq, 1000)
		if err != nil {
			h.t.Fatal(err)
		}
		if len(events) == 0 {
			return seq
		}
		seq = events[len(events)-1].Seq
	}
}
