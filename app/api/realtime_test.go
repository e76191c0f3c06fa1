package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"nexus/app"
	"nexus/app/api"
	"nexus/app/realtime"
	"nexus/store"
)

// These tests drive the gateway as browsers do: real WebSocket clients over
// a real TCP listener, the real store, the embedded NATS bus and the outbox
// dispatcher.

// rtHarness is a harness served on a real listener, with a realtime
// pipeline configured by the test.
type rtHarness struct {
	*harness
	rt   *testRealtime
	addr string // 127.0.0.1:port
	// dispatching: the dispatcher runs, so event() can wait for delivery.
	dispatching bool
	// visible[resourceID][userID]: who may see a "testdoc" event.
	mu      sync.Mutex
	visible map[string]map[string]bool
}

func newRTHarness(t *testing.T, tweak func(*realtime.Config)) *rtHarness {
	t.Helper()
	return newRTHarnessHTTP(t, tweak, 5*time.Second)
}

// newRTHarnessHTTP is newRTHarness with the HTTP server's write timeout
// (the deadline the handshake leaves on a socket) chosen.
func newRTHarnessHTTP(t *testing.T, tweak func(*realtime.Config), httpWriteTimeout time.Duration) *rtHarness {
	t.Helper()
	clk := &clock{t: time.Now().UTC()}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "nexus.db"), store.Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: logs}, nil))
	deps := buildDeps(t, st, clk, key, options{ipPerMinute: 10000, freeFailures: 5}, log)
	rt := startTestRealtime(t, st, clk, log, tweak)
	deps.Realtime = rt.gateway
	srv, err := api.New(api.Config{BodyLimit: 64 << 10, BodyLimitText: "64KiB", ReadTimeout: 5 * time.Second,
		WriteTimeout: httpWriteTimeout, IdleTimeout: 5 * time.Second}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(2 * time.Second) })
	h := &rtHarness{harness: &harness{t: t, srv: srv, store: st, clock: clk, logs: logs, signKey: key},
		rt: rt, addr: ln.Addr().String(), visible: map[string]map[string]bool{}, dispatching: true}
	rt.gateway.RegisterVisibility("testdoc", func(_ context.Context, p *app.Principal, e realtime.Event) (bool, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.visible[e.ResourceID][p.User.ID], nil
	})
	return h
}

func (h *rtHarness) allow(docID string, userIDs ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.visible[docID] == nil {
		h.visible[docID] = map[string]bool{}
	}
	for _, id := range userIDs {
		h.visible[docID][id] = true
	}
}

func (h *rtHarness) deny(docID, userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.visible[docID], userID)
}

// event commits one "testdoc" event and returns its sequence.
func (h *rtHarness) event(docID, text string) int64 {
	h.t.Helper()
	return h.eventOf("testdoc", docID, map[string]any{"text": text})
}

func (h *rtHarness) eventOf(resourceType, id string, data map[string]any) int64 {
	h.t.Helper()
	ctx := context.Background()
	err := h.store.Update(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, app.Event{Type: resourceType + ".updated", ResourceType: resourceType, ResourceID: id, Data: data})
	})
	if err != nil {
		h.t.Fatal(err)
	}
	seq, err := h.store.LatestOutboxSeq(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.dispatching {
		h.waitFannedOut(seq)
	}
	return seq
}

// waitFannedOut waits until the gateway has fanned out event seq, so that a
// connection opened next starts after it (its hello carries it).
func (h *rtHarness) waitFannedOut(seq int64) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.rt.gateway.Stats().Head < seq {
		if time.Now().After(deadline) {
			h.t.Fatalf("event %d not fanned out within 5s (at %d)", seq, h.rt.gateway.Stats().Head)
		}
		time.Sleep(time.Millisecond)
	}
}

func (h *rtHarness) ticket(access string) string {
	h.t.Helper()
	r := h.request("POST", "/api/v1/ws/ticket", nil, bearer(access))
	m := h.expect(r, http.StatusCreated, "ticket")
	if m["expires_in"] != 30.0 {
		h.t.Fatalf("ticket expires_in = %v, want 30", m["expires_in"])
	}
	return m["ticket"].(string)
}

// wsClient is a test WebSocket client that reads frames in the background.
type wsClient struct {
	t      *testing.T
	ws     *websocket.Conn
	frames chan map[string]any
	done   chan struct{}
	err    error // set when done closes
}

func (h *rtHarness) dial(query string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws://"+h.addr+"/api/v1/ws"+query, hdr)
}

// connect opens a socket with a fresh ticket and waits for hello.
func (h *rtHarness) connect(access string) (*wsClient, map[string]any) {
	h.t.Helper()
	return h.connectQuery(access, "")
}

func (h *rtHarness) connectQuery(access, extra string) (*wsClient, map[string]any) {
	h.t.Helper()
	ws, resp, err := h.dial("?ticket="+h.ticket(access)+extra, nil)
	if err != nil {
		h.t.Fatalf("dial: %v (%v)", err, statusOf(resp))
	}
	c := newWSClient(h.t, ws)
	hello := c.next()
	if hello["type"] != "hello" {
		h.t.Fatalf("first frame %v, want hello", hello)
	}
	return c, hello
}

func statusOf(r *http.Response) string {
	if r == nil {
		return "no response"
	}
	return r.Status
}

func newWSClient(t *testing.T, ws *websocket.Conn) *wsClient {
	c := &wsClient{t: t, ws: ws, frames: make(chan map[string]any, 1024), done: make(chan struct{})}
	// Do not answer the server's close frame: it may already have hung up,
	// and the failed write would hide the close code.
	ws.SetCloseHandler(func(int, string) error { return nil })
	go func() {
		defer close(c.done)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				c.err = err
				return
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				c.err = fmt.Errorf("frame is not JSON: %s", data)
				return
			}
			c.frames <- m
		}
	}()
	t.Cleanup(func() { ws.Close() })
	return c
}

func (c *wsClient) next() map[string]any {
	c.t.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-c.done:
		select {
		case f := <-c.frames:
			return f
		default:
		}
		c.t.Fatalf("socket closed while waiting for a frame: %v", c.err)
	case <-time.After(5 * time.Second):
		c.t.Fatal("no frame within 5s")
	}
	return nil
}

// nextEvent skips presence frames, which arrive whenever someone's
// status changes, and returns the next other frame.
func (c *wsClient) nextEvent() map[string]any {
	c.t.Helper()
	for {
		f := c.next()
		if f["type"] != "presence" {
			return f
		}
	}
}

// quiet asserts that no event (presence aside) arrives for d.
func (c *wsClient) quiet(d time.Duration) {
	c.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f := <-c.frames:
			if f["type"] != "presence" {
				c.t.Fatalf("unexpected frame %v", f)
			}
		case <-deadline:
			return
		}
	}
}

func (c *wsClient) send(frame any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(frame); err != nil {
		c.t.Fatal(err)
	}
}

// closed waits for the server to close the socket and returns the code.
func (c *wsClient) closed() int {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.t.Fatal("socket still open after 10s")
	}
	var ce *websocket.CloseError
	if errors.As(c.err, &ce) {
		return ce.Code
	}
	c.t.Fatalf("socket ended without a close frame: %v", c.err)
	return 0
}

// expectSeqs reads events and checks their sequences and texts.
func (c *wsClient) expectSeqs(seqs ...int64) {
	c.t.Helper()
	for _, want := range seqs {
		f := c.nextEvent()
		if f["seq"] != float64(want) {
			c.t.Fatalf("got frame %v, want event seq %d", f, want)
		}
		if f["type"] != "testdoc.updated" || f["resource_type"] != "testdoc" || f["at"] == nil {
			c.t.Fatalf("event frame %v", f)
		}
	}
}

func TestRealtimeDeliversOnlyToThoseWhoMaySee(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	bID, bAccess := h.accessUser(app.RoleMember, "Brian")
	cID, cAccess := h.accessUser(app.RoleMember, "이서준")
	h.allow("doc1", aID, bID)
	h.allow("doc2", cID)

	a, hello := h.connect(aAccess)
	if hello["user_id"] != aID || hello["ping_interval"] != 30.0 || hello["replay_window"] != 86400.0 {
		t.Fatalf("hello %v", hello)
	}
	a2, _ := h.connect(aAccess) // a second tab
	b, _ := h.connect(bAccess)
	c, _ := h.connect(cAccess)

	s1 := h.event("doc1", "회의는 3시에 시작합니다")
	s2 := h.event("doc2", "for C only")
	// Types nobody registered are never delivered, whatever they say.
	h.eventOf("user", aID, map[string]any{"name": "leak"})
	s3 := h.event("doc1", "second")

	a.expectSeqs(s1, s3)
	a2.expectSeqs(s1, s3)
	b.expectSeqs(s1, s3)
	c.expectSeqs(s2)
	for _, cl := range []*wsClient{a, a2, b, c} {
		cl.quiet(100 * time.Millisecond)
	}
	_ = s2
}

// Live events are written by the fan-out without waiting (see
// realtime.conn.flush); the write deadlines the HTTP server's handshake and
// the writer goroutine leave on a socket must not fail them once they pass.
func TestRealtimeDeliversAfterWriteDeadlinesPassed(t *testing.T) {
	h := newRTHarnessHTTP(t, func(c *realtime.Config) { c.WriteTimeout = 100 * time.Millisecond }, 50*time.Millisecond)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	a, _ := h.connect(aAccess) // hello went through the writer goroutine
	time.Sleep(250 * time.Millisecond)
	s1 := h.event("doc1", "마감 이후에도 도착합니다")
	a.expectSeqs(s1)
	time.Sleep(250 * time.Millisecond)
	s2 := h.event("doc1", "and again")
	a.expectSeqs(s2)
}

func TestRealtimeAudienceNarrowsWhoIsChecked(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	bID, bAccess := h.accessUser(app.RoleMember, "Brian")
	// Everyone may see notes, but each note names its one reader.
	h.rt.gateway.RegisterVisibility("note", func(context.Context, *app.Principal, realtime.Event) (bool, error) {
		return true, nil
	})
	h.rt.gateway.RegisterAudience("note", realtime.DataUserAudience)
	a, _ := h.connect(aAccess)
	b, _ := h.connect(bAccess)
	forA := h.eventOf("note", "n1", map[string]any{"user_id": aID})
	forB := h.eventOf("note", "n2", map[string]any{"user_id": bID})
	h.eventOf("note", "n3", map[string]any{}) // addressed to nobody
	if f := a.nextEvent(); f["seq"] != float64(forA) {
		t.Fatalf("a got %v", f)
	}
	if f := b.nextEvent(); f["seq"] != float64(forB) {
		t.Fatalf("b got %v", f)
	}
	a.quiet(100 * time.Millisecond)
	b.quiet(0)
}

func TestRealtimeEventFrameCarriesDataByteForByte(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	a, _ := h.connect(aAccess)
	text := "안녕하세요 👋 — <b>bold</b> & \"quotes\""
	seq := h.event("doc1", text)
	f := a.nextEvent()
	data, _ := f["data"].(map[string]any)
	if f["seq"] != float64(seq) || f["resource_id"] != "doc1" || data["text"] != text {
		t.Fatalf("frame %v", f)
	}
}

func TestRealtimeRemovalStopsDeliveryAtOnce(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	bID, bAccess := h.accessUser(app.RoleMember, "Brian")
	h.allow("doc1", aID, bID)
	a, _ := h.connect(aAccess)
	b, _ := h.connect(bAccess)

	s1 := h.event("doc1", "before")
	a.expectSeqs(s1)
	b.expectSeqs(s1)

	// A is removed; the very next event is no longer theirs, while B goes
	// on receiving.
	h.deny("doc1", aID)
	s2 := h.event("doc1", "after removal")
	b.expectSeqs(s2)
	a.quiet(150 * time.Millisecond)

	// Nor is it replayed to them.
	a.ws.Close()
	a, _ = h.connect(aAccess)
	a.send(map[string]any{"type": "resume", "last_seq": s1})
	if f := a.nextEvent(); f["type"] != "resumed" || f["replayed"] != 0.0 {
		t.Fatalf("resume after removal: %v", f)
	}
}

func TestRealtimeResumeReplaysExactlyTheMissedEvents(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)

	a, _ := h.connect(aAccess)
	s1 := h.event("doc1", "seen")
	a.expectSeqs(s1)
	a.ws.Close()

	s2 := h.event("doc1", "missed 1")
	h.event("doc2", "not A's") // not visible: not replayed
	s4 := h.event("doc1", "missed 2")

	// The resume frame right after connecting.
	a, hello := h.connect(aAccess)
	if hello["seq"] != float64(s4) {
		t.Fatalf("hello seq %v, want %d", hello["seq"], s4)
	}
	a.send(map[string]any{"type": "resume", "last_seq": s1})
	a.expectSeqs(s2, s4)
	if f := a.nextEvent(); f["type"] != "resumed" || f["seq"] != float64(s4) || f["replayed"] != 2.0 {
		t.Fatalf("after replay: %v", f)
	}
	s5 := h.event("doc1", "live again")
	a.expectSeqs(s5)
	a.quiet(100 * time.Millisecond)
	a.ws.Close()

	// Or at connect time: ?last_seq=, replayed before anything live.
	s6 := h.event("doc1", "missed 3")
	a, _ = h.connectQuery(aAccess, fmt.Sprintf("&last_seq=%d", s4))
	a.expectSeqs(s5, s6)
	if f := a.nextEvent(); f["type"] != "resumed" || f["replayed"] != 2.0 {
		t.Fatalf("after replay: %v", f)
	}
	a.ws.Close()

	// Nothing missed.
	a, _ = h.connect(aAccess)
	a.send(map[string]any{"type": "resume", "last_seq": s6})
	if f := a.nextEvent(); f["type"] != "resumed" || f["replayed"] != 0.0 {
		t.Fatalf("resume with nothing missed: %v", f)
	}
	a.ws.Close()

	// A client ahead of the server (its database was restored from a
	// backup) must refetch.
	a, _ = h.connect(aAccess)
	a.send(map[string]any{"type": "resume", "last_seq": s6 + 1000})
	if f := a.nextEvent(); f["type"] != "resync" {
		t.Fatalf("resume from the future: %v", f)
	}
}

func TestRealtimeResumeBeyondTheReplayWindowAsksToRefetch(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.ReplayWindow = time.Minute })
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	s1 := h.event("doc1", "seen")
	h.event("doc1", "missed long ago")
	h.clock.advance(2 * time.Minute)
	h.event("doc1", "missed recently")
	a, _ := h.connect(aAccess)
	a.send(map[string]any{"type": "resume", "last_seq": s1})
	if f := a.nextEvent(); f["type"] != "resync" {
		t.Fatalf("resume beyond the window: %v", f)
	}
}

func TestRealtimeResumeAfterLiveEventsAsksToRefetch(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	s1 := h.event("doc1", "old")
	a, _ := h.connect(aAccess)
	s2 := h.event("doc1", "live")
	a.expectSeqs(s2)
	// Replaying s1 now would arrive after s2, and the client would drop it:
	// it is told to refetch instead.
	a.send(map[string]any{"type": "resume", "last_seq": s1 - 1})
	if f := a.nextEvent(); f["type"] != "resync" {
		t.Fatalf("late resume: %v", f)
	}
}

func TestRealtimeResumeWithTooManyEventsAsksToRefetch(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.MaxReplay = 5 })
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	first := h.event("doc1", "seen")
	for i := range 6 {
		h.event("doc1", fmt.Sprint("missed ", i))
	}
	a, _ := h.connectQuery(aAccess, fmt.Sprintf("&last_seq=%d", first))
	if f := a.nextEvent(); f["type"] != "resync" {
		t.Fatalf("replay of more than MaxReplay events: %v", f)
	}
}

func TestRealtimeSlowConsumerIsCutWithoutStallingOthers(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.SendBuffer = 32 })
	h.setup()
	slowID, slowAccess := h.accessUser(app.RoleMember, "Slow")
	fastID, fastAccess := h.accessUser(app.RoleMember, "Fast")
	h.allow("doc1", slowID, fastID)

	// The slow client never reads, and keeps its kernel's receive buffer
	// small, so the server's writes back up soon.
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(128 << 10)
		}
		return c, err
	}}
	slowWS, _, err := d.Dial("ws://"+h.addr+"/api/v1/ws?ticket="+h.ticket(slowAccess), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slowWS.Close()
	fast, _ := h.connect(fastAccess)

	big := strings.Repeat("가", 10000) // 30 KB per event
	const n = 300
	start := time.Now()
	var seqs []int64
	for i := range n {
		seqs = append(seqs, h.event("doc1", fmt.Sprint(i, big)))
		time.Sleep(500 * time.Microsecond) // a busy channel, not one burst
	}
	for _, want := range seqs {
		f := fast.nextEvent()
		if f["seq"] != float64(want) {
			t.Fatalf("fast client got %v, want seq %d", f["seq"], want)
		}
	}
	t.Logf("fast client received %d × 30 KB in %s while the slow one was cut", n, time.Since(start))
	if got := h.rt.gateway.Stats().SlowConsumers; got != 1 {
		t.Fatalf("slow consumers cut: %d, want 1", got)
	}
	// The slow client, reading at last, finds the close code after what
	// the kernel had buffered.
	slowWS.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := slowWS.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != realtime.CloseSlowConsumer || ce.Text != "slow consumer" {
			t.Fatalf("slow client: %v, want close %d", err, realtime.CloseSlowConsumer)
		}
		break
	}
}

func TestRealtimeOutboxCatchUpAfterCrashBetweenCommitAndPublish(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	h.allow("doc1", aID)
	a, _ := h.connect(aAccess)

	// The dispatcher dies: commits keep happening but nothing is published.
	h.rt.stopDispatcher()
	h.dispatching = false
	s1 := h.event("doc1", "committed while the dispatcher was down")
	s2 := h.event("doc1", "this one too")
	a.quiet(100 * time.Millisecond)

	// It comes back and publishes from where it recorded it was.
	h.rt.startDispatcher()
	h.dispatching = true
	a.expectSeqs(s1, s2)
	s3 := h.event("doc1", "and life goes on")
	a.expectSeqs(s3)
	a.quiet(100 * time.Millisecond)
}

func TestRealtimeTickets(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	_, access := h.accessUser(app.RoleMember, "김민지")

	// Single use.
	tk := h.ticket(access)
	ws, _, err := h.dial("?ticket="+tk, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.Close()
	_, resp, err := h.dial("?ticket="+tk, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second use of a ticket: %v %s", err, statusOf(resp))
	}
	assertReason(t, resp, "ticket_invalid")

	// Valid for 30 seconds.
	tk = h.ticket(access)
	h.clock.advance(31 * time.Second)
	_, resp, err = h.dial("?ticket="+tk, nil)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("expired ticket: %v %s", err, statusOf(resp))
	}
	assertReason(t, resp, "ticket_expired")

	// Bound to the session: signing out makes its tickets useless.
	r := h.login(ownerEmail, ownerPassword, nil)
	owner := accessToken(t, r)
	tk = h.ticket(owner)
	h.expect(h.request("POST", "/api/v1/auth/logout", nil, header{"Cookie": "nexus_refresh=" + refreshToken(t, r),
		"Authorization": "Bearer " + owner}), http.StatusNoContent, "logout")
	_, resp, err = h.dial("?ticket="+tk, nil)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ticket of an ended session: %v %s", err, statusOf(resp))
	}

	// Tickets need a signed-in caller, and garbage is refused.
	h.expect(h.request("POST", "/api/v1/ws/ticket", nil, nil), http.StatusUnauthorized, "ticket without a token")
	_, resp, err = h.dial("?ticket=nonsense", nil)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("made-up ticket: %v %s", err, statusOf(resp))
	}
}

func assertReason(t *testing.T, resp *http.Response, reason string) {
	t.Helper()
	var body struct {
		Error struct {
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if body.Error.Details["reason"] != reason {
		t.Fatalf("reason %v, want %s", body.Error.Details["reason"], reason)
	}
}

func TestRealtimeOriginChecked(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	_, access := h.accessUser(app.RoleMember, "김민지")

	for _, hdr := range []http.Header{
		{"Origin": {"https://evil.example"}},
		{"Origin": {"http://" + h.addr + ".evil.example"}},
		{"Origin": {"http://" + h.addr}, "Sec-Fetch-Site": {"cross-site"}},
	} {
		_, resp, err := h.dial("?ticket="+h.ticket(access), hdr)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%v: %v %s", hdr, err, statusOf(resp))
		}
	}
	// The page's own origin, and clients that are not browsers (no Origin).
	for _, hdr := range []http.Header{
		{"Origin": {"http://" + h.addr}, "Sec-Fetch-Site": {"same-origin"}},
		nil,
	} {
		ws, resp, err := h.dial("?ticket="+h.ticket(access), hdr)
		if err != nil {
			t.Fatalf("%v: %v %s", hdr, err, statusOf(resp))
		}
		ws.Close()
	}
}

func TestRealtimeFirstFrameAuthentication(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.AuthTimeout = 300 * time.Millisecond })
	h.setup()
	aID, access := h.accessUser(app.RoleMember, "김민지")

	ws, _, err := h.dial("", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := newWSClient(t, ws)
	c.send(map[string]any{"type": "auth", "token": access})
	if f := c.next(); f["type"] != "hello" || f["user_id"] != aID {
		t.Fatalf("after auth: %v", f)
	}

	// A bad token, another frame first, or silence: 4001.
	for name, first := range map[string]any{
		"bad token":   map[string]any{"type": "auth", "token": "not-a-token"},
		"no auth":     map[string]any{"type": "ping"},
		"no token":    map[string]any{"type": "auth"},
		"not json":    "hello?",
		"timeout":     nil,
		"empty token": map[string]any{"type": "auth", "token": ""},
	} {
		ws, _, err := h.dial("", nil)
		if err != nil {
			t.Fatal(err)
		}
		c := newWSClient(t, ws)
		switch f := first.(type) {
		case nil:
		case string:
			ws.WriteMessage(websocket.TextMessage, []byte(f))
		default:
			c.send(f)
		}
		if code := c.closed(); code != realtime.CloseUnauthorized {
			t.Fatalf("%s: close code %d, want %d", name, code, realtime.CloseUnauthorized)
		}
	}

	// An Authorization header works for scripts.
	ws, _, err = h.dial("", http.Header{"Authorization": {"Bearer " + access}})
	if err != nil {
		t.Fatal(err)
	}
	if f := newWSClient(t, ws).next(); f["type"] != "hello" {
		t.Fatalf("with a header: %v", f)
	}
	_, resp, err := h.dial("", http.Header{"Authorization": {"Bearer nonsense"}})
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad header: %v %s", err, statusOf(resp))
	}
}

func TestRealtimeClosesWhenTheAccountOrSessionEnds(t *testing.T) {
	h := newRTHarness(t, nil)
	ownerAccess := accessToken(t, h.setup())
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	a, _ := h.connect(aAccess)

	// Disabling the account (a user.updated event) closes it at once.
	user := h.expect(h.request("GET", "/api/v1/users/"+aID, nil, bearer(ownerAccess)), 200, "get user")
	h.expect(h.request("PATCH", "/api/v1/users/"+aID, map[string]any{"status": "disabled", "version": user["version"]},
		bearer(ownerAccess)), 200, "disable")
	if code := a.closed(); code != realtime.CloseUnauthorized {
		t.Fatalf("disabled user's socket closed with %d", code)
	}

	// Signing out (a session.revoked event) ends the socket at once too,
	// without waiting for the periodic recheck.
	r := h.login(ownerEmail, ownerPassword, nil)
	owner := accessToken(t, r)
	o, _ := h.connect(owner)
	h.expect(h.request("POST", "/api/v1/auth/logout", nil, header{"Cookie": "nexus_refresh=" + refreshToken(t, r),
		"Authorization": "Bearer " + owner}), http.StatusNoContent, "logout")
	if code := o.closed(); code != realtime.CloseUnauthorized {
		t.Fatalf("signed-out session's socket closed with %d", code)
	}

	// So does revoking the personal access token a socket was opened with.
	r = h.login(ownerEmail, ownerPassword, nil)
	created := h.expect(h.request("POST", "/api/v1/me/tokens", map[string]any{"name": "bot", "scopes": []string{"read"}},
		bearer(accessToken(t, r))), 201, "create token")
	tk, _ := h.connect(created["token"].(string))
	h.expect(h.request("DELETE", "/api/v1/me/tokens/"+created["id"].(string), nil, bearer(accessToken(t, r))),
		http.StatusNoContent, "revoke token")
	if code := tk.closed(); code != realtime.CloseUnauthorized {
		t.Fatalf("revoked token's socket closed with %d", code)
	}
}

func TestRealtimeIdleTimeout(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) {
		c.PingInterval = 300 * time.Millisecond
		c.IdleTimeout = 900 * time.Millisecond
		c.Now = time.Now // pings follow the wall clock
	})
	h.setup()
	_, access := h.accessUser(app.RoleMember, "김민지")

	// A client that answers pings (the library does while reading) stays.
	alive, _ := h.connect(access)
	// One that never reads never answers: it is dropped.
	ws, _, err := h.dial("?ticket="+h.ticket(access), nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	silent := newWSClient(t, ws)
	if f := silent.next(); f["type"] != "hello" {
		t.Fatalf("first frame %v", f)
	}
	if code := silent.closed(); code != realtime.CloseIdle {
		t.Fatalf("idle socket closed with %d, want %d", code, realtime.CloseIdle)
	}
	alive.send(map[string]any{"type": "ping"})
	if f := alive.nextEvent(); f["type"] != "pong" {
		t.Fatalf("ping answered with %v", f)
	}
}

// TestRealtimeAnswersClientPings: a WebSocket ping from the client gets a
// pong with its payload, queued behind the events like any frame, and the
// socket keeps delivering.
func TestRealtimeAnswersClientPings(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	u, access := h.accessUser(app.RoleMember, "김민지")
	h.allow("d1", u)
	ws, resp, err := h.dial("?ticket="+h.ticket(access), nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, statusOf(resp))
	}
	pongs := make(chan string, 4)
	ws.SetPongHandler(func(d string) error { pongs <- d; return nil })
	c := newWSClient(t, ws)
	if f := c.next(); f["type"] != "hello" {
		t.Fatalf("first frame %v", f)
	}
	for _, payload := range []string{"are you there", "다시 한 번"} {
		if err := ws.WriteControl(websocket.PingMessage, []byte(payload), time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-pongs:
			if got != payload {
				t.Fatalf("pong %q, want %q", got, payload)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no pong")
		}
	}
	c.expectSeqs(h.event("d1", "after the pings"))
}

func TestRealtimeFrameLimitsAndBadFrames(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.MaxFrame = 1024 })
	h.setup()
	_, access := h.accessUser(app.RoleMember, "김민지")

	c, _ := h.connect(access)
	c.send(map[string]any{"type": "ping", "padding": strings.Repeat("x", 2048)})
	if code := c.closed(); code != realtime.CloseTooBig {
		t.Fatalf("oversized frame: close %d, want %d", code, realtime.CloseTooBig)
	}

	c, _ = h.connect(access)
	// Presence frames may arrive in between (the user just came online).
	c.send(map[string]any{"type": "dance"})
	if f := c.nextEvent(); f["type"] != "error" || f["code"] != "invalid" {
		t.Fatalf("unknown frame: %v", f)
	}
	c.send(map[string]any{"type": "resume"})
	if f := c.nextEvent(); f["type"] != "error" {
		t.Fatalf("resume without last_seq: %v", f)
	}
	c.ws.WriteMessage(websocket.TextMessage, []byte("{not json"))
	if code := c.closed(); code != realtime.CloseInvalid {
		t.Fatalf("not JSON: close %d, want %d", code, realtime.CloseInvalid)
	}

	c, _ = h.connect(access)
	c.ws.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
	if code := c.closed(); code != realtime.CloseUnsupported {
		t.Fatalf("binary frame: close %d, want %d", code, realtime.CloseUnsupported)
	}
}

func TestRealtimeTypingGoesOnlyToThoseWhoSeeTheChannel(t *testing.T) {
	h := newRTHarness(t, nil)
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	bID, bAccess := h.accessUser(app.RoleMember, "Brian")
	_, cAccess := h.accessUser(app.RoleMember, "이서준")
	members := map[string]bool{aID: true, bID: true}
	h.rt.gateway.RegisterVisibility("channel", func(_ context.Context, p *app.Principal, e realtime.Event) (bool, error) {
		return e.ResourceID == "general" && members[p.User.ID], nil
	})
	a, _ := h.connect(aAccess)
	b, _ := h.connect(bAccess)
	c, _ := h.connect(cAccess)

	a.send(map[string]any{"type": "typing", "channel_id": "general", "parent_id": "m1"})
	for _, cl := range []*wsClient{a, b} {
		f := cl.nextEvent()
		data, _ := f["data"].(map[string]any)
		if f["type"] != "typing" || f["seq"] != nil || f["resource_id"] != "general" ||
			data["user_id"] != aID || data["channel_id"] != "general" || data["parent_id"] != "m1" {
			t.Fatalf("typing frame %v", f)
		}
	}
	c.quiet(100 * time.Millisecond)

	// Typing into a channel one cannot see reaches nobody.
	c.send(map[string]any{"type": "typing", "channel_id": "general"})
	a.quiet(100 * time.Millisecond)
	b.quiet(0)
}

func TestRealtimePresenceIsMultiTabAware(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.Now = time.Now })
	h.setup()
	aID, aAccess := h.accessUser(app.RoleMember, "김민지")
	_, bAccess := h.accessUser(app.RoleMember, "Brian")
	_, guestAccess := h.accessUser(app.RoleGuest, "Guest")
	b, _ := h.connect(bAccess)
	guest, _ := h.connect(guestAccess)

	presenceOf := func(id string) string {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case f := <-b.frames:
				if f["type"] != "presence" {
					continue
				}
				users := f["data"].(map[string]any)["users"].(map[string]any)
				if s, ok := users[id]; ok {
					return s.(string)
				}
			case <-deadline:
				t.Fatalf("no presence for %s", id)
			}
		}
	}
	tab1, _ := h.connect(aAccess)
	if s := presenceOf(aID); s != "online" {
		t.Fatalf("after connecting: %s", s)
	}
	tab2, _ := h.connect(aAccess)
	tab1.send(map[string]any{"type": "presence", "status": "away"})
	time.Sleep(150 * time.Millisecond)
	if got := h.rt.gateway.Presence([]string{aID})[aID]; got != "online" {
		t.Fatalf("one tab away, one active: %s", got)
	}
	tab2.send(map[string]any{"type": "presence", "status": "away"})
	if s := presenceOf(aID); s != "away" {
		t.Fatalf("every tab away: %s", s)
	}
	tab1.ws.Close()
	tab2.ws.Close()
	if s := presenceOf(aID); s != "offline" {
		t.Fatalf("after closing every tab: %s", s)
	}
	// Guests do not see the organisation's presence.
	for {
		select {
		case f := <-guest.frames:
			if f["type"] == "presence" {
				t.Fatalf("a guest got presence: %v", f)
			}
			continue
		default:
		}
		break
	}
}

func TestRealtimeConnectionLimitsAndShutdown(t *testing.T) {
	h := newRTHarness(t, func(c *realtime.Config) { c.MaxConnections = 2 })
	h.setup()
	_, access := h.accessUser(app.RoleMember, "김민지")
	a, _ := h.connect(access)
	b, _ := h.connect(access)
	_, resp, err := h.dial("?ticket="+h.ticket(access), nil)
	if err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third socket: %v %s", err, statusOf(resp))
	}
	assertReason(t, resp, "too_many_connections")

	// A plain GET is not a socket.
	r := h.request("GET", "/api/v1/ws", nil, nil)
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("Upgrade") != "websocket" {
		t.Fatalf("plain GET: %d %s", r.StatusCode, r.body)
	}

	// Shutting down says "going away", so clients reconnect elsewhere.
	h.rt.gateway.Close()
	if code := a.closed(); code != realtime.CloseGoingAway {
		t.Fatalf("shutdown close code %d", code)
	}
	if code := b.closed(); code != realtime.CloseGoingAway {
		t.Fatalf("shutdown close code %d", code)
	}
}
