package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"nexus/app"
)

// Codes the HTTP layer adds to the domain's: they describe a request that
// never reached a use-case.
const (
	codeTooLarge         app.ErrorCode = "too_large"
	codeUnsupportedMedia app.ErrorCode = "unsupported_media_type"
	codeMethodNotAllowed app.ErrorCode = "method_not_allowed"
	codeTimeout          app.ErrorCode = "timeout"
)

// statusOf is the one place error codes become HTTP statuses.
func statusOf(code app.ErrorCode) int {
	switch code {
	case app.CodeInvalid:
		return http.StatusBadRequest
	case app.CodeUnauthorized:
		return http.StatusUnauthorized
	case app.CodeForbidden:
		return http.StatusForbidden
	case app.CodeNotFound:
		return http.StatusNotFound
	case app.CodeConflict:
		return http.StatusConflict
	case app.CodeRateLimited:
		return http.StatusTooManyRequests
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case codeTimeout:
		return http.StatusRequestTimeout
	default:
		return http.StatusInternalServerError
	}
}

type errorBody struct {
	Error     errorDetail `json:"error"`
	RequestID string      `json:"request_id,omitempty"`
}

type errorDetail struct {
	Code    app.ErrorCode  `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// toAppError turns anything a handler or Fiber returned into an *app.Error.
// Errors that are not *app.Error are internal: their text never reaches the
// client.
func (s *Server) toAppError(err error) *app.Error {
	var ae *app.Error
	if errors.As(err, &ae) {
		return ae
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case http.StatusNotFound:
			return &app.Error{Code: app.CodeNotFound, Message: "Not found."}
		case http.StatusMethodNotAllowed:
			return &app.Error{Code: codeMethodNotAllowed, Message: "This method is not allowed here."}
		case http.StatusRequestEntityTooLarge:
			limit, text := s.cfg.BodyLimit, s.cfg.BodyLimitText
			if s.cfg.UploadLimit > limit {
				// Only an upload can have gone past the smaller limit.
				limit, text = s.cfg.UploadLimit, s.cfg.UploadLimitText
			}
			return tooLarge(limit, text)
		case http.StatusRequestTimeout:
			return &app.Error{Code: codeTimeout, Message: "The request took too long to arrive."}
		case http.StatusRequestHeaderFieldsTooLarge:
			return &app.Error{Code: app.CodeInvalid, Message: "The request headers are too large."}
		case http.StatusBadRequest:
			return &app.Error{Code: app.CodeInvalid, Message: "The request could not be read."}
		case http.StatusUnsupportedMediaType:
			return &app.Error{Code: codeUnsupportedMedia, Message: fe.Message}
		}
	}
	return &app.Error{Code: app.CodeInternal, Message: "Something went wrong on our side.", Err: err}
}

func tooLarge(limit int, text string) *app.Error {
	return &app.Error{Code: codeTooLarge, Message: fmt.Sprintf("The request body is larger than the %s limit.", text),
		Details: map[string]any{"limit_bytes": limit}}
}

// handleError is Fiber's error handler: it writes the error body and logs
// internal errors with the request ID.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	ae := s.toAppError(err)
	status := statusOf(ae.Code)
	rid := requestID(c)
	if rid == "" {
		// Errors raised while reading the request (413, 431) reach us on a
		// context the middleware never saw.
		rid = app.NewID()
		c.Set(headerReqID, rid)
		s.setSecurityHeaders(c)
	}
	if status >= 500 {
		s.log.ErrorContext(c.UserContext(), "request failed", "request_id", rid, "method", c.Method(),
			"path", c.Path(), "error", err)
		ae = &app.Error{Code: app.CodeInternal,
			Message: "Something went wrong on our side. If it keeps happening, give your administrator this request ID: " + rid + "."}
	}
	if ae.Code == app.CodeRateLimited {
		if secs, ok := ae.Details["retry_after"].(int); ok {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		}
	}
	if ae.Code == app.CodeUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="nexus"`)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(errorBody{
		Error:     errorDetail{Code: ae.Code, Message: ae.Message, Details: ae.Details},
		RequestID: rid,
	})
}

// logLevelFor chooses how loudly a finished request is logged.
func logLevelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
