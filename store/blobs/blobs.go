// Package blobs keeps file contents (attachments, thumbnails) in the data
// directory: content-addressed, so the same bytes are stored once, and
// encrypted at rest with AES-256-GCM.
//
// A blob lives at <dir>/<aa>/<hash>, where hash is the hex SHA-256 of the
// plaintext and aa its first two characters. The file is:
//
//	header   "NXB1" | 32-byte random salt                     (36 bytes)
//	segment  AES-GCM(plaintext[i*64KiB : (i+1)*64KiB]) + tag   (repeated)
//
// Each file gets its own key, HKDF-SHA256(master key, salt), so nonces
// never repeat across files; a segment's nonce is its index plus a flag for
// the last segment, and the header is every segment's additional data. A
// reader can therefore decrypt any segment on its own (seeking for HTTP
// Range requests), and detects a flipped byte, a swapped, reordered or
// dropped segment, and a truncated file. An empty blob is one empty final
// segment.
//
// The master key comes from data/keys/blobs.key. Whoever can replace files
// in the data directory can also replace the database; binding a file to
// its name is left to that trust boundary.
package blobs

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

var _ interface {
	io.ReadSeekCloser
	io.ReaderAt
	io.WriterTo
} = (*Reader)(nil)

const (
	// SegmentSize is the plaintext size of a full segment.
	SegmentSize = 64 << 10
	// KeySize is the master key size.
	KeySize = 32

	magic      = "NXB1"
	saltSize   = 32
	headerSize = len(magic) + saltSize
	tagSize    = 16
	sealedSize = SegmentSize + tagSize
)

// ErrNotFound is returned for a hash with no blob.
var ErrNotFound = errors.New("blob not found")

// ErrCorrupt is returned when a blob fails authentication: it was damaged
// or altered on disk, or was written with another key.
var ErrCorrupt = errors.New("blob is corrupt or was encrypted with another key")

// Store is a directory of blobs.
type Store struct {
	dir string
	key []byte
}

// Open uses dir (created, mode 0700, if missing) with the 32-byte master
// key. It removes temporary files left by an interrupted upload.
func Open(dir string, key []byte) (*Store, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("blob key has %d bytes, want %d", len(key), KeySize)
	}
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("create blob directory: %w", err)
	}
	s := &Store{dir: dir, key: append([]byte(nil), key...)}
	s.removeStaleTemps()
	return s, nil
}

// tmpDir holds uploads in progress; it is on the same file system as the
// blobs, so finishing one is a link, not a copy.
const tmpDir = "tmp"

// removeStaleTemps deletes temporary files older than a day: a crash in
// the middle of an upload leaves one behind.
func (s *Store) removeStaleTemps() {
	entries, err := os.ReadDir(filepath.Join(s.dir, tmpDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(s.dir, tmpDir, e.Name()))
		}
	}
}

// Dir is the blob directory.
func (s *Store) Dir() string { return s.dir }

// ValidHash reports whether h is a blob name: 64 lower-case hex digits.
func ValidHash(h string) bool {
	if len(h) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (s *Store) path(hash string) string { return filepath.Join(s.dir, hash[:2], hash) }

// Put stores everything r yields and returns the plaintext's SHA-256 (hex)
// and size: Stage followed by Commit. Concurrent Puts of the same content
// are safe, and the content is stored once.
func (s *Store) Put(r io.Reader) (hash string, size int64, err error) {
	st, err := s.Stage(r)
	if err != nil {
		return "", 0, err
	}
	defer st.Discard()
	if err := st.Commit(); err != nil {
		return "", 0, err
	}
	return st.hash, st.size, nil
}

// Staged is content encrypted into a temporary file, hashed, synced, and
// not yet under its name. Splitting the two steps lets the caller commit
// the file inside the database transaction that records it, so garbage
// collection (which deletes files inside its own transaction) can never
// remove a blob that a concurrent upload is about to use.
type Staged struct {
	s    *Store
	tmp  string
	hash string
	size int64
}

// Hash is the hex SHA-256 of the plaintext.
func (st *Staged) Hash() string { return st.hash }

// Size is the plaintext size.
func (st *Staged) Size() int64 { return st.size }

// Stage encrypts r into a temporary file. It streams: memory use is two
// segments whatever the size. Call Discard when done (after Commit too).
func (s *Store) Stage(r io.Reader) (*Staged, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, tmpDir), "put-*")
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	sum, size, err := s.encrypt(tmp, r)
	if err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("sync blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("close blob: %w", err)
	}
	ok = true
	return &Staged{s: s, tmp: tmp.Name(), hash: hex.EncodeToString(sum), size: size}, nil
}

// Open reads the staged plaintext back (to make a thumbnail, say).
func (st *Staged) Open() (io.ReadSeekCloser, error) {
	f, err := os.Open(st.tmp)
	if err != nil {
		return nil, fmt.Errorf("open staged blob: %w", err)
	}
	r, err := st.s.newReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Commit puts the staged file under its hash. When that content is
// already stored, the existing file is kept. It may be called again (after
// a failed transaction, say).
func (st *Staged) Commit() error {
	final := st.s.path(st.hash)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return fmt.Errorf("create blob directory: %w", err)
	}
	// Link, not rename: a file already there (same content) is kept,
	// and whichever concurrent Commit links first wins.
	if err := os.Link(st.tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("store blob: %w", err)
	}
	syncDir(filepath.Dir(final))
	return nil
}

// Discard removes the temporary file.
func (st *Staged) Discard() { os.Remove(st.tmp) }

// syncDir makes a new directory entry durable. Errors are ignored: some
// file systems do not support it, and the data itself is synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// encrypt writes the header and sealed segments of r to w, hashing the
// plaintext on the way.
func (s *Store) encrypt(w io.Writer, r io.Reader) (sum []byte, size int64, err error) {
	var header [headerSize]byte
	copy(header[:], magic)
	if _, err := rand.Read(header[len(magic):]); err != nil {
		return nil, 0, fmt.Errorf("blob salt: %w", err)
	}
	aead, err := s.aead(header[len(magic):])
	if err != nil {
		return nil, 0, err
	}
	bw := bufio.NewWriterSize(w, 2*sealedSize)
	if _, err := bw.Write(header[:]); err != nil {
		return nil, 0, fmt.Errorf("write blob: %w", err)
	}
	h := sha256.New()
	// Read one byte ahead so the last segment is known when it is sealed.
	br := bufio.NewReaderSize(r, SegmentSize+1)
	plain := make([]byte, SegmentSize)
	sealed := make([]byte, 0, sealedSize)
	var nonce [12]byte
	for i := uint64(0); ; i++ {
		n, err := io.ReadFull(br, plain)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, 0, fmt.Errorf("read upload: %w", err)
		}
		last := n < SegmentSize
		if !last {
			if _, perr := br.Peek(1); perr != nil {
				if !errors.Is(perr, io.EOF) {
					return nil, 0, fmt.Errorf("read upload: %w", perr)
				}
				last = true
			}
		}
		h.Write(plain[:n])
		size += int64(n)
		segmentNonce(&nonce, i, last)
		sealed = aead.Seal(sealed[:0], nonce[:], plain[:n], header[:])
		if _, err := bw.Write(sealed); err != nil {
			return nil, 0, fmt.Errorf("write blob: %w", err)
		}
		if last {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, 0, fmt.Errorf("write blob: %w", err)
	}
	return h.Sum(nil), size, nil
}

// aead is the cipher of one file.
func (s *Store) aead(salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, s.key, salt, "nexus blob v1", 32)
	if err != nil {
		return nil, fmt.Errorf("derive blob key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// segmentNonce is the segment index (big-endian) and a last-segment flag.
func segmentNonce(n *[12]byte, i uint64, last bool) {
	binary.BigEndian.PutUint64(n[3:11], i)
	n[11] = 0
	if last {
		n[11] = 1
	}
}

// Exists reports whether the blob is stored.
func (s *Store) Exists(hash string) bool {
	if !ValidHash(hash) {
		return false
	}
	_, err := os.Stat(s.path(hash))
	return err == nil
}

// Delete removes a blob; a missing one is not an error.
func (s *Store) Delete(hash string) error {
	if !ValidHash(hash) {
		return fmt.Errorf("invalid blob hash %q", hash)
	}
	if err := os.Remove(s.path(hash)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

// Open returns a reader of the plaintext and its size. The reader (a
// *Reader) seeks by segment; every byte it returns has been authenticated,
// and a damaged segment makes Read fail with ErrCorrupt.
func (s *Store) Open(hash string) (io.ReadSeekCloser, int64, error) {
	if !ValidHash(hash) {
		return nil, 0, ErrNotFound
	}
	f, err := os.Open(s.path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	r, err := s.newReader(f)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return r, r.size, nil
}

func (s *Store) newReader(f *os.File) (*Reader, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat blob: %w", err)
	}
	body := info.Size() - int64(headerSize)
	if body < tagSize {
		return nil, ErrCorrupt
	}
	r := &Reader{f: f, seg: -1}
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, int64(headerSize)), r.header[:]); err != nil {
		return nil, ErrCorrupt
	}
	if string(r.header[:len(magic)]) != magic {
		return nil, ErrCorrupt
	}
	if r.aead, err = s.aead(r.header[len(magic):]); err != nil {
		return nil, err
	}
	r.segments = (body + sealedSize - 1) / sealedSize
	if body-(r.segments-1)*sealedSize < tagSize {
		return nil, ErrCorrupt
	}
	r.size = body - r.segments*tagSize
	r.plain = make([]byte, 0, SegmentSize)
	r.sealed = make([]byte, sealedSize)
	return r, nil
}

// Reader reads a blob's plaintext. It is an io.ReadSeekCloser and an
// io.ReaderAt; it is not safe for concurrent use.
type Reader struct {
	f        *os.File
	header   [headerSize]byte
	aead     cipher.AEAD
	size     int64
	segments int64
	pos      int64

	seg    int64  // index of the segment in plain, -1 for none
	plain  []byte // decrypted segment
	sealed []byte
}

// Size is the plaintext size.
func (r *Reader) Size() int64 { return r.size }

// load decrypts segment i into r.plain.
func (r *Reader) load(i int64) error {
	if i == r.seg {
		return nil
	}
	r.seg = -1
	off := int64(headerSize) + i*sealedSize
	n := int64(sealedSize)
	if i == r.segments-1 {
		n = int64(headerSize) + r.size + r.segments*tagSize - off
	}
	buf := r.sealed[:n]
	if _, err := r.f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrCorrupt
		}
		return fmt.Errorf("read blob: %w", err)
	}
	var nonce [12]byte
	segmentNonce(&nonce, uint64(i), i == r.segments-1)
	plain, err := r.aead.Open(r.plain[:0], nonce[:], buf, r.header[:])
	if err != nil {
		return ErrCorrupt
	}
	r.plain, r.seg = plain, i
	return nil
}

// Read implements io.Reader.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt implements io.ReaderAt (not concurrently: it shares the segment
// buffer).
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	n := 0
	for n < len(p) {
		if off >= r.size {
			return n, io.EOF
		}
		i := off / SegmentSize
		if err := r.load(i); err != nil {
			return n, err
		}
		c := copy(p[n:], r.plain[off-i*SegmentSize:])
		n += c
		off += int64(c)
	}
	return n, nil
}

// Seek implements io.Seeker.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("blob: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("blob: negative position")
	}
	r.pos = offset
	return offset, nil
}

// WriteTo streams the rest of the blob to w, a segment at a time, without
// an intermediate copy (io.Copy uses it).
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.pos < r.size {
		i := r.pos / SegmentSize
		if err := r.load(i); err != nil {
			return total, err
		}
		n, err := w.Write(r.plain[r.pos-i*SegmentSize:])
		total += int64(n)
		r.pos += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Close closes the file.
func (r *Reader) Close() error { return r.f.Close() }
