//go:build !unix

package realtime

import "net"

// rawWriter is Unix only: elsewhere every write goes through the writer
// goroutine.
type rawWriter struct{}

func newRawWriter(net.Conn) *rawWriter { return nil }

func (*rawWriter) Write([]byte) (int, error) { panic("realtime: no raw writes on this platform") }
