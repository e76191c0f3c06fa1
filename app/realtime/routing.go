package realtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// DecodeRouting parses the wire form as DecodeEvent does, but keeps only
// the top-level scalar fields of data (strings, numbers, booleans, null:
// data.user_id and the like), leaving out objects and arrays. That is all
// that deciding who receives an event needs, and the gateway sends the raw
// bytes on, so it never builds the payload (a chat message with its HTML,
// author, mentions…). The whole input is still checked to be JSON.
//
// It decodes exactly as encoding/json would into
//
//	struct {
//		Seq          int64                      `json:"seq"`
//		Type         string                     `json:"type"`
//		ResourceType string                     `json:"resource_type"`
//		ResourceID   string                     `json:"resource_id"`
//		At           *time.Time                 `json:"at,omitempty"`
//		Data         map[string]json.RawMessage `json:"data"`
//	}
//
// followed by decoding each scalar of Data into an any (field names matched
// case-insensitively, last duplicate winning, null leaving a field as it
// was, a second data object merged into the first); the fuzz test holds it
// to that. It is hand-written because the gateway decodes every event
// published, and encoding/json's reflection-driven decode of the envelope
// was most of the gateway's own CPU per event: after json.Valid, walking
// already-valid JSON needs no error handling of its own.
func DecodeRouting(b []byte) (Event, error) {
	if !json.Valid(b) {
		// json.Unmarshal says what is wrong and where.
		return Event{}, fmt.Errorf("decode event: %w", json.Unmarshal(b, new(any)))
	}
	var e Event
	i := skipSpace(b, 0)
	switch b[i] {
	case 'n':
		return e, nil // null decodes into nothing
	case '{':
	default:
		return Event{}, fmt.Errorf("decode event: a %s is not an event", jsonKind(b[i]))
	}
	// Scalars of data that did not decode: an error only if no later
	// member of the same name (or a data of null) replaces them, as
	// encoding/json decodes only the last.
	var bad map[string]error
	err := eachMember(b, i, func(key, val []byte) error {
		var err error
		var folded [32]byte
		switch string(appendFolded(folded[:0], key)) {
		case "SEQ":
			if val[0] != 'n' {
				if val[0] < '0' && val[0] != '-' || val[0] > '9' {
					return fmt.Errorf("seq: a %s is not a sequence number", jsonKind(val[0]))
				}
				if e.Seq, err = strconv.ParseInt(string(val), 10, 64); err != nil {
					return fmt.Errorf("seq: %w", err)
				}
			}
		case "TYPE":
			err = decodeStringField(val, &e.Type)
		case "RESOURCE_TYPE":
			err = decodeStringField(val, &e.ResourceType)
		case "RESOURCE_ID":
			err = decodeStringField(val, &e.ResourceID)
		case "AT":
			if val[0] == 'n' {
				e.At = time.Time{}
				return nil
			}
			var t time.Time
			if err := t.UnmarshalJSON(val); err != nil {
				return fmt.Errorf("at: %w", err)
			}
			e.At = t
		case "DATA":
			switch val[0] {
			case 'n':
				e.Data, bad = nil, nil
			case '{':
				if e.Data == nil {
					e.Data = map[string]any{}
				}
				err = eachMember(val, 0, func(k, v []byte) error {
					name, err := decodeString(k)
					if err != nil {
						return err
					}
					delete(bad, name)
					if v[0] == '{' || v[0] == '[' {
						delete(e.Data, name)
						return nil
					}
					x, err := decodeScalar(v)
					if err != nil {
						if bad == nil {
							bad = map[string]error{}
						}
						bad[name] = fmt.Errorf("data %q: %w", name, err)
						delete(e.Data, name)
						return nil
					}
					e.Data[name] = x
					return nil
				})
			default:
				return fmt.Errorf("data: a %s is not an object", jsonKind(val[0]))
			}
		}
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	for _, err := range bad {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	return e, nil
}

// eachMember calls fn with the raw key (quotes included) and the raw value
// of every member of the valid JSON object starting at b[i], in order.
func eachMember(b []byte, i int, fn func(key, val []byte) error) error {
	i = skipSpace(b, i+1) // past '{'
	if b[i] == '}' {
		return nil
	}
	for {
		kEnd := skipString(b, i)
		key := b[i:kEnd]
		i = skipSpace(b, kEnd)
		i = skipSpace(b, i+1) // past ':'
		vEnd := skipValue(b, i)
		if err := fn(key, b[i:vEnd]); err != nil {
			return err
		}
		i = skipSpace(b, vEnd)
		if b[i] == '}' {
			return nil
		}
		i = skipSpace(b, i+1) // past ','
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the valid JSON string at b[i].
func skipString(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
}

// skipValue returns the index just past the valid JSON value at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// decodeString decodes a valid JSON string literal; strings without escapes
// in valid UTF-8, which is what Nexus writes, are taken as they are.
func decodeString(lit []byte) (string, error) {
	body := lit[1 : len(lit)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), nil
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", err
	}
	return s, nil
}

// decodeStringField sets *dst from a string or leaves it on null, as
// encoding/json does for a string field.
func decodeStringField(val []byte, dst *string) error {
	switch val[0] {
	case 'n':
		return nil
	case '"':
		s, err := decodeString(val)
		if err != nil {
			return err
		}
		*dst = s
		return nil
	}
	return fmt.Errorf("a %s is not a string", jsonKind(val[0]))
}

// decodeScalar decodes a valid JSON string, number, boolean or null as
// json.Unmarshal into an any does.
func decodeScalar(v []byte) (any, error) {
	switch v[0] {
	case '"':
		return decodeString(v)
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case 'n':
		return nil, nil
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// appendFolded appends the raw key (quotes included) as encoding/json
// folds a key it compares with field names when no name matches exactly:
// unescaped, ASCII letters upper-cased, other runes replaced by the smallest
// rune of their case-folding set.
func appendFolded(dst, key []byte) []byte {
	body := key[1 : len(key)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		s, err := decodeString(key)
		if err != nil {
			return dst
		}
		body = []byte(s)
	}
	for i := 0; i < len(body); {
		if c := body[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(body[i:])
		dst = utf8.AppendRune(dst, foldRune(r))
		i += n
	}
	return dst
}

// foldRune is the smallest rune of r's case-folding set.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
