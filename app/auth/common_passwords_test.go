package auth

import (
	"strings"
	"testing"

	"nexus/app"
)

func TestCommonPasswordList(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(commonPasswordList, "\n"), "\n")
	if len(lines) != 10000 {
		t.Fatalf("list has %d entries, want 10000", len(lines))
	}
	for _, pw := range []string{"password", "PASSWORD", "baseball", "Password1", "qwertyuiop", "iloveyou!"} {
		if !IsCommonPassword(pw) {
			t.Errorf("%q should be common", pw)
		}
	}
	for _, pw := range []string{"correct horse battery", "비밀번호는길어야해", "x9!vQ#2mLp", ""} {
		if IsCommonPassword(pw) {
			t.Errorf("%q should not be common", pw)
		}
	}
}

func TestPolicyRefusesCommonPasswords(t *testing.T) {
	for _, pw := range []string{"baseball", "Football", "password1", "12345678", "QWERTYUIOP"} {
		err := CheckPasswordPolicy(pw, 8)
		var e *app.Error
		if err == nil || app.CodeOf(err) != app.CodeInvalid {
			t.Fatalf("%q: %v, want invalid", pw, err)
		}
		e = err.(*app.Error)
		if e.Details["field"] != "password" || e.Message != "This password is too common. Choose one that is harder to guess." {
			t.Errorf("%q: %+v", pw, e)
		}
	}
	// Short common passwords fail on length first, with the length message.
	if err := CheckPasswordPolicy("1234", 8); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Errorf("short: %v", err)
	}
	if err := CheckPasswordPolicy("correct horse battery", 8); err != nil {
		t.Errorf("a good password was refused: %v", err)
	}
}
