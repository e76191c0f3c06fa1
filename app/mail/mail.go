// Package mail composes and sends Nexus's email. Every message is written to
// the mail outbox in the transaction of the change that caused it; a sender
// delivers queued messages over SMTP, or, with no SMTP configured, they stay
// in the outbox for administrators to read.
package mail

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// Kind is what a message is about. Each kind has a template per language.
type Kind string

const (
	KindInvitation      Kind = "invitation"
	KindPasswordReset   Kind = "password_reset"
	KindEmailChanged    Kind = "email_changed"
	KindPasswordChanged Kind = "password_changed"
)

// Status is where a message is in its life.
type Status string

const (
	// StatusStored: no SMTP server is configured; the message is kept for
	// administrators to read (and pass on) from the outbox.
	StatusStored Status = "stored"
	// StatusQueued: waiting for (another) delivery attempt.
	StatusQueued Status = "queued"
	StatusSent   Status = "sent"
	// StatusFailed: delivery gave up (a permanent refusal, or too many
	// attempts).
	StatusFailed Status = "failed"
)

// Message is one row of the mail outbox.
type Message struct {
	ID       string
	Kind     Kind
	To       string
	Language string // "en" or "ko": the language it was written in
	Subject  string
	Text     string
	HTML     string
	// Restricted messages carry a credential for an owner-level account (a
	// reset link for an owner, an invitation to become one): only owners
	// may read their bodies, or an administrator could use them to make
	// themselves an owner.
	Restricted    bool
	Status        Status
	Attempts      int
	LastError     string
	NextAttemptAt time.Time // when the next attempt is due (queued only)
	CreatedAt     time.Time
	SentAt        time.Time
}

// Attempt is the outcome of one delivery attempt, as recorded in the outbox.
type Attempt struct {
	ID            string
	Status        Status
	Attempts      int
	LastError     string
	NextAttemptAt time.Time
	SentAt        time.Time
}

// Filter selects outbox rows, newest first.
type Filter struct {
	// Before is a message id (UUIDv7, so time-ordered): only older
	// messages are returned. Empty starts at the newest.
	Before string
	Limit  int
}

// Store is what the outbox reader and the delivery job need.
type Store interface {
	FindMail(ctx context.Context, id string) (*Message, error)
	FindMails(ctx context.Context, f Filter) ([]Message, error)
	// FindDueMail lists queued messages whose next attempt is due at now,
	// oldest first.
	FindDueMail(ctx context.Context, now time.Time, limit int) ([]Message, error)
	RecordMailAttempt(ctx context.Context, a Attempt) error
}

// Outbox is the write side: it adds a message inside the transaction of
// the change that caused it.
type Outbox interface {
	EnqueueMail(ctx context.Context, m *Message) error
}

// Config is the mail configuration.
type Config struct {
	SMTP SMTPConfig
	// MaxAttempts is how many delivery attempts a message gets before it
	// is marked failed.
	MaxAttempts int
	// RetryBase is the wait after the first failed attempt; each further
	// failure doubles it, up to RetryMax.
	RetryBase time.Duration
	RetryMax  time.Duration
	// PollInterval is how often the delivery job looks for due messages
	// when nothing wakes it.
	PollInterval time.Duration
}

// Service composes messages, runs delivery and serves the outbox to
// administrators.
type Service struct {
	store  Store
	cfg    Config
	sender *smtpSender
	now    func() time.Time
	log    *slog.Logger
	wake   chan struct{}
}

// NewService returns the mail service; now is the clock.
func NewService(store Store, cfg Config, now func() time.Time, log *slog.Logger) *Service {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 30 * time.Second
	}
	if cfg.RetryMax < cfg.RetryBase {
		cfg.RetryMax = max(cfg.RetryBase, time.Hour)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 15 * time.Second
	}
	s := &Service{store: store, cfg: cfg, now: now, log: log, wake: make(chan struct{}, 1)}
	if cfg.SMTP.Enabled() {
		s.sender = &smtpSender{cfg: cfg.SMTP}
	}
	return s
}

// Delivers reports whether messages are sent over SMTP (rather than only
// stored for administrators).
func (s *Service) Delivers() bool { return s.sender != nil }

// New composes a message of kind for one recipient in their language
// ("ko" or anything else for English) and time zone (IANA; empty is UTC).
// data is the kind's data struct (InvitationData, ...). The message is not
// saved: the caller adds it to the outbox in its own transaction.
func (s *Service) New(kind Kind, to, language, timezone string, data any) (*Message, error) {
	lang := normalizeLanguage(language)
	subject, text, html, err := render(kind, lang, timezone, data)
	if err != nil {
		return nil, err
	}
	m := &Message{ID: app.NewID(), Kind: kind, To: to, Language: lang, Subject: subject, Text: text, HTML: html,
		Status: StatusStored, CreatedAt: s.now()}
	if s.Delivers() {
		m.Status, m.NextAttemptAt = StatusQueued, m.CreatedAt
	}
	return m, nil
}

// Notify wakes the delivery job after a commit that queued mail, so
// messages go out at once rather than at the next poll.
func (s *Service) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

var errMailNotFound = &app.Error{Code: app.CodeNotFound, Message: "Message not found."}

// Messages lists the outbox for an administrator, newest first, and
// returns the cursor of the next page ("" at the end).
func (s *Service) Messages(ctx context.Context, p *app.Principal, cursor string, limit int) ([]Message, string, error) {
	if err := authz.RequireGlobal(p, authz.ViewMail); err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	before := ""
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(raw) == 0 || len(raw) > 64 {
			return nil, "", app.Invalid("cursor", "The cursor is not valid; start from the first page.")
		}
		before = string(raw)
	}
	items, err := s.store.FindMails(ctx, Filter{Before: before, Limit: limit + 1})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(items[limit-1].ID))
	}
	owner := authz.RequireGlobal(p, authz.ManageOwners) == nil
	for i := range items {
		redact(&items[i], owner)
	}
	return items, next, nil
}

// Message returns one message with its body. The body of a restricted
// message is withheld from administrators who are not owners.
func (s *Service) Message(ctx context.Context, p *app.Principal, id string) (*Message, error) {
	if err := authz.RequireGlobal(p, authz.ViewMail); err != nil {
		return nil, err
	}
	m, err := s.store.FindMail(ctx, id)
	if app.IsNotFound(err) {
		return nil, errMailNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find mail: %w", err)
	}
	redact(m, authz.RequireGlobal(p, authz.ManageOwners) == nil)
	return m, nil
}

// Redacted reports whether the body of m was withheld from the reader.
func (m *Message) Redacted() bool { return m.Restricted && m.Text == "" && m.HTML == "" }

func redact(m *Message, owner bool) {
	if m.Restricted && !owner {
		m.Text, m.HTML = "", ""
	}
}

func normalizeLanguage(lang string) string {
	if lang == "ko" {
		return "ko"
	}
	return "en"
}
