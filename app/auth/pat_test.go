package auth

import (
	"strings"
	"testing"

	"nexus/app"
)

func TestAccessTokenFormat(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok, hash, err := newAccessTokenSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tok, "nxp_") || len(tok) != 47 || !wellFormedAccessToken(tok) {
			t.Fatalf("token %q: want nxp_ and 43 base64url characters", tok)
		}
		if string(hash) != string(HashOpaqueToken(tok)) || len(hash) != 32 {
			t.Fatal("the stored hash must be the SHA-256 of the whole token")
		}
		if seen[tok] {
			t.Fatal("two tokens alike")
		}
		seen[tok] = true
	}
	good, _, _ := newAccessTokenSecret()
	for _, bad := range []string{"", "nxp_", "nxp_abc", good + "x", good[:46], "nxq_" + good[4:],
		good[:10] + "+" + good[11:], good[:10] + "=" + good[11:], good[:10] + " " + good[11:]} {
		if wellFormedAccessToken(bad) {
			t.Errorf("%q accepted as well-formed", bad)
		}
	}
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		names []string
		role  app.Role
		want  string // comma list, or "" for an error
	}{
		{[]string{"read"}, app.RoleGuest, "read"},
		{[]string{"write", "read", "write"}, app.RoleMember, "read,write"},
		{[]string{"admin", "read"}, app.RoleAdmin, "read,admin"},
		{[]string{"admin"}, app.RoleOwner, "admin"},
		{[]string{"admin"}, app.RoleMember, ""},
		{[]string{"read", "admin"}, app.RoleGuest, ""},
		{[]string{}, app.RoleOwner, ""},
		{nil, app.RoleOwner, ""},
		{[]string{"READ"}, app.RoleOwner, ""},
		{[]string{"delete"}, app.RoleOwner, ""},
	}
	for _, tt := range tests {
		got, err := ParseScopes(tt.names, tt.role)
		if tt.want == "" {
			if app.CodeOf(err) != app.CodeInvalid {
				t.Errorf("ParseScopes(%v, %s) = %v, %v; want invalid", tt.names, tt.role, got, err)
			}
			continue
		}
		if err != nil || strings.Join(scopeNames(got), ",") != tt.want {
			t.Errorf("ParseScopes(%v, %s) = %v, %v; want %s", tt.names, tt.role, got, err, tt.want)
		}
	}
}
