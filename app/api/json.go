package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
)

// decodeJSON reads the request body into dst. It requires
// Content-Type: application/json (415 otherwise), rejects unknown fields and
// trailing data, and names the problem for malformed input (400).
func decodeJSON(c *fiber.Ctx, dst any) error {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != fiber.MIMEApplicationJSON {
		return &app.Error{Code: codeUnsupportedMedia, Message: "Send the request body as JSON with Content-Type: application/json.",
			Details: map[string]any{"content_type": ct}}
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return &app.Error{Code: app.CodeInvalid, Message: "The request body is empty; send a JSON object."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &app.Error{Code: app.CodeInvalid, Message: "The request body has extra data after the JSON object."}
	}
	return nil
}

func jsonError(err error) *app.Error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &app.Error{Code: app.CodeInvalid, Message: fmt.Sprintf("The request body is not valid JSON (at byte %d): %s.", syn.Offset, syn.Error()),
			Details: map[string]any{"offset": syn.Offset}}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &app.Error{Code: app.CodeInvalid, Message: fmt.Sprintf("The request body must be a JSON object, not %s.", article(typ.Value))}
		}
		return &app.Error{Code: app.CodeInvalid, Message: fmt.Sprintf("Field %q must be %s, not %s.", field, jsonKind(typ.Type.Kind().String()), article(typ.Value)),
			Details: map[string]any{"field": field}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &app.Error{Code: app.CodeInvalid, Message: "The request body is cut off: the JSON ends too early."}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for unknown fields; the message
		// format is part of its documented behaviour.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &app.Error{Code: app.CodeInvalid, Message: fmt.Sprintf("Unknown field %q.", name),
			Details: map[string]any{"field": name}}
	}
	return &app.Error{Code: app.CodeInvalid, Message: "The request body could not be read as JSON."}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "a number"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "an object"
	}
	return "a " + goKind
}

func article(v string) string {
	switch {
	case v == "object":
		return "an object"
	case v == "array":
		return "a list"
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return "a " + v
}
