//go:build unix

package realtime

import (
	"errors"
	"net"
	"syscall"
)

// rawWriter writes to a socket's descriptor without waiting. There is one
// per connection, used by one writer at a time, so that the callback handed
// to RawConn.Write is built once rather than allocated for every write.
type rawWriter struct {
	rc  syscall.RawConn
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

// newRawWriter returns a writer for a plain TCP (or Unix) socket the HTTP
// server handed over, or nil for anything else: a TLS connection must never
// be written to underneath its encryption.
func newRawWriter(nc net.Conn) *rawWriter {
	if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
		nc = u.UnsafeConn() // fasthttp's wrapper of a hijacked connection
	}
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return nil
	}
	w := &rawWriter{rc: rc}
	w.fn = w.write
	return w
}

// Write writes as much of b as the socket takes now. Go's sockets are
// non-blocking, so a full send buffer answers EAGAIN, which here means
// "the rest later" rather than waiting for the poller.
func (w *rawWriter) Write(b []byte) (int, error) {
	w.b, w.n, w.err = b, 0, nil
	err := w.rc.Write(w.fn)
	n, werr := w.n, w.err
	w.b = nil
	if err != nil {
		return n, err
	}
	return n, werr
}

func (w *rawWriter) write(fd uintptr) bool {
	for w.n < len(w.b) {
		m, err := syscall.Write(int(fd), w.b[w.n:])
		if m > 0 {
			w.n += m
		}
		switch {
		case err == nil && m > 0:
		case errors.Is(err, syscall.EINTR):
		case errors.Is(err, syscall.EAGAIN):
			return true
		case err != nil:
			w.err = err
			return true
		default:
			w.err = syscall.EIO // 0 bytes without an error: cannot go on
			return true
		}
	}
	return true
}
