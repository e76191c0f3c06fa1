package files

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"보고서.pdf": "보고서.pdf",
		"2024년 4분기 보고서 (최종).xlsx":      "2024년 4분기 보고서 (최종).xlsx",
		"../../etc/passwd":             "passwd",
		`C:\Users\kim\바탕 화면\사진.png`:    "사진.png",
		".htaccess":                    "htaccess",
		"...hidden.txt":                "hidden.txt",
		"trailing dots...":             "trailing dots",
		"tab\tand\nnewline.txt":        "tab and newline.txt",
		"rtl\u202egnp.exe":             "rtlgnp.exe",
		"zero\u200bwidth.txt":          "zerowidth.txt",
		`what?<x>:"y"|*.txt`:           "what__x___y___.txt",
		"CON.txt":                      "_CON.txt",
		"lpt1":                         "_lpt1",
		"  spaced   out  .md":          "spaced out .md",
		"":                             "",
		"/":                            "",
		"..":                           "",
		"\u1100\u1161\u1102\u1161.txt": "가나.txt", // NFD Hangul from macOS
		"bad\xffutf8.txt":              "badutf8.txt",
	} {
		if got := SanitizeName(in); got != want {
			t.Errorf("SanitizeName(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("가", 300) + ".pdf"
	got := SanitizeName(long)
	if utf8.RuneCountInString(got) != MaxNameRunes || !strings.HasSuffix(got, ".pdf") {
		t.Errorf("long name: %d runes, %q…", utf8.RuneCountInString(got), got[len(got)-10:])
	}
}

func TestClassify(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for _, c := range []struct {
		head, name, want string
		ok               bool
	}{
		{string(png), "a.png", "image/png", true},
		{string(png), "a.exe", "image/png", true},
		{string(png), "a.pdf", "", false}, // name claims another binary type
		{"hello, 세계", "a.txt", "text/plain; charset=utf-8", true},
		{"hello", "README.md", "text/markdown; charset=utf-8", true},
		{"a,b,c\n1,2,3\n4,5,6\n", "data.csv", "text/csv; charset=utf-8", true},
		{`{"a": 1}`, "x.json", "text/plain; charset=utf-8", true},
		{"hello", "photo.jpg", "", false},
		{`<svg xmlns="http://www.w3.org/2000/svg"></svg>`, "a.svg", "", false},
		{"<!DOCTYPE html><html></html>", "a.txt", "", false},
		{"%PDF-1.7\n", "a.pdf", "application/pdf", true},
		{"PK\x03\x04\x14\x00\x00\x00\x08\x00" + strings.Repeat("\x21", 18) + "\x05\x00\x00\x00notes.txt", "a.zip", "application/zip", true},
		{"MZ\x90\x00", "a.exe", "", false},
	} {
		got, _, _, ok := classify([]byte(c.head), c.name)
		if ok != c.ok || got != c.want {
			t.Errorf("classify(%q, %q) = %q %v, want %q %v", c.head[:min(len(c.head), 12)], c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestStoredName(t *testing.T) {
	for _, c := range []struct{ name, ct, want string }{
		{"photo.exe", "image/png", "photo.exe.png"},
		{"photo.JPG", "image/jpeg", "photo.JPG"},
		{"photo.jpeg", "image/jpeg", "photo.jpeg"},
		{"", "image/jpeg", "file.jpg"},
		{"notes", "text/plain; charset=utf-8", "notes.txt"},
		{"main.go", "text/plain; charset=utf-8", "main.go"},
		{"보고서", "application/pdf", "보고서.pdf"},
		{"sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sheet.xlsx"},
	} {
		if got := storedName(c.name, c.ct); got != c.want {
			t.Errorf("storedName(%q, %q) = %q, want %q", c.name, c.ct, got, c.want)
		}
	}
}

func TestInlineAndServedType(t *testing.T) {
	for ct, want := range map[string]bool{"image/png": true, "image/jpeg": true, "application/pdf": true,
		"text/plain; charset=utf-8": true, "text/markdown; charset=utf-8": true, "application/zip": false,
		"image/svg+xml": false, "text/html": false} {
		if Inline(ct) != want {
			t.Errorf("Inline(%q) = %v", ct, !want)
		}
	}
	if got := ServedType("text/markdown; charset=utf-8"); got != "text/plain; charset=utf-8" {
		t.Errorf("ServedType(markdown) = %q", got)
	}
	if got := ServedType("image/png"); got != "image/png" {
		t.Errorf("ServedType(png) = %q", got)
	}
}
