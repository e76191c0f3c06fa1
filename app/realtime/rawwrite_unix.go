//go:build unix

package realtime

import (
	"errors"
	"net"
	"syscall"
)

// rawConnOf returns the descriptor behind a plain TCP (or Unix) socket the
// HTTP server handed over, or nil for anything else: a TLS connection must
// never be written to underneath its encryption.
func rawConnOf(nc net.Conn) syscall.RawConn {
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
	return rc
}

// writeNonBlocking writes as much of b as the socket takes now. Go's
// sockets are non-blocking, so a full send buffer answers EAGAIN, which
// here means "the rest later" rather than waiting for the poller.
func writeNonBlocking(rc syscall.RawConn, b []byte) (int, error) {
	n := 0
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case err == nil && m > 0:
			case errors.Is(err, syscall.EINTR):
			case errors.Is(err, syscall.EAGAIN):
				return true
			case err != nil:
				werr = err
				return true
			default:
				werr = syscall.EIO // 0 bytes without an error: cannot go on
				return true
			}
		}
		return true
	})
	if err != nil {
		return n, err
	}
	return n, werr
}
