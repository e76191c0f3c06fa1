package files

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// exifJPEG is a JPEG of img carrying an EXIF orientation in the given byte
// order, as a camera writes it (APP1 right after SOI).
func exifJPEG(t testing.TB, img image.Image, orientation uint16, bo binary.ByteOrder) []byte {
	t.Helper()
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	var tiff bytes.Buffer
	if bo == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	w := func(v any) { _ = binary.Write(&tiff, bo, v) }
	w(uint16(42))
	w(uint32(8))
	w(uint16(2)) // two entries: something else first, then Orientation
	w(uint16(0x010f))
	w(uint16(2))
	w(uint32(4))
	w(uint32(0))
	w(uint16(0x0112))
	w(uint16(3))
	w(uint32(1))
	w(orientation)
	w(uint16(0))
	w(uint32(0))
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, enc.Bytes()[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for o := uint16(1); o <= 8; o++ {
		for _, bo := range []binary.ByteOrder{binary.BigEndian, binary.LittleEndian} {
			if got := jpegOrientation(bytes.NewReader(exifJPEG(t, img, o, bo))); got != int(o) {
				t.Errorf("orientation %d (%v): read %d", o, bo, got)
			}
		}
	}
	var plain bytes.Buffer
	_ = jpeg.Encode(&plain, img, nil)
	for name, data := range map[string][]byte{
		"no exif":      plain.Bytes(),
		"not a jpeg":   []byte("\x89PNG\r\n\x1a\n"),
		"truncated":    exifJPEG(t, img, 6, binary.BigEndian)[:20],
		"bad value":    exifJPEG(t, img, 9, binary.BigEndian),
		"empty":        nil,
		"short marker": {0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01},
	} {
		if got := jpegOrientation(bytes.NewReader(data)); got != 1 {
			t.Errorf("%s: orientation %d, want 1", name, got)
		}
	}
}

// TestOrientTurnsUpright stores an upright picture the way each EXIF
// orientation describes (built from plain rotations and mirrors) and
// checks that orient undoes it.
func TestOrientTurnsUpright(t *testing.T) {
	upright := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			upright.SetNRGBA(x, y, color.NRGBA{uint8(10 * x), uint8(10 * y), 0, 255})
		}
	}
	mirror := func(m *image.NRGBA) *image.NRGBA { // left ↔ right
		w, h := m.Bounds().Dx(), m.Bounds().Dy()
		out := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.SetNRGBA(w-1-x, y, m.NRGBAAt(x, y))
			}
		}
		return out
	}
	rotCW := func(m *image.NRGBA) *image.NRGBA { // a quarter turn clockwise
		w, h := m.Bounds().Dx(), m.Bounds().Dy()
		out := image.NewNRGBA(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.SetNRGBA(h-1-y, x, m.NRGBAAt(x, y))
			}
		}
		return out
	}
	turns := func(m *image.NRGBA, n int) *image.NRGBA {
		for range n {
			m = rotCW(m)
		}
		return m
	}
	// stored[o] is what a camera writes for an upright scene when it
	// records orientation o (EXIF 2.3, tag 0x0112).
	stored := map[int]*image.NRGBA{
		1: upright,
		2: mirror(upright),
		3: turns(upright, 2),
		4: mirror(turns(upright, 2)),
		5: mirror(turns(upright, 1)), // transposed
		6: turns(upright, 3),
		7: mirror(turns(upright, 3)), // transversed
		8: turns(upright, 1),
	}
	for o, img := range stored {
		got := orient(img, o)
		if !got.Bounds().Eq(upright.Bounds()) || !bytes.Equal(got.Pix, upright.Pix) {
			t.Errorf("orientation %d: not upright: %v %v", o, got.Bounds(), got.Pix)
		}
	}
}
