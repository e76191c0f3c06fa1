package auth

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswordList is the 10,000 most common passwords (SecLists, MIT;
// see common-passwords.NOTICE), one per line.
//
//go:embed common-passwords.txt
var commonPasswordList string

var (
	commonOnce sync.Once
	common     map[string]struct{}
)

// IsCommonPassword reports whether password is on the common-password list,
// compared case-insensitively: "Password1" is as easy to guess as
// "password1".
func IsCommonPassword(password string) bool {
	commonOnce.Do(func() {
		lines := strings.Split(commonPasswordList, "\n")
		common = make(map[string]struct{}, len(lines))
		for _, l := range lines {
			if l = strings.TrimRight(l, "\r"); l != "" {
				common[strings.ToLower(l)] = struct{}{}
			}
		}
	})
	_, ok := common[strings.ToLower(password)]
	return ok
}
