package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"nexus/app"
)

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestProcessAvatarFormats(t *testing.T) {
	var g bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 40, 10), color.Palette{color.Black, color.White})
	if err := gif.Encode(&g, pal, nil); err != nil {
		t.Fatal(err)
	}
	// A 1×1 lossless WebP.
	webp, _ := base64.StdEncoding.DecodeString("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
	for name, data := range map[string][]byte{"png": encodePNG(t, 10, 30), "gif": g.Bytes(), "webp": webp} {
		out, err := processAvatar(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(out))
		if err != nil || img.Bounds() != image.Rect(0, 0, AvatarSize, AvatarSize) {
			t.Fatalf("%s: result %v %v", name, err, img.Bounds())
		}
	}
}

// A tiny file that declares enormous dimensions is refused before any
// pixel is decoded.
func TestProcessAvatarRefusesDecompressionBombs(t *testing.T) {
	data := encodePNG(t, 1, 1)
	// The IHDR chunk follows the 8-byte signature: length, type, then width
	// and height; rewrite them and the chunk's CRC.
	binary.BigEndian.PutUint32(data[16:], 100000)
	binary.BigEndian.PutUint32(data[20:], 100000)
	binary.BigEndian.PutUint32(data[29:], crc32.ChecksumIEEE(data[12:29]))
	_, err := processAvatar(data)
	if e, ok := err.(*app.Error); !ok || e.Details["reason"] != "too_many_pixels" {
		t.Fatalf("bomb: %v", err)
	}
}

func TestDomainAllowed(t *testing.T) {
	domains := []string{" Corp.Example ", "@other.example", ""}
	for email, want := range map[string]bool{
		"a@corp.example": true, "b@other.example": true, "c@sub.corp.example": false, "d@example": false, "e@corp.example.evil": false,
	} {
		if got := domainAllowed(email, domains); got != want {
			t.Errorf("%s: %v, want %v", email, got, want)
		}
	}
}
