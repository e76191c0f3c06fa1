// Package ui carries the built web client (ui/dist) inside the binary, so
// `go build` alone produces a complete server.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built client rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub only fails on an invalid path literal, which is a programming error.
		panic(err)
	}
	return sub
}
