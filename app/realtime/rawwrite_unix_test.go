//go:build unix

package realtime

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// TestInlineWritesKeepFramesWholeAndInOrder fills a socket with a tiny send
// buffer while its client is not reading, so inline writes stop part-way
// through a frame and the writer goroutine takes over the rest; the client
// must then read every frame whole and in order.
func TestInlineWritesKeepFramesWholeAndInOrder(t *testing.T) {
	const frames, size = 300, 10 << 10
	ln := localListener(t)
	gw := &Gateway{cfg: Config{WriteTimeout: 10 * time.Second, SendBuffer: 2 * frames}}
	queued := make(chan *conn, 1)
	release := make(chan struct{})
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
			c := &conn{g: gw, ws: ws, raw: newRawWriter(ws.UnderlyingConn())}
			if c.raw != nil {
				smallSendBuffer(c.raw)
			}
			buf := make([]byte, 0, batchSize)
			for i := range frames {
				c.mu.Lock()
				c.enqueueLocked(textFrame(testPayload(i, size)), false)
				c.mu.Unlock()
				if i%3 != 0 { // single frames and packed pairs
					c.flush(buf)
				}
			}
			c.flush(buf)
			// The shard reuses its buffer for the next connection at once.
			for i := range buf[:cap(buf)] {
				buf[:cap(buf)][i] = 'x'
			}
			queued <- c
			<-release
			c.finish()
		})
	}}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown()
	ws := dialSmallWindow(t, ln.Addr().String())
	c := <-queued
	defer close(release)
	if c.raw == nil {
		t.Fatal("a plain TCP socket has no raw descriptor: inline writes are not tested")
	}
	c.mu.Lock()
	handedOver := c.writing
	c.mu.Unlock()
	if !handedOver {
		t.Fatal("the full socket did not hand the rest over to the writer goroutine")
	}
	for i := range frames {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		mt, got, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if want := testPayload(i, size); mt != websocket.TextMessage || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: type %d, %d bytes starting %.5q; want text %.5q (%d bytes)", i, mt, len(got), got, want, len(want))
		}
	}
}

// TestInlineWriteRemainderOutlivesTheBuffer: what a full socket did not
// take is copied out of the shard's packing buffer, which the shard reuses
// for the next connection at once.
func TestInlineWriteRemainderOutlivesTheBuffer(t *testing.T) {
	ln := localListener(t)
	type result struct {
		packed, rest []byte
		err          error
	}
	done := make(chan result, 1)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
			c := &conn{g: &Gateway{cfg: Config{WriteTimeout: time.Second}}, ws: ws, raw: newRawWriter(ws.UnderlyingConn())}
			if c.raw == nil {
				done <- result{err: fmt.Errorf("no raw descriptor")}
				return
			}
			buf := make([]byte, 0, batchSize)
			for i := range 1000 {
				f1, f2 := textFrame(bytes.Repeat([]byte{'a'}, 3000)), textFrame(bytes.Repeat([]byte{byte('b' + i%20)}, 3000))
				partial, rest, err := c.writeNow([][]byte{f1, f2}, buf)
				if err != nil || partial != nil || len(rest) > 0 {
					for j := range buf[:cap(buf)] {
						buf[:cap(buf)][j] = 'x'
					}
					left := append(partial, bytes.Join(rest, nil)...)
					done <- result{packed: append(f1, f2...), rest: left, err: err}
					return
				}
			}
			done <- result{err: fmt.Errorf("the socket never filled up")}
		})
	}}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()
	r := <-done // the client reads nothing until then
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.rest) == 0 {
		t.Fatal("nothing was left over")
	}
	if want := r.packed[len(r.packed)-len(r.rest):]; !bytes.Equal(r.rest, want) {
		t.Fatalf("the remainder (%d bytes) changed with the buffer: %.20q…, want %.20q…", len(r.rest), r.rest, want)
	}
}

// TestNoRawWritesUnderTLS: writing to the descriptor under TLS would send
// plaintext; such sockets must go through the writer goroutine.
func TestNoRawWritesUnderTLS(t *testing.T) {
	ln := localListener(t)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if newRawWriter(nc) == nil {
		t.Fatal("a plain TCP connection gets no raw writer")
	}
	if w := newRawWriter(tls.Server(nc, &tls.Config{})); w != nil {
		t.Fatal("a TLS connection got a raw writer")
	}
}

// TestCloseAfterAPartialWriteKeepsTheStreamWhole: a connection cut while
// the socket holds part of a frame still finishes that frame before the
// close frame, so the client reads whole frames and then the close code.
func TestCloseAfterAPartialWriteKeepsTheStreamWhole(t *testing.T) {
	for round := range 5 {
		t.Run(fmt.Sprint(round), func(t *testing.T) { closeAfterPartialWrite(t) })
	}
}

func closeAfterPartialWrite(t *testing.T) {
	const size = 10 << 10
	ln := localListener(t)
	gw := &Gateway{cfg: Config{WriteTimeout: 10 * time.Second, SendBuffer: 1000}}
	cut := make(chan error, 1)
	release := make(chan struct{})
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
			defer func() { <-release }()
			c := &conn{g: gw, ws: ws, raw: newRawWriter(ws.UnderlyingConn())}
			if c.raw == nil {
				cut <- fmt.Errorf("no raw descriptor")
				return
			}
			smallSendBuffer(c.raw)
			buf := make([]byte, 0, batchSize)
			for i := range 500 {
				c.mu.Lock()
				c.enqueueLocked(textFrame(testPayload(i, size)), false)
				c.mu.Unlock()
				c.flush(buf)
				c.mu.Lock()
				started := c.partial != nil || c.writing
				c.mu.Unlock()
				if started {
					c.closeWith(CloseSlowConsumer, "slow consumer")
					cut <- nil
					c.finish()
					return
				}
			}
			cut <- fmt.Errorf("the socket never filled up")
		})
	}}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown()
	defer close(release)
	ws := dialSmallWindow(t, ln.Addr().String())
	if err := <-cut; err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		mt, got, err := ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, CloseSlowConsumer) {
				t.Fatalf("after %d whole frames: %v, want close %d", i, err, CloseSlowConsumer)
			}
			return
		}
		if want := testPayload(i, size); mt != websocket.TextMessage || !bytes.Equal(got, want) {
			t.Fatalf("frame %d: type %d, %d bytes starting %.5q; want text %.5q", i, mt, len(got), got, want)
		}
	}
}

// smallSendBuffer makes a server socket's kernel buffer fill after a few
// KiB, so that writes to a client that is not reading stop part-way.
func smallSendBuffer(w *rawWriter) {
	_ = w.rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096)
	})
}

// dialSmallWindow opens a WebSocket with a small receive buffer, so that
// what the server writes cannot all move into the client's buffer while it
// is not reading. The socket closes with the test.
func dialSmallWindow(t *testing.T, addr string) *websocket.Conn {
	t.Helper()
	nd := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	d := websocket.Dialer{NetDial: nd.Dial}
	ws, _, err := d.Dial("ws://"+addr+"/", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// testPayload is frame i of a test stream: its number, then size bytes of
// one letter, so a frame cut or out of place shows.
func testPayload(i, size int) []byte {
	return append([]byte(fmt.Sprintf("%04d:", i)), bytes.Repeat([]byte{byte('a' + i%26)}, size)...)
}

// localListener listens on a free loopback port until the test ends.
func localListener(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}
