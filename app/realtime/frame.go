package realtime

import (
	"encoding/binary"
	"sync"
)

// WebSocket opcodes (RFC 6455 §5.2) of the frames the server writes itself.
const (
	opText = 0x1
	opPing = 0x9
	opPong = 0xa
)

// encodeFrame returns one final, unmasked server frame (servers never mask,
// RFC 6455 §5.1) carrying payload.
func encodeFrame(opcode byte, payload []byte) []byte {
	n := len(payload)
	var hdr [10]byte
	hdr[0] = 0x80 | opcode
	h := 2
	switch {
	case n <= 125:
		hdr[1] = byte(n)
	case n <= 0xffff:
		hdr[1] = 126
		binary.BigEndian.PutUint16(hdr[2:], uint16(n))
		h = 4
	default:
		hdr[1] = 127
		binary.BigEndian.PutUint64(hdr[2:], uint64(n))
		h = 10
	}
	b := make([]byte, h+n)
	copy(b, hdr[:h])
	copy(b[h:], payload)
	return b
}

func textFrame(data []byte) []byte { return encodeFrame(opText, data) }

var pingFrame = encodeFrame(opPing, nil)

// batchSize bounds one write of several queued frames; larger frames go
// out on their own.
const batchSize = 32 << 10

// batchBufs lends batch buffers to writers only while they write, so an
// idle connection holds none.
var batchBufs = sync.Pool{New: func() any { b := make([]byte, 0, batchSize); return &b }}

func getBatchBuf() []byte { return (*batchBufs.Get().(*[]byte))[:0] }

func putBatchBuf(b []byte) { b = b[:0]; batchBufs.Put(&b) }
