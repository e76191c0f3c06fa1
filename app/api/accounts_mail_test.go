package api_test

import (
	"strings"
	"testing"

	"nexus/app"
)

func TestMailOutboxAPI(t *testing.T) {
	h := newHarness(t, options{})
	owner, _ := h.accOwner()
	_, admin := h.accUser("admin@example.com", "Admin", app.RoleAdmin)
	_, member := h.accUser("member@example.com", "Member", app.RoleMember)

	h.accInviteToken(admin, "a@example.com", "member")
	h.accInviteToken(owner, "b@example.com", "owner") // restricted: an invitation to become an owner
	h.accResetToken(ownerEmail)                       // restricted: a reset link for an owner
	h.accResetToken("member@example.com")

	page := h.accWant(h.request("GET", "/api/v1/mail?limit=3", nil, accBearer(admin)), 200, "list")
	items := accItems(page)
	if len(items) != 3 || page["next_cursor"] == "" {
		t.Fatalf("first page: %v", page)
	}
	if items[0]["to"] != "member@example.com" || items[0]["kind"] != "password_reset" || items[0]["status"] != "stored" ||
		items[1]["restricted"] != true || items[2]["restricted"] != true {
		t.Fatalf("items = %v", items)
	}
	if _, ok := items[0]["text"]; ok {
		t.Fatal("the list carries bodies")
	}
	rest := accItems(h.accWant(h.request("GET", "/api/v1/mail?limit=3&cursor="+page["next_cursor"].(string), nil, accBearer(admin)), 200, "page 2"))
	if len(rest) != 1 || rest[0]["to"] != "a@example.com" {
		t.Fatalf("second page = %v", rest)
	}

	// Bodies: administrators read ordinary mail; restricted bodies are for
	// owners only.
	one := h.accWant(h.request("GET", "/api/v1/mail/"+items[0]["id"].(string), nil, accBearer(admin)), 200, "read")
	if !strings.Contains(one["text"].(string), "/reset-password?token=") || !strings.Contains(one["html"].(string), "<html") {
		t.Fatalf("message = %v", one)
	}
	hidden := h.accWant(h.request("GET", "/api/v1/mail/"+items[1]["id"].(string), nil, accBearer(admin)), 200, "restricted as admin")
	if hidden["redacted"] != true || hidden["text"] != "" || hidden["html"] != "" {
		t.Fatalf("restricted message shown to an admin: %v", hidden)
	}
	shown := h.accWant(h.request("GET", "/api/v1/mail/"+items[1]["id"].(string), nil, accBearer(owner)), 200, "restricted as owner")
	if shown["redacted"] != nil || !strings.Contains(shown["text"].(string), "reset-password?token=") {
		t.Fatalf("restricted message hidden from the owner: %v", shown)
	}

	h.accError(h.request("GET", "/api/v1/mail/"+app.NewID(), nil, accBearer(admin)), 404, "not_found", "", "unknown message")
	h.accError(h.request("GET", "/api/v1/mail/"+items[0]["id"].(string), nil, accBearer(member)), 403, "forbidden", "", "member reads mail")
}
