package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"nexus/app"
	"nexus/app/auth"
	"nexus/store"
)

const accessPassword = "correct horse battery"

// accessUser creates an active account with the role and signs it in.
func (h *harness) accessUser(role app.Role, name string) (id, access string) {
	h.t.Helper()
	ctx := context.Background()
	hash, err := auth.NewHasher(1).Hash(ctx, accessPassword)
	if err != nil {
		h.t.Fatal(err)
	}
	email := strings.ToLower(strings.ReplaceAll(app.NewID(), "-", "")) + "@example.com"
	err = h.store.Update(ctx, func(tx *store.Tx) error {
		u := &app.User{ID: app.NewID(), Email: email, Name: name, Role: role, Status: app.UserActive,
			PasswordHash: hash, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		id = u.ID
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		h.t.Fatal(err)
	}
	r := h.login(email, accessPassword, nil)
	if r.StatusCode != 200 {
		h.t.Fatalf("sign in as %s: %d %s", role, r.StatusCode, r.body)
	}
	return id, accessToken(h.t, r)
}

func bearer(access string) header { return header{"Authorization": "Bearer " + access} }

func (h *harness) expect(r response, status int, what string) map[string]any {
	h.t.Helper()
	if r.StatusCode != status {
		h.t.Fatalf("%s: %d %s, want %d", what, r.StatusCode, r.body, status)
	}
	if len(r.body) == 0 || r.Header.Get("Content-Type") != "application/json" && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return nil
	}
	return r.json(h.t)
}

func TestTeamsAPI(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	memberID, memberAccess := h.accessUser(app.RoleMember, "이서연")
	member := bearer(memberAccess)

	// Members may not manage teams.
	for _, r := range []response{
		h.request("GET", "/api/v1/teams", nil, member),
		h.request("POST", "/api/v1/teams", map[string]string{"name": "x"}, member),
	} {
		checkError(t, "member", r, 403, "forbidden", "", "")
	}
	checkError(t, "anonymous", h.request("GET", "/api/v1/teams", nil, nil), 401, "unauthorized", "", "")

	team := h.expect(h.request("POST", "/api/v1/teams", map[string]string{"name": "  디자인팀 ", "description": "제품 디자인"}, owner), 201, "create")
	id, _ := team["id"].(string)
	if team["name"] != "디자인팀" || team["description"] != "제품 디자인" || team["member_count"] != float64(0) || team["version"] != float64(1) || id == "" {
		t.Fatalf("created team = %v", team)
	}
	h.expect(h.request("POST", "/api/v1/teams", map[string]string{"name": "Engineering"}, owner), 201, "create engineering")
	checkError(t, "duplicate Korean name", h.request("POST", "/api/v1/teams", map[string]string{"name": "디자인팀"}, owner), 409, "conflict", "name", "")
	checkError(t, "duplicate name in another case", h.request("POST", "/api/v1/teams", map[string]string{"name": "ENGINEERING"}, owner), 409, "conflict", "name", "")
	checkError(t, "empty name", h.request("POST", "/api/v1/teams", map[string]string{"name": " "}, owner), 400, "invalid", "name", "")

	// Rename with the right version; a stale version is a conflict carrying
	// the current one; a taken name is a conflict too.
	path := "/api/v1/teams/" + id
	renamed := h.expect(h.request("PATCH", path, map[string]any{"name": "Design", "version": 1}, owner), 200, "rename")
	if renamed["name"] != "Design" || renamed["version"] != float64(2) || renamed["description"] != "제품 디자인" {
		t.Fatalf("renamed = %v", renamed)
	}
	stale := h.request("PATCH", path, map[string]any{"description": "old tab", "version": 1}, owner)
	checkError(t, "stale version", stale, 409, "conflict", "", "")
	if d, _ := stale.json(t)["error"].(map[string]any)["details"].(map[string]any); d["current_version"] != float64(2) {
		t.Fatalf("conflict details = %v, want current_version 2", d)
	}
	checkError(t, "rename to a taken name", h.request("PATCH", path, map[string]any{"name": "engineering", "version": 2}, owner), 409, "conflict", "name", "")
	checkError(t, "no version", h.request("PATCH", path, map[string]any{"name": "X"}, owner), 400, "invalid", "version", "")
	checkError(t, "unknown team", h.request("PATCH", "/api/v1/teams/nope", map[string]any{"name": "X", "version": 1}, owner), 404, "not_found", "", "")

	// Members.
	h.expect(h.request("POST", path+"/members", map[string]string{"user_id": memberID}, owner), 204, "add member")
	h.expect(h.request("POST", path+"/members", map[string]string{"user_id": memberID}, owner), 204, "add member again")
	checkError(t, "unknown user", h.request("POST", path+"/members", map[string]string{"user_id": "nobody"}, owner), 404, "not_found", "user_id", "")
	members := h.expect(h.request("GET", path+"/members", nil, owner), 200, "members")
	items, _ := members["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != memberID || items[0].(map[string]any)["name"] != "이서연" {
		t.Fatalf("members = %v", members)
	}
	list := h.expect(h.request("GET", "/api/v1/teams", nil, owner), 200, "list")
	teams, _ := list["items"].([]any)
	if len(teams) != 2 || teams[0].(map[string]any)["name"] != "Design" || teams[0].(map[string]any)["member_count"] != float64(1) ||
		teams[1].(map[string]any)["member_count"] != float64(0) {
		t.Fatalf("teams = %v", list)
	}
	h.expect(h.request("DELETE", path+"/members/"+memberID, nil, owner), 204, "remove member")
	checkError(t, "remove again", h.request("DELETE", path+"/members/"+memberID, nil, owner), 404, "not_found", "", "")
	if got := h.expect(h.request("GET", path, nil, owner), 200, "get")["member_count"]; got != float64(0) {
		t.Fatalf("member_count after removal = %v", got)
	}

	h.expect(h.request("DELETE", path, nil, owner), 204, "delete")
	checkError(t, "deleted", h.request("GET", path, nil, owner), 404, "not_found", "", "")

	// Every change is audited with the actor; membership changes are events.
	for action, n := range map[string]int{app.ActionTeamCreated: 2, app.ActionTeamUpdated: 1, app.ActionTeamDeleted: 1,
		app.ActionTeamMemberAdded: 1, app.ActionTeamMemberRemoved: 1} {
		entries := h.audit(action)
		if len(entries) != n {
			t.Errorf("%s: %d audit rows, want %d", action, len(entries), n)
			continue
		}
		if e := entries[0]; e.ActorLabel != ownerEmail || e.TargetType != "team" || e.Result != app.AuditSuccess {
			t.Errorf("%s audit row = %+v", action, e)
		}
	}
	if d := h.audit(app.ActionTeamUpdated)[0].Details; d["before"].(map[string]any)["name"] != "디자인팀" || d["after"].(map[string]any)["name"] != "Design" {
		t.Errorf("team.updated details = %v", d)
	}
	events, err := h.store.OutboxEvents(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range events {
		if strings.HasPrefix(e.Type, "team.") {
			types = append(types, e.Type)
			if e.Type == app.EventTeamMemberAdded && (e.Data["user_id"] != memberID || e.Data["team_id"] != id) {
				t.Errorf("event data = %v", e.Data)
			}
		}
	}
	if strings.Join(types, ",") != "team.member_added,team.member_removed,team.deleted" {
		t.Errorf("team events = %v", types)
	}
}

// auditItems lists audit entries through the API.
func auditItems(t *testing.T, h *harness, query string, hdr header) ([]map[string]any, string) {
	t.Helper()
	r := h.request("GET", "/api/v1/audit?"+query, nil, hdr)
	if r.StatusCode != 200 {
		t.Fatalf("GET /audit?%s: %d %s", query, r.StatusCode, r.body)
	}
	body := r.json(t)
	var out []map[string]any
	for _, it := range body["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	next, _ := body["next_cursor"].(string)
	return out, next
}

func TestAuditAPI(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, memberAccess := h.accessUser(app.RoleMember, "Lee")
	member := bearer(memberAccess)
	h.login(ownerEmail, "wrong password", header{"User-Agent": "=cmd|' /C calc'!A0"}) // a failure, with a hostile user agent
	for i := 0; i < 5; i++ {
		h.expect(h.request("POST", "/api/v1/teams", map[string]string{"name": fmt.Sprintf("팀 %d, \"서울\"", i)}, owner), 201, "create team")
	}

	checkError(t, "member", h.request("GET", "/api/v1/audit", nil, member), 403, "forbidden", "", "")
	checkError(t, "member export", h.request("GET", "/api/v1/audit/export.csv", nil, member), 403, "forbidden", "", "")
	checkError(t, "bad from", h.request("GET", "/api/v1/audit?from=yesterday", nil, owner), 400, "invalid", "from", "")
	checkError(t, "bad limit", h.request("GET", "/api/v1/audit?limit=-3", nil, owner), 400, "invalid", "limit", "")
	checkError(t, "bad cursor", h.request("GET", "/api/v1/audit?cursor=zzz", nil, owner), 400, "invalid", "cursor", "")

	// Pages of two, newest first, each entry once.
	var seen []string
	query := "action=team.created&limit=2"
	for page := 0; ; page++ {
		items, next := auditItems(t, h, query, owner)
		for _, it := range items {
			seen = append(seen, it["details"].(map[string]any)["name"].(string))
			if actor := it["actor"].(map[string]any); actor["label"] != ownerEmail || actor["id"] == nil || it["result"] != "success" || it["target_type"] != "team" {
				t.Fatalf("entry = %v", it)
			}
		}
		if next == "" {
			break
		}
		if page > 5 {
			t.Fatal("pagination does not end")
		}
		query = "action=team.created&limit=2&cursor=" + url.QueryEscape(next)
	}
	if strings.Join(seen, "|") != `팀 4, "서울"|팀 3, "서울"|팀 2, "서울"|팀 1, "서울"|팀 0, "서울"` {
		t.Fatalf("pages = %v", seen)
	}

	failures, _ := auditItems(t, h, "result=failure", owner)
	if len(failures) != 1 || failures[0]["action"] != app.ActionLoginFailed || failures[0]["actor"].(map[string]any)["label"] != ownerEmail {
		t.Fatalf("failures = %v", failures)
	}
	prefixed, _ := auditItems(t, h, "action=auth.*", owner)
	for _, it := range prefixed {
		if !strings.HasPrefix(it["action"].(string), "auth.") {
			t.Fatalf("auth.* returned %v", it["action"])
		}
	}
	if len(prefixed) < 3 { // setup, the member's sign-in, the failure
		t.Fatalf("auth.* returned %d entries", len(prefixed))
	}
	ranged, _ := auditItems(t, h, "from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z", owner)
	if len(ranged) != 0 {
		t.Fatalf("a range in the past returned %d entries", len(ranged))
	}

	actions := h.expect(h.request("GET", "/api/v1/audit/actions", nil, owner), 200, "actions")
	if got := fmt.Sprint(actions["items"]); !strings.Contains(got, "team.created") || !strings.Contains(got, "auth.login_failed") {
		t.Fatalf("actions = %v", got)
	}

	// CSV export: attachment, UTF-8 with BOM, Korean and quotes intact, the
	// hostile user agent defused.
	r := h.request("GET", "/api/v1/audit/export.csv?action=auth.login_failed", nil, owner)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="nexus-audit-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\uFEFF"))).ReadAll()
	if err != nil || !strings.HasPrefix(string(r.body), "\uFEFF") {
		t.Fatalf("export is not BOM-prefixed CSV (%v): %q", err, r.body)
	}
	if len(records) != 2 || records[1][3] != app.ActionLoginFailed || records[1][8] != "'=cmd|' /C calc'!A0" {
		t.Fatalf("records = %q", records)
	}
	r = h.request("GET", "/api/v1/audit/export.csv?action=team.created", nil, owner)
	records, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\uFEFF"))).ReadAll()
	if err != nil || len(records) != 6 || records[1][9] != `{"name":"팀 4, \"서울\""}` {
		t.Fatalf("Korean export = %q (%v)", records, err)
	}
	if len(h.audit(app.ActionAuditExported)) != 2 {
		t.Fatal("each export must be recorded in the audit log")
	}

	// Nothing can change or remove an entry through the API.
	id := failures[0]["id"].(string)
	for _, m := range []struct{ method, path string }{
		{"DELETE", "/api/v1/audit"}, {"PUT", "/api/v1/audit"}, {"POST", "/api/v1/audit"}, {"PATCH", "/api/v1/audit"},
		{"DELETE", "/api/v1/audit/" + id}, {"PUT", "/api/v1/audit/" + id}, {"PATCH", "/api/v1/audit/" + id},
		{"DELETE", "/api/v1/audit/export.csv"},
	} {
		r := h.request(m.method, m.path, map[string]any{}, owner)
		if r.StatusCode != 404 && r.StatusCode != 405 {
			t.Errorf("%s %s: %d, want 404 or 405", m.method, m.path, r.StatusCode)
		}
	}
	if left, _ := auditItems(t, h, "result=failure", owner); len(left) != 1 || left[0]["id"] != id {
		t.Fatal("the failure entry changed")
	}
}

func TestSecuritySettingsAPI(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	_, adminAccess := h.accessUser(app.RoleAdmin, "Park")
	_, memberAccess := h.accessUser(app.RoleMember, "Choi")

	checkError(t, "member get", h.request("GET", "/api/v1/settings/security", nil, bearer(memberAccess)), 403, "forbidden", "", "")
	checkError(t, "member patch", h.request("PATCH", "/api/v1/settings/security", map[string]any{"mfa_required": true, "version": 1}, bearer(memberAccess)), 403, "forbidden", "", "")

	cur := h.expect(h.request("GET", "/api/v1/settings/security", nil, owner), 200, "get")
	if cur["registration"] != "invite" || cur["password_login"] != true || cur["mfa_required"] != false || cur["version"] != float64(1) ||
		fmt.Sprint(cur["registration_domains"]) != "[]" {
		t.Fatalf("defaults = %v", cur)
	}
	updated := h.expect(h.request("PATCH", "/api/v1/settings/security", map[string]any{
		"registration": "domain", "registration_domains": []string{"Example.com", "회사.한국"}, "version": 1}, bearer(adminAccess)), 200, "patch")
	if updated["registration"] != "domain" || fmt.Sprint(updated["registration_domains"]) != "[example.com 회사.한국]" || updated["version"] != float64(2) {
		t.Fatalf("updated = %v", updated)
	}
	// Seen at once by the next read.
	if again := h.expect(h.request("GET", "/api/v1/settings/security", nil, owner), 200, "get again"); again["version"] != float64(2) || again["registration"] != "domain" {
		t.Fatalf("after update = %v", again)
	}
	stale := h.request("PATCH", "/api/v1/settings/security", map[string]any{"mfa_required": true, "version": 1}, owner)
	checkError(t, "stale", stale, 409, "conflict", "", "")
	if d := stale.json(t)["error"].(map[string]any)["details"].(map[string]any); d["current_version"] != float64(2) {
		t.Fatalf("conflict details = %v", d)
	}
	checkError(t, "password off without SSO", h.request("PATCH", "/api/v1/settings/security",
		map[string]any{"password_login": false, "version": 2}, owner), 400, "invalid", "password_login", "SSO")
	checkError(t, "bad domain", h.request("PATCH", "/api/v1/settings/security",
		map[string]any{"registration_domains": []string{"not a domain"}, "version": 2}, owner), 400, "invalid", "registration_domains", "")
	checkError(t, "unknown field", h.request("PATCH", "/api/v1/settings/security",
		map[string]any{"registration_policy": "open", "version": 2}, owner), 400, "invalid", "registration_policy", "")

	entries := h.audit(app.ActionSettingsChanged)
	if len(entries) != 1 {
		t.Fatalf("%d settings.changed rows, want 1", len(entries))
	}
	before := entries[0].Details["before"].(map[string]any)
	after := entries[0].Details["after"].(map[string]any)
	if before["registration"] != "invite" || after["registration"] != "domain" || entries[0].TargetID != "security" {
		t.Fatalf("audit details = %v", entries[0].Details)
	}
}

// Access routes honour personal access token scopes: administrative ones
// need the admin scope.
func TestAccessRoutesNeedAdminScope(t *testing.T) {
	h := newHarness(t, options{})
	owner := bearer(accessToken(t, h.setup()))
	r := h.request("POST", "/api/v1/me/tokens", map[string]any{"name": "ci", "scopes": []string{"read", "write"}, "expires_in_days": nil}, owner)
	if r.StatusCode != 201 {
		t.Fatalf("create a personal access token: %d %s", r.StatusCode, r.body)
	}
	token := bearer(r.json(t)["token"].(string))
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/teams"}, {"GET", "/api/v1/audit"}, {"GET", "/api/v1/settings/security"},
	} {
		r := h.request(req.method, req.path, nil, token)
		checkError(t, req.path, r, 403, "forbidden", "", "admin scope")
	}
	r = h.request("POST", "/api/v1/me/tokens", map[string]any{"name": "admin", "scopes": []string{"admin"}, "expires_in_days": 1}, owner)
	if r.StatusCode != 201 {
		t.Fatalf("admin token: %d %s", r.StatusCode, r.body)
	}
	admin := bearer(r.json(t)["token"].(string))
	h.expect(h.request("GET", "/api/v1/audit", nil, admin), 200, "audit with an admin token")
}
