// Package realtime delivers events to browsers: the outbox dispatcher
// publishes committed events on the bus, consumers (the WebSocket gateway,
// later the search indexer and embedder) apply them in order and catch up
// from the outbox after a restart, and the gateway fans them out to the
// connections allowed to see them. docs/realtime.md describes the protocol.
//
// The write path is: a use-case's transaction appends an outbox row with the
// change; after commit the dispatcher reads the new rows in sequence order
// and publishes each on the bus subject events.<resource_type>. The outbox in
// SQLite is the durable log; the bus only carries what is already committed,
// so a crash between commit and publish loses nothing: the dispatcher and
// every consumer record how far they got and resume from there.
package realtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"nexus/app"
)

// Event is an outbox event as consumers and visibility checks see it.
// Ephemeral events (typing, presence) have Seq 0 and are never stored.
type Event = app.Event

// Bus is the message bus (embed/bus).
type Bus interface {
	Publish(subject string, data []byte) error
	// Subscribe calls fn for each message on subject (NATS wildcards), one
	// at a time, in publication order.
	Subscribe(subject string, fn func(data []byte)) (unsubscribe func(), err error)
}

// Outbox is the durable event log and the consumers' positions in it
// (store/realtime.go, store/audit.go).
type Outbox interface {
	// OutboxSince lists events after afterSeq, oldest first, with their
	// data still encoded: publishing them needs no decoding.
	OutboxSince(ctx context.Context, afterSeq int64, limit int) ([]StoredEvent, error)
	// LatestOutboxSeq is the newest committed sequence (0: none yet).
	LatestOutboxSeq(ctx context.Context) (int64, error)
	// ConsumerOffset is the last sequence the named consumer applied.
	ConsumerOffset(ctx context.Context, name string) (seq int64, ok bool, err error)
	SaveConsumerOffset(ctx context.Context, name string, seq int64) error
}

// Bus subjects. Committed events go to events.<resource_type>, ephemeral
// ones (typing, presence) to ephemeral.<resource_type>.
const (
	EventSubjects     = "events.>"
	EphemeralSubjects = "ephemeral.>"
	eventPrefix       = "events."
	ephemeralPrefix   = "ephemeral."
)

// subject builds prefix + resource type, keeping the type one NATS token:
// dots, spaces and wildcards would change what a subscription matches.
func subject(prefix, resourceType string) string {
	if resourceType == "" {
		return prefix + "_"
	}
	return prefix + strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ', '\t', '\r', '\n':
			return '_'
		}
		return r
	}, resourceType)
}

// wireEvent is the JSON form of an event on the bus and on the socket:
// {"seq":N,"type":"…","resource_type":"…","resource_id":"…","at":"…","data":{…}}.
// Ephemeral events have no seq and no at.
type wireEvent struct {
	Seq          int64          `json:"seq,omitempty"`
	Type         string         `json:"type"`
	ResourceType string         `json:"resource_type"`
	ResourceID   string         `json:"resource_id"`
	At           *time.Time     `json:"at,omitempty"`
	Data         map[string]any `json:"data"`
}

// StoredEvent is an outbox row as stored: Data is its JSON object.
type StoredEvent struct {
	Seq          int64
	Type         string
	ResourceType string
	ResourceID   string
	At           time.Time
	Data         []byte
}

// Event decodes the data.
func (s StoredEvent) Event() (Event, error) {
	e := Event{Seq: s.Seq, Type: s.Type, ResourceType: s.ResourceType, ResourceID: s.ResourceID, At: s.At}
	if len(s.Data) > 0 {
		if err := json.Unmarshal(s.Data, &e.Data); err != nil {
			return e, fmt.Errorf("decode event %d data: %w", s.Seq, err)
		}
	}
	return e, nil
}

// wireStored is wireEvent with the data passed through as it is stored.
type wireStored struct {
	Seq          int64           `json:"seq,omitempty"`
	Type         string          `json:"type"`
	ResourceType string          `json:"resource_type"`
	ResourceID   string          `json:"resource_id"`
	At           time.Time       `json:"at"`
	Data         json.RawMessage `json:"data"`
}

// Encode is the wire form of a stored event (the same as EncodeEvent of
// its decoded form), built without decoding the data.
//
// The data was written by encoding/json in the event's transaction, so it
// is already compact, valid JSON with HTML characters escaped: it is copied
// into the envelope as it is. Only data with characters encoding/json
// escapes (<, >, &, U+2028, U+2029), which other writers could have left,
// goes through encoding/json, which escapes them and checks it.
func (s StoredEvent) Encode() ([]byte, error) {
	data := s.Data
	if len(data) == 0 {
		data = []byte("{}")
	}
	if needsEscaping(data) || !plainJSONString(s.Type) || !plainJSONString(s.ResourceType) || !plainJSONString(s.ResourceID) {
		b, err := json.Marshal(wireStored{Seq: s.Seq, Type: s.Type, ResourceType: s.ResourceType, ResourceID: s.ResourceID,
			At: s.At.UTC(), Data: json.RawMessage(data)})
		if err != nil {
			return nil, fmt.Errorf("encode event %d: %w", s.Seq, err)
		}
		return b, nil
	}
	b := make([]byte, 0, len(data)+len(s.Type)+len(s.ResourceType)+len(s.ResourceID)+120)
	b = append(b, '{')
	if s.Seq != 0 {
		b = append(b, `"seq":`...)
		b = strconv.AppendInt(b, s.Seq, 10)
		b = append(b, ',')
	}
	b = append(b, `"type":"`...)
	b = append(b, s.Type...)
	b = append(b, `","resource_type":"`...)
	b = append(b, s.ResourceType...)
	b = append(b, `","resource_id":"`...)
	b = append(b, s.ResourceID...)
	b = append(b, `","at":`...)
	at, err := s.At.UTC().MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode event %d: %w", s.Seq, err)
	}
	b = append(b, at...)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	return append(b, '}'), nil
}

// needsEscaping reports whether JSON text holds a character encoding/json
// escapes for HTML safety (<, >, &) or JavaScript (U+2028, U+2029).
func needsEscaping(b []byte) bool {
	return bytes.ContainsAny(b, "<>&\u2028\u2029")
}

// plainJSONString reports whether s is written in JSON as it is, between
// quotes: printable ASCII without quotes, backslashes or HTML characters.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// EncodeEvent is the wire form of e.
func EncodeEvent(e Event) ([]byte, error) {
	w := wireEvent{Seq: e.Seq, Type: e.Type, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Data: e.Data}
	if !e.At.IsZero() {
		at := e.At.UTC()
		w.At = &at
	}
	if w.Data == nil {
		w.Data = map[string]any{}
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", e.Type, err)
	}
	return b, nil
}

// DecodeEvent parses the wire form.
func DecodeEvent(b []byte) (Event, error) {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	e := Event{Seq: w.Seq, Type: w.Type, ResourceType: w.ResourceType, ResourceID: w.ResourceID, Data: w.Data}
	if w.At != nil {
		e.At = *w.At
	}
	return e, nil
}

// Signal wakes a waiting goroutine without blocking the caller; several
// notifications before the wake-up count as one. main.go passes Notify as the
// store's OnCommit hook so the dispatcher publishes right after a commit.
type Signal struct{ c chan struct{} }

// NewSignal returns a ready Signal.
func NewSignal() *Signal { return &Signal{c: make(chan struct{}, 1)} }

// Notify wakes the waiter (or the next one to wait).
func (s *Signal) Notify() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// C is the channel to wait on.
func (s *Signal) C() <-chan struct{} { return s.c }

// sleep waits for d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
