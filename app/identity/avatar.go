package identity

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers the decoders avatars may arrive in
	_ "image/jpeg"
	"image/png"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"nexus/app"
)

const (
	// MaxAvatarBytes bounds an uploaded avatar file.
	MaxAvatarBytes = 5 << 20
	// AvatarSize is the width and height of a stored avatar.
	AvatarSize = 256
	// maxAvatarPixels bounds the decoded image: a small file can declare
	// huge dimensions (a "decompression bomb"), so the header is checked
	// before any pixel is decoded.
	maxAvatarPixels = 40_000_000
)

// avatarTypes are the formats accepted, by sniffed content type.
var avatarTypes = map[string]bool{"image/png": true, "image/vnd.mozilla.apng": true, "image/jpeg": true, "image/gif": true,
	"image/webp": true}

// ErrUnsupportedAvatar marks an upload that is not an accepted image type.
var ErrUnsupportedAvatar = &app.Error{Code: app.CodeInvalid,
	Message: "Upload a PNG, JPEG, GIF or WebP image. Other files, including SVG, are not accepted as avatars.",
	Details: map[string]any{"field": "file", "reason": "unsupported_type"}}

// processAvatar sniffs the upload by its content (never by its name or
// declared type), decodes it, crops the largest centred square and scales
// it to AvatarSize, and returns the result as PNG.
func processAvatar(upload []byte) ([]byte, error) {
	if len(upload) == 0 {
		return nil, app.Invalid("file", "The file is empty.")
	}
	if len(upload) > MaxAvatarBytes {
		return nil, &app.Error{Code: app.CodeInvalid, Message: "The image is larger than 5 MiB.",
			Details: map[string]any{"field": "file", "reason": "too_large", "limit_bytes": MaxAvatarBytes}}
	}
	mt := mimetype.Detect(upload)
	if !avatarTypes[mt.String()] {
		return nil, ErrUnsupportedAvatar.WithDetail("detected_type", mt.String())
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(upload))
	if err != nil {
		return nil, app.Invalid("file", "The image could not be read; it may be damaged.").WithDetail("reason", "undecodable")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxAvatarPixels {
		return nil, app.Invalid("file", "The image is too large in pixels; use one under 40 megapixels.").WithDetail("reason", "too_many_pixels")
	}
	src, _, err := image.Decode(bytes.NewReader(upload))
	if err != nil {
		return nil, app.Invalid("file", "The image could not be read; it may be damaged.").WithDetail("reason", "undecodable")
	}
	b := src.Bounds()
	side := min(b.Dx(), b.Dy())
	crop := image.Rect(0, 0, side, side).Add(image.Pt(b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2))
	dst := image.NewNRGBA(image.Rect(0, 0, AvatarSize, AvatarSize))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, crop, draw.Src, nil)
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, dst); err != nil {
		return nil, fmt.Errorf("encode avatar: %w", err)
	}
	return out.Bytes(), nil
}
