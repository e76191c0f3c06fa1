package realtime

import (
	"context"
	"encoding/json"
	"time"

	"github.com/fasthttp/websocket"

	"nexus/app"
)

// NoResume is Serve's resumeFrom when the client did not ask to resume at
// connect time.
const NoResume = -1

// Serve runs one upgraded socket until it closes. p is the principal of
// the ticket (or Authorization header) that opened it; when nil, the first
// frame must be {"type":"auth","token":…}, checked with auth. resumeFrom is
// the client's last seen sequence when it asked to resume at connect time
// (?last_seq=, or last_seq in the auth frame), else NoResume. release gives
// back the slot Admit reserved. Serve runs on the goroutine the HTTP server
// hands the socket to and returns when the socket is done.
func (g *Gateway) Serve(ws *websocket.Conn, p *app.Principal, auth Authenticator, resumeFrom int64, release func()) {
	g.serving.Add(1)
	defer g.serving.Done()
	defer release()
	if g.closing.Load() {
		closeNow(ws, CloseGoingAway, "server shutting down")
		return
	}
	ws.SetReadLimit(g.cfg.MaxFrame)
	if p == nil {
		if p, resumeFrom = g.authenticate(ws, auth); p == nil {
			return
		}
	}

	c := &conn{g: g, ws: ws, raw: newRawWriter(ws.UnderlyingConn()), userID: p.User.ID, holding: true}
	if c.raw != nil {
		// The HTTP server's deadline from the handshake would fail the
		// inline writes (see conn.flush) once it passed.
		_ = ws.UnderlyingConn().SetWriteDeadline(time.Time{})
	}
	defer c.finish()
	c.p.Store(p)
	now := g.cfg.Now()
	c.pingAt.Store(now.UnixNano())
	c.setLastCheck(now)
	ws.SetPongHandler(func(string) error { c.extendRead(); return nil })
	// Pongs go through the writer like every other frame: the writer owns
	// the socket's write deadline (see writeBatch).
	ws.SetPingHandler(func(data string) error {
		c.extendRead()
		c.mu.Lock()
		defer c.mu.Unlock()
		c.pushLocked(encodeFrame(opPong, []byte(data)), false)
		return nil
	})

	// Register before reading the newest sequence: every event committed
	// after that read reaches this connection (held until hello is out).
	s := g.shardFor(c.userID)
	if !s.add(c) {
		closeNow(ws, CloseTooManyPerUser, "too many connections")
		return
	}
	defer s.remove(c)
	g.presence.connect(c.userID)
	defer func() { g.presence.disconnect(c.userID, c.away) }()

	latest, err := g.latest(g.ctx)
	if err != nil {
		g.log.Error("realtime: read latest sequence", "error", err)
		closeNow(ws, CloseInternal, "internal error")
		return
	}
	hello, _ := json.Marshal(helloFrame{Type: "hello", UserID: c.userID, Seq: latest,
		PingInterval: int(g.cfg.PingInterval / time.Second), ReplayWindow: int(g.cfg.ReplayWindow / time.Second)})
	c.mu.Lock()
	c.cursor = latest
	c.pushLocked(textFrame(hello), true)
	if resumeFrom <= 0 {
		c.releaseLocked()
	}
	c.mu.Unlock()
	if resumeFrom > 0 {
		g.replay(c, resumeFrom)
	}
	g.readLoop(c)
}

// closeNow closes a socket that has no writer yet.
func closeNow(ws *websocket.Conn, code int, reason string) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// authenticate reads the first frame of a socket opened without a ticket.
func (g *Gateway) authenticate(ws *websocket.Conn, auth Authenticator) (*app.Principal, int64) {
	_ = ws.SetReadDeadline(time.Now().Add(g.cfg.AuthTimeout))
	mt, data, err := ws.ReadMessage()
	if err != nil {
		if isTimeout(err) {
			closeNow(ws, CloseUnauthorized, "authentication timed out")
		}
		return nil, 0
	}
	var f clientFrame
	if mt != websocket.TextMessage || json.Unmarshal(data, &f) != nil || f.Type != "auth" || f.Token == "" || auth == nil {
		closeNow(ws, CloseUnauthorized, "authenticate first")
		return nil, 0
	}
	p, err := auth(g.ctx, f.Token)
	if err != nil {
		reason := "authentication failed"
		if e, ok := err.(*app.Error); ok && e.Code == app.CodeUnauthorized {
			if r, _ := e.Details["reason"].(string); r != "" {
				reason = r
			}
		}
		closeNow(ws, CloseUnauthorized, reason)
		return nil, 0
	}
	resume := int64(NoResume)
	if f.LastSeq != nil {
		resume = *f.LastSeq
	}
	return p, resume
}

func (g *Gateway) readLoop(c *conn) {
	for {
		c.extendRead()
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			if isTimeout(err) && !c.isClosed() {
				c.closeWith(CloseIdle, "idle timeout")
			}
			return
		}
		if c.isClosed() {
			return
		}
		if mt != websocket.TextMessage {
			c.closeWith(CloseUnsupported, "text frames only")
			return
		}
		var f clientFrame
		if err := json.Unmarshal(data, &f); err != nil {
			c.closeWith(CloseInvalid, "frames must be JSON")
			return
		}
		g.handleFrame(c, &f)
	}
}

// typingEvery is how often one connection may announce typing.
const typingEvery = 500 * time.Millisecond

func (g *Gateway) handleFrame(c *conn, f *clientFrame) {
	switch f.Type {
	case "ping":
		c.send(pongFrame)
	case "resume":
		if f.LastSeq == nil || *f.LastSeq < 0 {
			c.send(errorFrame(app.CodeInvalid, "resume needs last_seq."))
			return
		}
		g.resumeLater(c, *f.LastSeq)
	case "typing":
		if !validID(f.ChannelID) || (f.ParentID != "" && !validID(f.ParentID)) {
			c.send(errorFrame(app.CodeInvalid, "typing needs a channel_id."))
			return
		}
		now := time.Now()
		if now.Sub(c.typingAt) < typingEvery {
			return
		}
		c.typingAt = now
		p := c.principal()
		// Only someone who can see the channel may type in it; otherwise
		// say nothing (an error would confirm the channel exists).
		probe := Event{Type: "typing", ResourceType: "channel", ResourceID: f.ChannelID}
		if !g.visible(g.ctx, p, probe) {
			return
		}
		data := map[string]any{"channel_id": f.ChannelID, "user_id": p.User.ID}
		if f.ParentID != "" {
			data["parent_id"] = f.ParentID
		}
		if err := g.PublishEphemeral(g.ctx, "channel", f.ChannelID, "typing", data); err != nil {
			g.log.Warn("realtime: publish typing", "error", err)
		}
	case "presence":
		if f.Status != "away" && f.Status != "online" {
			c.send(errorFrame(app.CodeInvalid, `presence status must be "online" or "away".`))
			return
		}
		away := f.Status == "away"
		c.mu.Lock()
		changed := c.away != away
		c.away = away
		c.mu.Unlock()
		if changed {
			g.presence.setAway(c.userID, away)
		}
	case "auth":
		c.send(errorFrame(app.CodeInvalid, "Already authenticated."))
	default:
		c.send(errorFrame(app.CodeInvalid, "Unknown frame type."))
	}
}

// resumeLater handles a resume frame. It can replay only if nothing went
// out live since hello: a client drops events older than the newest it has,
// so replaying after live events would lose the replayed ones. Then it is
// told to refetch instead. (Resuming at connect time never has this
// problem: prefer ?last_seq= or last_seq in the auth frame.)
func (g *Gateway) resumeLater(c *conn, lastSeq int64) {
	c.mu.Lock()
	if c.liveSent || c.holding {
		c.pushLocked(textFrame(resyncFrame(c.cursor)), true)
		c.mu.Unlock()
		return
	}
	c.holding = true
	c.mu.Unlock()
	g.replay(c, lastSeq)
}

// maxReplayScan bounds the outbox rows one resume reads.
const maxReplayScan = 100_000

// replay sends the events after lastSeq that the connection's user may see
// now, then releases the live events held meanwhile. Beyond the replay
// window, past MaxReplay events, or when the server's history is behind the
// client's (a restored backup), the client gets resync instead.
func (g *Gateway) replay(c *conn, lastSeq int64) {
	var frames [][]byte
	var last int64
	var ok bool
	offStack(func() { frames, last, ok = g.collect(g.ctx, c.principal(), lastSeq) })
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		c.pushLocked(textFrame(resyncFrame(max(c.cursor, last))), true)
	} else {
		for _, f := range frames {
			c.pushLocked(textFrame(f), true)
		}
		c.cursor = max(c.cursor, last)
		c.pushLocked(textFrame(resumedFrame(c.cursor, len(frames))), true)
	}
	c.releaseLocked()
}

// collect reads the outbox after lastSeq and keeps what p may see. last is
// the newest sequence read.
func (g *Gateway) collect(ctx context.Context, p *app.Principal, lastSeq int64) (frames [][]byte, last int64, ok bool) {
	latest, err := g.out.LatestOutboxSeq(ctx)
	if err != nil {
		g.log.Error("realtime: replay", "error", err)
		return nil, 0, false
	}
	if lastSeq > latest {
		return nil, latest, false
	}
	oldest := g.cfg.Now().Add(-g.cfg.ReplayWindow)
	last = lastSeq
	for scanned := 0; scanned < maxReplayScan; {
		events, err := g.out.OutboxSince(ctx, last, consumerBatch)
		if err != nil {
			g.log.Error("realtime: replay", "after_seq", last, "error", err)
			return nil, last, false
		}
		if len(events) == 0 {
			return frames, last, true
		}
		if last == lastSeq && (events[0].Seq != lastSeq+1 || events[0].At.Before(oldest)) {
			// The first missed event was pruned or is too old.
			return nil, latest, false
		}
		for _, se := range events {
			last = se.Seq
			e, err := se.Event()
			if err != nil || !g.visible(ctx, p, e) {
				continue
			}
			raw, err := se.Encode()
			if err != nil {
				continue
			}
			if frames = append(frames, raw); len(frames) > g.cfg.MaxReplay {
				return nil, latest, false
			}
		}
		scanned += len(events)
		if len(events) < consumerBatch {
			return frames, last, true
		}
	}
	return nil, latest, false
}
