package app

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an error for the API layer, which maps each code to an
// HTTP status in exactly one place.
type ErrorCode string

const (
	CodeInvalid      ErrorCode = "invalid"
	CodeUnauthorized ErrorCode = "unauthorized"
	CodeForbidden    ErrorCode = "forbidden"
	CodeNotFound     ErrorCode = "not_found"
	CodeConflict     ErrorCode = "conflict"
	CodeRateLimited  ErrorCode = "rate_limited"
	CodeInternal     ErrorCode = "internal"
)

// Error is the one error type the domain returns to callers. Message is safe
// to show to a person; Details carries machine-readable context (for example
// the offending field). Err, when set, is the underlying cause and is never
// shown to clients.
type Error struct {
	Code    ErrorCode
	Message string
	Details map[string]any
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports bad input on one field.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeInvalid, Message: message, Details: map[string]any{"field": field}}
}

// WithDetail returns a copy of e with one more detail set.
func (e *Error) WithDetail(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// ErrNotFound is returned by finders when no row matches. Callers usually turn
// it into a more specific *Error or a generic 401/404.
var ErrNotFound = &Error{Code: CodeNotFound, Message: "Not found."}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// or CodeInternal for anything else.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsNotFound reports whether err is (or wraps) a not_found error.
func IsNotFound(err error) bool { return err != nil && CodeOf(err) == CodeNotFound }

// WithCode returns a copy of e with another code.
func (e *Error) WithCode(code ErrorCode) *Error {
	c := *e
	c.Code = code
	return &c
}
