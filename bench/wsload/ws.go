package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// marker starts the body of every message the generator posts, followed
// by the send time (Unix nanoseconds): `wsl:<ns>:<n> …`.
const marker = "wsl:"

var (
	bodyKey = []byte(`"body":"` + marker)
	atKey   = []byte(`"at":"`)
	msgKey  = []byte(`"type":"message.created"`)
)

// recorder collects latency samples from many goroutines.
type recorder struct {
	shards [32]struct {
		sync.Mutex
		post, commit []time.Duration
	}
	frames    atomic.Int64
	delivered atomic.Int64
	enabled   atomic.Bool
}

func (r *recorder) add(shard int, post, commit time.Duration) {
	s := &r.shards[shard%len(r.shards)]
	s.Lock()
	s.post = append(s.post, post)
	if commit >= 0 {
		s.commit = append(s.commit, commit)
	}
	s.Unlock()
}

// take returns and clears the samples collected so far.
func (r *recorder) take() (post, commit []time.Duration) {
	for i := range r.shards {
		s := &r.shards[i]
		s.Lock()
		post = append(post, s.post...)
		commit = append(commit, s.commit...)
		s.post, s.commit = nil, nil
		s.Unlock()
	}
	return post, commit
}

// client is one simulated browser tab: a WebSocket that reads everything.
type client struct {
	idx  int
	ws   *websocket.Conn
	done chan struct{}
	err  error
	seq  atomic.Int64
}

func dial(ctx context.Context, a *api, addr, token string, idx int, rec *recorder) (*client, error) {
	ticket, err := a.ticket(ctx, token)
	if err != nil {
		return nil, err
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024}
	ws, _, err := d.DialContext(ctx, "ws://"+addr+"/api/v1/ws?ticket="+url.QueryEscape(ticket), nil)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	_, hello, err := ws.ReadMessage()
	if err != nil || !bytes.Contains(hello, []byte(`"type":"hello"`)) {
		ws.Close()
		return nil, fmt.Errorf("no hello (%v): %.100s", err, hello)
	}
	c := &client{idx: idx, ws: ws, done: make(chan struct{})}
	go c.read(rec)
	return c, nil
}

func (c *client) read(rec *recorder) {
	defer close(c.done)
	// One buffer per socket, reused for every frame: the generator shares
	// the machine with the server, so its own garbage is kept down.
	data := make([]byte, 0, 2048)
	for {
		_, r, err := c.ws.NextReader()
		if err == nil {
			data, err = readInto(data[:0], r)
		}
		if err != nil {
			c.err = err
			return
		}
		now := time.Now()
		rec.frames.Add(1)
		if !rec.enabled.Load() {
			continue
		}
		sent, at, ok := parseDelivery(data)
		if !ok {
			continue
		}
		commit := time.Duration(-1)
		if !at.IsZero() {
			commit = now.Sub(at)
		}
		rec.delivered.Add(1)
		rec.add(c.idx, now.Sub(sent), commit)
	}
}

// readInto appends everything r yields to buf.
func readInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// parseDelivery finds, in a message.created frame of a message this
// generator posted, the send time in its body and the event's commit time
// ("at"), without decoding the whole frame.
func parseDelivery(data []byte) (sent, at time.Time, ok bool) {
	if !bytes.Contains(data, msgKey) {
		return sent, at, false
	}
	i := bytes.Index(data, bodyKey)
	if i < 0 {
		return sent, at, false
	}
	rest := data[i+len(bodyKey):]
	j := bytes.IndexByte(rest, ':')
	if j < 0 {
		return sent, at, false
	}
	ns, err := strconv.ParseInt(string(rest[:j]), 10, 64)
	if err != nil {
		return sent, at, false
	}
	if k := bytes.Index(data, atKey); k >= 0 {
		if end := bytes.IndexByte(data[k+len(atKey):], '"'); end > 0 {
			at, _ = time.Parse(time.RFC3339Nano, string(data[k+len(atKey):k+len(atKey)+end]))
		}
	}
	return time.Unix(0, ns), at, true
}

func (c *client) close() {
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	c.ws.Close()
}

// dist summarises samples.
type dist struct {
	N                       int
	Avg, P50, P95, P99, Max time.Duration
}

func summarize(s []time.Duration) dist {
	if len(s) == 0 {
		return dist{}
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return dist{N: len(s), Avg: sum / time.Duration(len(s)), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: s[len(s)-1]}
}

func (d dist) String() string {
	if d.N == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  avg %s  (n=%d)", ms(d.P50), ms(d.P95), ms(d.P99), ms(d.Max), ms(d.Avg), d.N)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
