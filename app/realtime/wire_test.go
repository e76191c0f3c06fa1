package realtime_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"nexus/app/realtime"
)

// TestStoredEncodeMatchesEncodeEvent: a stored event, whose data encoding/json
// wrote, goes on the wire byte for byte as EncodeEvent writes its decoded
// form, whether Encode copies the data (the usual case) or re-encodes it
// (characters that need escaping, odd names).
func TestStoredEncodeMatchesEncodeEvent(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 120000000, time.FixedZone("KST", 9*3600))
	message := map[string]any{"id": "m1", "body": "안녕하세요, 팀! **굵게**", "html": "<p>안녕하세요</p>",
		"mentions": []any{"u1", "u2"}, "author": map[string]any{"id": "u1", "name": "김민준"}, "seq": 12.0}
	cases := []struct {
		name string
		ev   realtime.Event
	}{
		{"chat message", realtime.Event{Seq: 41, Type: "message.created", ResourceType: "channel", ResourceID: "c1", At: at,
			Data: map[string]any{"message": message}}},
		{"plain text only", realtime.Event{Seq: 42, Type: "reaction.added", ResourceType: "channel", ResourceID: "c1", At: at,
			Data: map[string]any{"message_id": "m1", "emoji": "👍", "user_id": "u1"}}},
		{"line separators", realtime.Event{Seq: 43, Type: "message.updated", ResourceType: "channel", ResourceID: "c1", At: at,
			Data: map[string]any{"body": "a\u2028b\u2029c & d"}}},
		{"empty data", realtime.Event{Seq: 44, Type: "channel.updated", ResourceType: "channel", ResourceID: "c1", At: at}},
		{"quote in a name", realtime.Event{Seq: 45, Type: `odd"type`, ResourceType: "channel", ResourceID: "c<1>", At: at,
			Data: map[string]any{"n": 1.0}}},
		{"non-ASCII name", realtime.Event{Seq: 46, Type: "문서.updated", ResourceType: "document", ResourceID: "d1", At: at,
			Data: map[string]any{"n": 1.0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := realtime.EncodeEvent(c.ev)
			if err != nil {
				t.Fatal(err)
			}
			var data []byte
			if c.ev.Data != nil {
				if data, err = json.Marshal(c.ev.Data); err != nil {
					t.Fatal(err)
				}
			}
			stored := realtime.StoredEvent{Seq: c.ev.Seq, Type: c.ev.Type, ResourceType: c.ev.ResourceType,
				ResourceID: c.ev.ResourceID, At: c.ev.At, Data: data}
			got, err := stored.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("stored encoding differs:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestDecodeRouting: the routing decode agrees with the full one on the
// envelope and on every top-level scalar of data, and leaves out objects
// and arrays.
func TestDecodeRouting(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	ev := realtime.Event{Seq: 9, Type: "member.removed", ResourceType: "channel", ResourceID: "c1", At: at,
		Data: map[string]any{"user_id": "u2", "count": 3.0, "muted": true, "gone": nil,
			"member": map[string]any{"user_id": "u9"}, "ids": []any{"a", "b"}, "name": "개발팀 <dev>"}}
	raw, err := realtime.EncodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	full, err := realtime.DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := realtime.DecodeRouting(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.Data = map[string]any{"user_id": "u2", "count": 3.0, "muted": true, "gone": nil, "name": "개발팀 <dev>"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("routing decode:\n got %+v\nwant %+v", got, want)
	}
	// Ephemeral events: no seq, no time, empty data.
	raw, _ = realtime.EncodeEvent(realtime.Event{Type: "typing", ResourceType: "channel", ResourceID: "c1"})
	if got, err := realtime.DecodeRouting(raw); err != nil || got.Seq != 0 || !got.At.IsZero() || len(got.Data) != 0 ||
		got.Type != "typing" || got.ResourceID != "c1" {
		t.Fatalf("ephemeral: %+v %v", got, err)
	}
	// Broken JSON anywhere, nested parts included, is refused.
	for _, bad := range []string{`{"seq":1,"type":"x","data":{"message":{"id":}}}`, `{"seq":1`, `[]`,
		strings.Replace(string(raw), `"data":{}`, `"data":{"a":tru}`, 1)} {
		if _, err := realtime.DecodeRouting([]byte(bad)); err == nil {
			t.Errorf("DecodeRouting(%s) accepted broken JSON", bad)
		}
	}
}

// routingReference is what DecodeRouting must equal: encoding/json's
// decode of the envelope with data left encoded, then each top-level scalar
// of data decoded on its own (the implementation before the hand-written
// one).
func routingReference(b []byte) (realtime.Event, error) {
	var w struct {
		Seq          int64                      `json:"seq,omitempty"`
		Type         string                     `json:"type"`
		ResourceType string                     `json:"resource_type"`
		ResourceID   string                     `json:"resource_id"`
		At           *time.Time                 `json:"at,omitempty"`
		Data         map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return realtime.Event{}, err
	}
	e := realtime.Event{Seq: w.Seq, Type: w.Type, ResourceType: w.ResourceType, ResourceID: w.ResourceID}
	if w.At != nil {
		e.At = *w.At
	}
	if w.Data != nil {
		e.Data = make(map[string]any, len(w.Data))
		for k, v := range w.Data {
			if len(v) == 0 || v[0] == '{' || v[0] == '[' {
				continue
			}
			var x any
			if err := json.Unmarshal(v, &x); err != nil {
				return realtime.Event{}, err
			}
			e.Data[k] = x
		}
	}
	return e, nil
}

// routingCases are inputs on which the hand-written decode could part from
// encoding/json: duplicates, nulls, case and escapes in names, merged data,
// numbers out of range, wrong types, invalid UTF-8, nesting, whitespace.
var routingCases = []string{
	`{"seq":7,"type":"message.created","resource_type":"channel","resource_id":"c1","at":"2026-11-26T09:30:00.123456Z","data":{"user_id":"u1","n":3,"ok":true,"no":false,"z":null,"m":{"a":[1,{"b":"}"}]},"l":["]"]}}`,
	`{"seq":1,"seq":2,"type":"a","type":null,"data":{"k":1},"data":{"k":{}},"data":{"j":"x"}}`,
	`{"data":{"k":1e400},"data":{"k":2}}`, `{"data":{"k":1e400},"data":null}`, `{"data":{"k":1e400}}`,
	`{"data":{"k":1e400},"data":{"k":[]}}`, `{"SEQ":3,"Type":"t","RESOURCE_ID":"r","reſource_type":"K","Data":{"a":1}}`,
	`{"t\u0079pe":"x","d\u0061ta":{"\u0075ser_id":"\ud55c\uAE00 \"q\" \n"}}`, `{"type":"\ud800"}`,
	"{\"type\":\"\xff\xfe\",\"data\":{\"\xff\":\"\xc3\"}}", `null`, ` { } `, `{"data":null}`, `{"data":{}}`,
	`{"at":null}`, `{"at":"2026-11-26T09:30:00Z","at":null}`, `{"at":"yesterday"}`, `{"at":5}`,
	`{"seq":"1"}`, `{"seq":1.0}`, `{"seq":-0}`, `{"seq":99999999999999999999}`, `{"seq":true}`, `{"seq":null}`,
	`{"type":5}`, `{"resource_id":{}}`, `{"data":5}`, `{"data":[]}`, `{"data":"x"}`, `[]`, `"x"`, `5`, `true`,
	`{"seq":1`, `{"data":{"a":tru}}`, `{"x":{"y":}}`, "", " ", `{"data":{"a":-0,"b":1E+2,"c":0.5e-3}}`,
	"{\n\t\"type\" :\r\"x\" ,\n\"data\" : { \"a\" : [ ] , \"b\" : \"c\" } }",
	`{"other":{"seq":5,"type":"inner"},"type":"outer","x":[{"data":{"user_id":"no"}}]}`,
}

// TestDecodeRoutingMatchesEncodingJSON holds the hand-written decode to the
// reference on every case: the same error or none, the same event.
func TestDecodeRoutingMatchesEncodingJSON(t *testing.T) {
	for _, in := range routingCases {
		checkRouting(t, []byte(in))
	}
}

func FuzzDecodeRouting(f *testing.F) {
	for _, in := range routingCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkRouting(t, in) })
}

func checkRouting(t *testing.T, in []byte) {
	t.Helper()
	want, werr := routingReference(in)
	got, err := realtime.DecodeRouting(in)
	if (err != nil) != (werr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", in, err, werr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %#v\nwant %#v", in, got, want)
	}
}

// chatFrame is a message.created frame shaped like chat's (about 900
// bytes): what the gateway decodes most.
func chatFrame(b *testing.B) []byte {
	b.Helper()
	at := time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.UTC)
	author := map[string]any{"id": "0193f0a4-7c1e-7a8e-9b1a-2f3c4d5e6f72", "name": "Load User 1234", "avatar_url": nil}
	message := map[string]any{"id": "0193f0a4-7c1e-7a8e-9b1a-2f3c4d5e6f70", "channel_id": "0193f0a4-7c1e-7a8e-9b1a-2f3c4d5e6f71",
		"seq": 12345, "parent_id": nil, "author": author, "body": "회의는 3시에 시작합니다. The quick brown fox jumps over the lazy dog.",
		"html": "<p>회의는 3시에 시작합니다. The quick brown fox jumps over the lazy dog.</p>\n", "created_at": at, "edited_at": nil,
		"deleted_at": nil, "deleted": false, "mentions": []string{}, "mentions_channel": false, "mentions_here": false,
		"reply_count": 0, "last_reply_at": nil, "pinned_at": nil, "pinned_by": nil, "has_previews": false,
		"reactions": []any{}, "attachments": []any{}, "previews": []any{}, "participants": []any{}, "following": false}
	raw, err := realtime.EncodeEvent(realtime.Event{Seq: 99999, Type: "message.created", ResourceType: "channel",
		ResourceID: "0193f0a4-7c1e-7a8e-9b1a-2f3c4d5e6f71", At: at, Data: map[string]any{"message": message}})
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecodeRouting against BenchmarkDecodeEvent: what the gateway
// saves per event by not building the payload.
func BenchmarkDecodeRouting(b *testing.B) { benchDecode(b, realtime.DecodeRouting) }

func BenchmarkDecodeEvent(b *testing.B) { benchDecode(b, realtime.DecodeEvent) }

// benchDecode decodes a chat frame with decode.
func benchDecode(b *testing.B, decode func([]byte) (realtime.Event, error)) {
	raw := chatFrame(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
