package realtime

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// TestRawFramesReadByClient writes frames of every length encoding, single
// and packed into one write, and reads them back with a real client.
func TestRawFramesReadByClient(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 0xffff, 0x10000, 300_000}
	payloads := make([][]byte, len(sizes))
	frames := make([][]byte, len(sizes))
	for i, n := range sizes {
		payloads[i] = bytes.Repeat([]byte{byte('a' + i)}, n)
		frames[i] = textFrame(payloads[i])
	}
	ln := fasthttputil.NewInmemoryListener()
	defer ln.Close()
	gw := &Gateway{cfg: Config{WriteTimeout: 5e9}}
	done := make(chan error, 1)
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
			c := &conn{g: gw, ws: ws}
			// One frame per write, then everything packed into batches.
			err := c.writeBatch(frames[:1], nil)
			if err == nil {
				err = c.writeBatch(frames, getBatchBuf())
			}
			done <- err
			_, _, _ = ws.ReadMessage() // hold the socket until the client is done
		})
	}}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown()
	d := websocket.Dialer{NetDialContext: func(context.Context, string, string) (net.Conn, error) { return ln.Dial() }}
	ws, _, err := d.Dial("ws://nexus.test/", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()
	want := append([][]byte{payloads[0]}, payloads...)
	for i, p := range want {
		mt, got, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if mt != websocket.TextMessage || !bytes.Equal(got, p) {
			t.Fatalf("frame %d: type %d, %d bytes; want text, %d bytes", i, mt, len(got), len(p))
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("write: %v", err)
	}
}
