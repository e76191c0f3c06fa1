package files

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // decoders for the accepted image types
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"nexus/app"
)

const (
	// ThumbnailSize bounds a thumbnail's width and height.
	ThumbnailSize = 320
	// maxPixels bounds a decoded image: a small file can declare huge
	// dimensions (a "decompression bomb"), so the header is checked first.
	maxPixels = 50_000_000
)

// errBadImage refuses a file that claims to be an image (by its content's
// first bytes) but does not decode: damaged, or a polyglot built to pass
// a sniffer.
var errBadImage = &app.Error{Code: app.CodeInvalid, Message: "The image could not be read; it may be damaged.",
	Details: map[string]any{"field": "file", "reason": "undecodable"}}

// makeThumbnail decodes a staged image (checking it really is one) and
// stages a preview no larger than ThumbnailSize on either side: JPEG for
// photos, PNG for the rest (which may be transparent). Small images are
// re-encoded at their size: the preview is always a plain, still image
// without the original's metadata, turned upright as the photo's EXIF
// orientation says (see orient.go).
func (s *Service) makeThumbnail(staged Staged, contentType string) (Staged, error) {
	rc, err := staged.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	cfg, _, err := image.DecodeConfig(br)
	if err != nil {
		return nil, errBadImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, app.Invalid("file", "The image is too large in pixels; use one under 50 megapixels.").WithDetail("reason", "too_many_pixels")
	}
	orientation := 1
	if contentType == "image/jpeg" {
		if _, err := rc.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("rewind image: %w", err)
		}
		br.Reset(rc)
		orientation = jpegOrientation(br)
	}
	if _, err := rc.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind image: %w", err)
	}
	br.Reset(rc)
	src, _, err := image.Decode(br)
	if err != nil {
		return nil, errBadImage
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbnailSize || h > ThumbnailSize {
		if w >= h {
			w, h = ThumbnailSize, max(1, h*ThumbnailSize/w)
		} else {
			w, h = max(1, w*ThumbnailSize/h), ThumbnailSize
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	dst = orient(dst, orientation)
	var out bytes.Buffer
	if thumbnailType(contentType) == "image/jpeg" {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, dst)
	}
	if err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return s.blobs.Stage(&out)
}

// thumbnailType is the format of an image's thumbnail.
func thumbnailType(contentType string) string {
	if contentType == "image/jpeg" {
		return "image/jpeg"
	}
	return "image/png"
}
