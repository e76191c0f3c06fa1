// Package mail composes and sends Nexus's email. Every message is written to
// the mail outbox in the transaction of the change that caused it; a sender
// delivers queued messages over SMTP, or, with no SMTP configured, they stay
// in the outbox for administrators to read.
package mail

// Service reads the outbox for administrators.
type Service struct{}
