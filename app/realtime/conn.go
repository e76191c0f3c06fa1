package realtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/fasthttp/websocket"

	"nexus/app"
)

// A connection costs one goroutine (the reader, which is the goroutine the
// HTTP server hands the socket to) while idle. A writer goroutine exists
// only while frames are queued; frames are prepared once per event and
// shared by every connection; write buffers come from a pool. That keeps an
// idle connection to a few kilobytes.

// Frames are encoded once (see encodeFrame) and written raw to the socket:
// the writer sends everything queued for a connection in one write, so under
// load a connection costs one system call per batch instead of one per
// event. Every frame is a single Write on the underlying connection, and
// a net.Conn never interleaves two Writes, so the library's own control
// frames (pong, close on a protocol error) cannot tear ours apart.

// conn is one authenticated socket.
type conn struct {
	g  *Gateway
	ws *websocket.Conn
	// raw writes to the socket without waiting (nil when the transport has
	// no descriptor of its own, e.g. TLS: then only the writer goroutine
	// writes).
	raw    *rawWriter
	userID string
	p      atomic.Pointer[app.Principal]
	pingAt atomic.Int64 // unix nanoseconds of the last ping sent
	// checkAt is when the principal was last re-read.
	checkAt atomic.Int64

	// wg counts the goroutines that use the socket besides the reader
	// (the writer, close senders): Serve waits for them before it returns
	// the socket to the HTTP server, which reuses its wrapper.
	wg sync.WaitGroup
	// stopped mirrors closed for the writer, which checks it before every
	// frame so that a closing connection stops writing at once.
	stopped atomic.Bool

	mu sync.Mutex
	// cursor is the highest event sequence queued for this connection;
	// anything at or below it is a duplicate.
	cursor int64
	// liveSent: an event went out live since hello; a later resume frame
	// can then no longer be replayed in order and gets resync instead.
	liveSent bool
	// holding: live events wait in pending (before hello, during replay).
	holding  bool
	pending  []*delivery
	overflow bool
	queue    [][]byte
	// partial is the rest of frames an inline write began: it must reach
	// the socket before anything else, the close frame included, or the
	// stream would be corrupt.
	partial []byte
	// writing: a writer (the goroutine, or a shard writing inline) owns
	// the socket's data frames; flushQueued: a shard will flush.
	writing     bool
	flushQueued bool
	closed      bool
	// closeCode is the close frame the writer still has to send.
	closeCode   int
	closeReason string
	away        bool

	typingAt time.Time // reader goroutine only
	// deadlineAt is the write deadline last set (writer goroutine only;
	// the writers of one connection never overlap).
	deadlineAt time.Time
}

func (c *conn) principal() *app.Principal { return c.p.Load() }

func (c *conn) setPrincipal(p *app.Principal) {
	if p != nil && p.User.ID == c.userID {
		c.p.Store(p)
	}
}

func (c *conn) lastPing() time.Time      { return time.Unix(0, c.pingAt.Load()) }
func (c *conn) lastCheck() time.Time     { return time.Unix(0, c.checkAt.Load()) }
func (c *conn) setLastCheck(t time.Time) { c.checkAt.Store(t.UnixNano()) }

// deliver queues a fanned-out event; it never blocks. It does not write:
// it reports whether the caller (a shard) must flush the connection once
// it has queued everything at hand (see flush).
func (c *conn) deliver(d *delivery) (needsFlush bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if !d.ephemeral {
		if d.ev.Seq <= c.cursor {
			return false
		}
		if c.holding {
			if len(c.pending) >= c.g.cfg.SendBuffer {
				// Too much arrived during a replay: drop it and tell the
				// client to refetch once the replay is done.
				c.pending, c.overflow = nil, true
				return false
			}
			c.pending = append(c.pending, d)
			return false
		}
		c.cursor = d.ev.Seq
		c.liveSent = true
	} else if c.holding {
		return false // typing and presence are worthless late
	}
	if !c.enqueueLocked(d.frame, false) || c.writing || c.flushQueued {
		return false // a running writer sends it
	}
	c.flushQueued = true
	return true
}

// flush sends what deliver queued. When the socket has no writer running,
// the calling shard writes the queue itself without blocking: the common
// case, a socket whose kernel buffer has room, then costs one system call
// and no goroutine. Whatever the socket does not take at once (or anything
// on a socket without a raw descriptor, such as TLS) goes to the writer
// goroutine, which may wait.
func (c *conn) flush(buf []byte) {
	c.mu.Lock()
	c.flushQueued = false
	if c.writing || c.closed || len(c.queue) == 0 {
		c.mu.Unlock()
		return
	}
	if c.raw == nil {
		c.startWriterLocked()
		c.mu.Unlock()
		return
	}
	batch := c.queue
	c.queue = nil
	// The inline write counts as a writer: finish waits for it, and it
	// hands its count over to the writer goroutine if one must go on.
	c.writing = true
	c.wg.Add(1)
	c.mu.Unlock()

	partial, rest, err := c.writeNow(batch, buf)
	c.mu.Lock()
	if err != nil {
		c.writing = false
		c.mu.Unlock()
		c.wg.Done()
		c.abort()
		return
	}
	c.partial = partial
	if len(rest) > 0 && !c.closed {
		c.queue = append(rest, c.queue...)
	}
	if c.partial != nil || len(c.queue) > 0 || c.closed {
		// Still writing: the goroutine sends the rest (or the close
		// frame) and calls wg.Done.
		go c.writeLoop()
		c.mu.Unlock()
		return
	}
	c.writing = false
	c.queue = nil
	c.mu.Unlock()
	c.wg.Done()
}

// writeNow writes batch (packed into buf) as far as the socket takes it
// without waiting. It returns the unsent rest of a write the socket took
// only part of (copied out of buf) and the frames it did not start.
func (c *conn) writeNow(batch [][]byte, buf []byte) (partial []byte, rest [][]byte, err error) {
	if c.stopped.Load() {
		return nil, nil, nil
	}
	for i := 0; i < len(batch); {
		b, j := nextPack(batch, i, buf)
		n, err := c.raw.Write(b)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case n == 0:
			return nil, batch[i:], nil
		case n < len(b):
			return bytes.Clone(b[n:]), batch[j:], nil
		}
		i = j
	}
	return nil, nil, nil
}

// release ends holding: pending events newer than the cursor go out in
// order. With overflow the client is told to refetch instead.
func (c *conn) releaseLocked() {
	c.holding = false
	pending := c.pending
	c.pending = nil
	if c.overflow {
		c.overflow = false
		c.pushLocked(textFrame(resyncFrame(c.cursor)), true)
	}
	for _, d := range pending {
		if d.ev.Seq > c.cursor {
			c.cursor = d.ev.Seq
			c.liveSent = true
			c.pushLocked(d.frame, false)
		}
	}
}

// pushLocked queues f and starts the writer if it is not running. Past the
// send buffer (unless force), the connection is cut as a slow consumer: its
// queue is dropped and the writer sends the close frame once the frame it
// is writing is through, so the caller (fan-out) never waits for this
// socket and the client still learns why.
func (c *conn) pushLocked(frame []byte, force bool) bool {
	if !c.enqueueLocked(frame, force) {
		return false
	}
	c.startWriterLocked()
	return true
}

// enqueueLocked is pushLocked without starting the writer.
func (c *conn) enqueueLocked(frame []byte, force bool) bool {
	if c.closed {
		return false
	}
	if !force && len(c.queue) >= c.g.cfg.SendBuffer {
		c.g.slowDrop.Add(1)
		c.closeLocked(CloseSlowConsumer, "slow consumer")
		return false
	}
	c.queue = append(c.queue, frame)
	return true
}

func (c *conn) startWriterLocked() {
	if !c.writing {
		c.writing = true
		c.wg.Add(1)
		go c.writeLoop()
	}
}

// send queues a text message.
func (c *conn) send(data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushLocked(textFrame(data), false)
}

func (c *conn) ping(now time.Time) {
	c.pingAt.Store(now.UnixNano())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushLocked(pingFrame, false)
}

// writeLoop drains the queue and exits when it is empty. It is the only
// goroutine that writes data frames (the library itself answers pings and
// close frames), and it sends the close frame of a closing connection.
func (c *conn) writeLoop() {
	defer c.wg.Done()
	var buf []byte
	defer func() {
		if buf != nil {
			putBatchBuf(buf)
		}
	}()
	for {
		c.mu.Lock()
		if p := c.partial; p != nil {
			c.partial = nil
			c.mu.Unlock()
			if err := c.write(p); err != nil {
				c.mu.Lock()
				c.writing = false
				c.mu.Unlock()
				c.abort()
				return
			}
			continue
		}
		if c.closed {
			code, reason := c.closeCode, c.closeReason
			c.closeCode, c.writing, c.queue = 0, false, nil
			c.mu.Unlock()
			if code != 0 {
				c.sendClose(code, reason)
			}
			return
		}
		if len(c.queue) == 0 {
			c.writing = false
			c.queue = nil // an idle connection keeps no buffer
			if c.raw != nil && !c.deadlineAt.IsZero() {
				// Inline writes never wait, so they run without a deadline;
				// the one set here would fail them once it passed. (Under the
				// lock: abort's past deadline, set after it marks the
				// connection closed, must win.)
				_ = c.ws.UnderlyingConn().SetWriteDeadline(time.Time{})
				c.deadlineAt = time.Time{}
			}
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		if len(batch) > 1 && buf == nil {
			buf = getBatchBuf()
		}
		if err := c.writeBatch(batch, buf); err != nil {
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			// A failed write leaves the stream unusable.
			c.abort()
			return
		}
	}
}

// writeBatch writes frames, packing consecutive ones into buf (up to its
// capacity) so that each write carries as many as fit.
func (c *conn) writeBatch(batch [][]byte, buf []byte) error {
	for i := 0; i < len(batch); {
		if c.stopped.Load() {
			return nil // closing: the close frame is next
		}
		b, j := nextPack(batch, i, buf)
		if err := c.write(b); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// nextPack returns the bytes of one write starting at frame i, and the
// frame after them: frame i alone, or frames i..j-1 copied into buf when
// more than one fits in its capacity (buf may be nil: one frame a write).
func nextPack(batch [][]byte, i int, buf []byte) ([]byte, int) {
	b, j := batch[i], i+1
	if j < len(batch) && len(b)+len(batch[j]) <= cap(buf) {
		b = append(buf[:0], b...)
		for ; j < len(batch) && len(b)+len(batch[j]) <= cap(b); j++ {
			b = append(b, batch[j]...)
		}
	}
	return b, j
}

// write writes b whole, waiting at most WriteTimeout (writer goroutine
// only).
func (c *conn) write(b []byte) error {
	// Moving the deadline re-arms a runtime timer; doing it only once half
	// of it has passed keeps every write bounded by between half and all of
	// WriteTimeout.
	if now := time.Now(); now.After(c.deadlineAt.Add(-c.g.cfg.WriteTimeout / 2)) {
		c.deadlineAt = now.Add(c.g.cfg.WriteTimeout)
		_ = c.ws.UnderlyingConn().SetWriteDeadline(c.deadlineAt)
	}
	_, err := c.ws.UnderlyingConn().Write(b)
	return err
}

// closeWith ends the connection with a close code the client can act on.
// Any goroutine may call it; it does not wait.
func (c *conn) closeWith(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked(code, reason)
}

func (c *conn) closeLocked(code int, reason string) {
	if c.closed {
		return
	}
	c.closed, c.queue, c.pending = true, nil, nil
	c.stopped.Store(true)
	c.closeCode, c.closeReason = code, reason
	c.startWriterLocked()
}

// sendClose writes the close frame and gives the client a second to answer
// it (the reader returns on the answer or the deadline).
func (c *conn) sendClose(code int, reason string) {
	err := c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason),
		time.Now().Add(c.g.cfg.WriteTimeout))
	if err != nil {
		c.abort()
		return
	}
	_ = c.ws.UnderlyingConn().SetReadDeadline(time.Now().Add(time.Second))
}

// abort unblocks the reader and any writer at once; the reader then
// returns and the HTTP server closes the socket. (The hijacked connection
// cannot be closed from here: its Close is a no-op by design.)
func (c *conn) abort() {
	c.mu.Lock()
	c.closed, c.queue, c.pending, c.partial = true, nil, nil, nil
	c.stopped.Store(true)
	c.mu.Unlock()
	nc := c.ws.UnderlyingConn()
	past := time.Unix(1, 0)
	_ = nc.SetWriteDeadline(past)
	_ = nc.SetReadDeadline(past)
}

// finish runs when the reader is done. Nothing may touch the socket after
// Serve returns (the HTTP server reuses its wrapper), so the writer is given
// a moment to send a pending close frame, then stopped and waited for.
func (c *conn) finish() {
	c.mu.Lock()
	if !c.closed {
		c.closed, c.queue, c.pending = true, nil, nil
		c.stopped.Store(true)
	}
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		c.abort()
		<-done
	}
}

// extendRead pushes the idle deadline out after anything arrived, unless
// the connection is closing (its shorter deadline must stand).
func (c *conn) extendRead() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.g.cfg.IdleTimeout))
	}
}

func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Server frames built per connection.

type helloFrame struct {
	Type         string `json:"type"`
	UserID       string `json:"user_id"`
	Seq          int64  `json:"seq"`
	PingInterval int    `json:"ping_interval"`
	ReplayWindow int    `json:"replay_window"`
}

func resyncFrame(seq int64) []byte {
	b, _ := json.Marshal(struct {
		Type string `json:"type"`
		Seq  int64  `json:"seq"`
	}{"resync", seq})
	return b
}

func resumedFrame(seq int64, replayed int) []byte {
	b, _ := json.Marshal(struct {
		Type     string `json:"type"`
		Seq      int64  `json:"seq"`
		Replayed int    `json:"replayed"`
	}{"resumed", seq, replayed})
	return b
}

func errorFrame(code app.ErrorCode, message string) []byte {
	b, _ := json.Marshal(struct {
		Type    string        `json:"type"`
		Code    app.ErrorCode `json:"code"`
		Message string        `json:"message"`
	}{"error", code, message})
	return b
}

var pongFrame = []byte(`{"type":"pong"}`)

// clientFrame is any frame a client sends.
type clientFrame struct {
	Type      string `json:"type"`
	Token     string `json:"token"`
	LastSeq   *int64 `json:"last_seq"`
	ChannelID string `json:"channel_id"`
	ParentID  string `json:"parent_id"`
	Status    string `json:"status"`
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// validID accepts the ids clients name resources by: short, printable.
func validID(s string) bool {
	if s == "" || len(s) > 64 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f {
			return false
		}
	}
	return true
}
