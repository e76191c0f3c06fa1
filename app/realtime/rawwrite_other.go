//go:build !unix

package realtime

import (
	"net"
	"syscall"
)

// rawConnOf: without Unix descriptors every write goes through the writer
// goroutine.
func rawConnOf(net.Conn) syscall.RawConn { return nil }

func writeNonBlocking(syscall.RawConn, []byte) (int, error) {
	return 0, syscall.EINVAL
}
