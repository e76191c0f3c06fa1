package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestParseDelivery(t *testing.T) {
	frame := []byte(`{"seq":42,"type":"message.created","resource_type":"channel","resource_id":"c1",` +
		`"at":"2026-03-01T09:30:00.123456Z","data":{"message":{"id":"m1","body":"wsl:1772357400000000000:7 부하 시험"}}}`)
	sent, at, ok := parseDelivery(frame)
	if !ok || sent.UnixNano() != 1772357400000000000 || !at.Equal(time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)) {
		t.Fatalf("got %v %v %v", sent, at, ok)
	}
	for _, other := range []string{
		`{"type":"presence","data":{"users":{}}}`,
		`{"seq":1,"type":"message.created","data":{"message":{"body":"hello"}}}`,
		`{"seq":1,"type":"message.updated","data":{"message":{"body":"wsl:1:1"}}}`,
	} {
		if _, _, ok := parseDelivery([]byte(other)); ok {
			t.Fatalf("counted %s", other)
		}
	}
}

func TestSummarize(t *testing.T) {
	var s []time.Duration
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	d := summarize(s)
	if d.N != 100 || d.P50 != 51*time.Millisecond || d.P99 != 100*time.Millisecond || d.Max != 100*time.Millisecond ||
		d.Avg != 50500*time.Microsecond {
		t.Fatalf("%+v", d)
	}
	if summarize(nil).N != 0 {
		t.Fatal("empty")
	}
}

func TestCopyDir(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "keys"), 0o700)
	os.WriteFile(filepath.Join(src, "nexus.db"), []byte("db"), 0o600)
	os.WriteFile(filepath.Join(src, "keys", "signing.key"), []byte("k"), 0o600)
	dst := filepath.Join(t.TempDir(), "copy")
	if err := copyDir(src, dst); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dst, "keys", "signing.key"))
	if err != nil || string(b) != "k" {
		t.Fatalf("%q %v", b, err)
	}
	if fi, _ := os.Stat(filepath.Join(dst, "nexus.db")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}

func TestReadIntoReusesAndGrows(t *testing.T) {
	want := strings.Repeat("프레임 frame ", 500)
	buf := make([]byte, 0, 8)
	got, err := readInto(buf[:0], iotest.OneByteReader(strings.NewReader(want)))
	if err != nil || string(got) != want {
		t.Fatalf("readInto: %v, %d bytes", err, len(got))
	}
	again, err := readInto(got[:0], strings.NewReader("short"))
	if err != nil || string(again) != "short" || &again[0] != &got[0] {
		t.Fatalf("second frame: %q %v (reused %v)", again, err, &again[0] == &got[0])
	}
}

func TestRingChannels(t *testing.T) {
	var ids []string
	for i := range 100 {
		ids = append(ids, fmt.Sprint("c", i))
	}
	per := map[string]int{}
	for i := range 2000 {
		for _, k := range []int{1, 2, 3} {
			got := ringChannels(ids, i, k)
			if len(got) != k || got[0] != ids[i%100] || len(slices.Compact(slices.Sorted(slices.Values(got)))) != k {
				t.Fatalf("member %d, k %d: %v", i, k, got)
			}
		}
		for _, ch := range ringChannels(ids, i, 2) {
			per[ch]++
		}
	}
	for ch, n := range per {
		if n != 40 {
			t.Fatalf("channel %s has %d members with k=2, want 40", ch, n)
		}
	}
}
