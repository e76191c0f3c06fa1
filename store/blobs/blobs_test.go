package blobs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func mustOpen(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "blobs"), bytes.Repeat([]byte{3}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func readAll(t *testing.T, s *Store, hash string) []byte {
	t.Helper()
	r, size, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != size {
		t.Fatalf("size %d, read %d", size, len(got))
	}
	return got
}

func TestRoundTrip(t *testing.T) {
	s := mustOpen(t)
	for _, n := range []int{0, 1, SegmentSize - 1, SegmentSize, SegmentSize + 1, 3 * SegmentSize, 20 << 20} {
		data := randomBytes(n, uint64(n))
		hash, size, err := s.Put(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if hash != sha(data) || size != int64(n) {
			t.Fatalf("n=%d: hash %s size %d", n, hash, size)
		}
		if got := readAll(t, s, hash); !bytes.Equal(got, data) {
			t.Fatalf("n=%d: content differs", n)
		}
		// Stored encrypted: the plaintext is nowhere in the file.
		raw, err := os.ReadFile(filepath.Join(s.Dir(), hash[:2], hash))
		if err != nil {
			t.Fatal(err)
		}
		segments := max(1, (n+SegmentSize-1)/SegmentSize)
		if want := headerSize + n + tagSize*segments; len(raw) != want {
			t.Fatalf("n=%d: file is %d bytes, want %d", n, len(raw), want)
		}
		if n >= 32 && bytes.Contains(raw, data[:32]) {
			t.Fatalf("n=%d: plaintext visible on disk", n)
		}
	}
}

func TestKoreanText(t *testing.T) {
	s := mustOpen(t)
	data := []byte("회의록: 배포 일정은 다음 주 월요일입니다. Release on Monday.\n")
	hash, _, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s, hash); !bytes.Equal(got, data) {
		t.Fatalf("got %q", got)
	}
}

func TestDedup(t *testing.T) {
	s := mustOpen(t)
	data := randomBytes(100_000, 1)
	h1, _, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(filepath.Join(s.Dir(), h1[:2], h1))
	h2, _, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(filepath.Join(s.Dir(), h2[:2], h2))
	if h1 != h2 || !os.SameFile(before, after) {
		t.Fatal("same content stored twice")
	}
	files := 0
	filepath.WalkDir(s.Dir(), func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			files++
		}
		return nil
	})
	if files != 1 {
		t.Fatalf("%d files in the blob directory, want 1 (temporary files left?)", files)
	}
}

// A staged blob can be read back before it is committed, and is not
// visible under its hash until then.
func TestStageCommit(t *testing.T) {
	s := mustOpen(t)
	data := randomBytes(SegmentSize+10, 11)
	st, err := s.Stage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Discard()
	if s.Exists(st.Hash()) {
		t.Fatal("visible before commit")
	}
	r, err := st.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("staged content differs")
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatalf("second commit: %v", err)
	}
	st.Discard()
	if got := readAll(t, s, st.Hash()); !bytes.Equal(got, data) {
		t.Fatal("committed content differs")
	}
}

func TestConcurrentPutSameContent(t *testing.T) {
	s := mustOpen(t)
	data := randomBytes(3*SegmentSize+5, 2)
	var wg sync.WaitGroup
	hashes := make([]string, 8)
	errs := make([]error, 8)
	for i := range hashes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hashes[i], _, errs[i] = s.Put(bytes.NewReader(data))
		}()
	}
	wg.Wait()
	for i := range hashes {
		if errs[i] != nil || hashes[i] != sha(data) {
			t.Fatalf("put %d: %s %v", i, hashes[i], errs[i])
		}
	}
	if got := readAll(t, s, sha(data)); !bytes.Equal(got, data) {
		t.Fatal("content differs")
	}
	tmp, _ := os.ReadDir(filepath.Join(s.Dir(), tmpDir))
	if len(tmp) != 0 {
		t.Fatalf("%d temporary files left", len(tmp))
	}
}

func TestTamperDetection(t *testing.T) {
	data := randomBytes(2*SegmentSize+100, 3)
	for name, tamper := range map[string]func(raw []byte) []byte{
		"flipped byte in first segment": func(raw []byte) []byte { raw[headerSize+10] ^= 1; return raw },
		"flipped byte in last segment":  func(raw []byte) []byte { raw[len(raw)-20] ^= 0x80; return raw },
		"flipped tag byte":              func(raw []byte) []byte { raw[len(raw)-1] ^= 1; return raw },
		"flipped salt":                  func(raw []byte) []byte { raw[5] ^= 1; return raw },
		"truncated at a segment":        func(raw []byte) []byte { return raw[:headerSize+2*sealedSize] },
		"truncated mid-segment":         func(raw []byte) []byte { return raw[:len(raw)-7] },
		"segments swapped": func(raw []byte) []byte {
			a := append([]byte(nil), raw[headerSize:headerSize+sealedSize]...)
			copy(raw[headerSize:], raw[headerSize+sealedSize:headerSize+2*sealedSize])
			copy(raw[headerSize+sealedSize:], a)
			return raw
		},
		"bad magic": func(raw []byte) []byte { raw[0] = 'X'; return raw },
	} {
		t.Run(name, func(t *testing.T) {
			s := mustOpen(t)
			hash, _, err := s.Put(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(s.Dir(), hash[:2], hash)
			raw, _ := os.ReadFile(path)
			if err := os.WriteFile(path, tamper(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			r, _, err := s.Open(hash)
			if err == nil {
				_, err = io.ReadAll(r)
				r.Close()
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("read of a tampered blob: %v", err)
			}
		})
	}
	// Another key cannot read it either.
	s := mustOpen(t)
	hash, _, _ := s.Put(bytes.NewReader(data))
	other, _ := Open(s.Dir(), bytes.Repeat([]byte{4}, KeySize))
	r, _, err := other.Open(hash)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("read with another key: %v", err)
	}
}

func TestSeekAndReadAt(t *testing.T) {
	s := mustOpen(t)
	data := randomBytes(4*SegmentSize+123, 5)
	hash, _, err := s.Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rc, size, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	r := rc.(*Reader)
	S := int64(SegmentSize)
	for _, c := range []struct{ off, n int64 }{
		{0, 1}, {0, S}, {S - 1, 2}, {S, S}, {S - 10, 3*S + 20}, {2*S + 7, 1}, {4*S - 1, 124}, {size - 1, 1}, {size - 200, 200}, {0, size},
	} {
		buf := make([]byte, c.n)
		n, err := r.ReadAt(buf, c.off)
		if err != nil && !(err == io.EOF && c.off+c.n == size) {
			t.Fatalf("ReadAt(%d, %d): %v", c.off, c.n, err)
		}
		if int64(n) != c.n || !bytes.Equal(buf, data[c.off:c.off+c.n]) {
			t.Fatalf("ReadAt(%d, %d): wrong bytes", c.off, c.n)
		}
		if _, err := r.Seek(c.off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(io.LimitReader(r, c.n))
		if err != nil || !bytes.Equal(got, data[c.off:c.off+c.n]) {
			t.Fatalf("Seek(%d)+Read(%d): %v", c.off, c.n, err)
		}
	}
	// Past the end.
	if n, err := r.ReadAt(make([]byte, 10), size+5); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past end: %d %v", n, err)
	}
	if pos, _ := r.Seek(-10, io.SeekEnd); pos != size-10 {
		t.Fatalf("SeekEnd: %d", pos)
	}
	rest, _ := io.ReadAll(r)
	if !bytes.Equal(rest, data[size-10:]) {
		t.Fatal("read after SeekEnd differs")
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Fatal("negative seek accepted")
	}
}

func TestMissingAndDelete(t *testing.T) {
	s := mustOpen(t)
	if _, _, err := s.Open(sha(nil)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open missing: %v", err)
	}
	if _, _, err := s.Open("../../etc/passwd"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("open bad name: %v", err)
	}
	hash, _, _ := s.Put(bytes.NewReader([]byte("x")))
	if !s.Exists(hash) {
		t.Fatal("not stored")
	}
	if err := s.Delete(hash); err != nil {
		t.Fatal(err)
	}
	if s.Exists(hash) {
		t.Fatal("still there")
	}
	if err := s.Delete(hash); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if err := s.Delete("nope"); err == nil {
		t.Fatal("invalid hash accepted")
	}
}

// failingReader fails after some bytes: a dropped upload.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), f.n)
	f.n -= n
	return n, nil
}

func TestFailedUploadLeavesNothing(t *testing.T) {
	s := mustOpen(t)
	if _, _, err := s.Put(&failingReader{n: 3 * SegmentSize}); err == nil {
		t.Fatal("failed upload stored")
	}
	var files int
	filepath.WalkDir(s.Dir(), func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			files++
		}
		return nil
	})
	if files != 0 {
		t.Fatalf("%d files left", files)
	}
}

func BenchmarkPut20MiB(b *testing.B) {
	s := mustOpen(b)
	data := randomBytes(20<<20, 9)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data[0] = byte(i) // new content every time: no dedup shortcut
		data[1] = byte(i >> 8)
		if _, _, err := s.Put(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead20MiB(b *testing.B) {
	s := mustOpen(b)
	data := randomBytes(20<<20, 9)
	hash, _, err := s.Put(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, _, err := s.Open(hash)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
