package realtime

import (
	"sync"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"

	"nexus/app"
)

// writeBuffers would lend the library's message writer a buffer; data
// frames are written raw (see conn.go), so it stays empty unless the library
// ever writes a message itself. A pool keeps idle sockets from holding one.
var writeBuffers sync.Pool

// upgrader has small read buffers (client frames are small and rare) and
// no compression (it would cost a compressor per socket and CPU per frame;
// events are small JSON).
var upgrader = websocket.FastHTTPUpgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &writeBuffers,
	// The API handler checks Origin (and Sec-Fetch-Site) against the
	// server's own origin before calling Upgrade.
	CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
}

// IsUpgrade reports whether the request asks for a WebSocket.
func IsUpgrade(ctx *fasthttp.RequestCtx) bool { return websocket.FastHTTPIsWebSocketUpgrade(ctx) }

// Upgrade answers the handshake and serves the socket (see Serve) once the
// HTTP server hands it over. On failure it has already answered with an
// HTTP error and released the slot.
func (g *Gateway) Upgrade(ctx *fasthttp.RequestCtx, p *app.Principal, auth Authenticator, resumeFrom int64, release func()) error {
	err := upgrader.Upgrade(ctx, func(ws *websocket.Conn) {
		g.Serve(ws, p, auth, resumeFrom, release)
	})
	if err != nil {
		release()
	}
	return err
}
