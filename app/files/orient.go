package files

import (
	"bytes"
	"encoding/binary"
	"image"
	"io"
)

// Phone cameras store photos as the sensor saw them and record in the JPEG's
// EXIF data how to turn them upright. Browsers apply that to the original;
// the thumbnail, re-encoded without metadata, must be turned here or a
// portrait photo's preview lies on its side.

// jpegOrientation reads the EXIF orientation (1–8) from the start of a
// JPEG; 1 (as stored) when there is none or it cannot be read. It reads at
// most the header segments, never the image data.
func jpegOrientation(r io.Reader) int {
	br := &byteReader{r: r}
	if br.u16() != 0xffd8 { // SOI
		return 1
	}
	for i := 0; i < 32 && br.err == nil; i++ {
		marker := br.u16()
		if marker&0xff00 != 0xff00 || marker == 0xffda || marker == 0xffd9 { // not a marker, start of scan, end
			return 1
		}
		size := int(br.u16())
		if size < 2 {
			return 1
		}
		seg := br.bytes(size - 2)
		if br.err != nil {
			return 1
		}
		if marker == 0xffe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return exifOrientation(seg[6:])
		}
	}
	return 1
}

// exifOrientation finds tag 0x0112 in IFD0 of a TIFF structure.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return 1
	}
	ifd := int(bo.Uint32(tiff[4:]))
	if ifd < 8 || ifd+2 > len(tiff) {
		return 1
	}
	n := int(bo.Uint16(tiff[ifd:]))
	for i := 0; i < n; i++ {
		e := ifd + 2 + 12*i
		if e+12 > len(tiff) {
			return 1
		}
		if bo.Uint16(tiff[e:]) != 0x0112 {
			continue
		}
		if bo.Uint16(tiff[e+2:]) != 3 { // SHORT
			return 1
		}
		if o := int(bo.Uint16(tiff[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 1
	}
	return 1
}

type byteReader struct {
	r   io.Reader
	err error
}

func (b *byteReader) bytes(n int) []byte {
	if b.err != nil {
		return nil
	}
	p := make([]byte, n)
	_, b.err = io.ReadFull(b.r, p)
	return p
}

func (b *byteReader) u16() uint16 {
	p := b.bytes(2)
	if b.err != nil {
		return 0
	}
	return binary.BigEndian.Uint16(p)
}

// orient turns img upright for an EXIF orientation.
func orient(img *image.NRGBA, o int) *image.NRGBA {
	if o <= 1 || o > 8 {
		return img
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-dx, dy
			case 3: // upside down
				sx, sy = w-1-dx, h-1-dy
			case 4: // mirrored upside down
				sx, sy = dx, h-1-dy
			case 5: // mirrored, on its side (transpose)
				sx, sy = dy, dx
			case 6: // turned left: rotate 90° clockwise
				sx, sy = dy, h-1-dx
			case 7: // mirrored, on its other side (transverse)
				sx, sy = w-1-dy, h-1-dx
			case 8: // turned right: rotate 90° counter-clockwise
				sx, sy = w-1-dy, dx
			}
			si := img.PixOffset(sx, sy)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], img.Pix[si:si+4])
		}
	}
	return dst
}
