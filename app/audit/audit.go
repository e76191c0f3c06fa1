// Package audit reads, exports and expires the audit log. Entries are
// written by every other module in the transaction of their change.
package audit

// Service runs the audit log use-cases.
type Service struct{}
