package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nexus/app/mail"
)

// The mail outbox.

const mailColumns = `id, created_at, kind, to_address, language, subject, text_body, html_body, restricted, status,
	attempts, last_error, next_attempt_at, sent_at`

func scanMail(row rowScanner) (*mail.Message, error) {
	var m mail.Message
	var created, kind, status string
	var next, sent sql.NullString
	if err := row.Scan(&m.ID, &created, &kind, &m.To, &m.Language, &m.Subject, &m.Text, &m.HTML, &m.Restricted, &status,
		&m.Attempts, &m.LastError, &next, &sent); err != nil {
		return nil, err
	}
	m.Kind, m.Status = mail.Kind(kind), mail.Status(status)
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if m.NextAttemptAt, err = parseNullTime(next); err != nil {
		return nil, err
	}
	if m.SentAt, err = parseNullTime(sent); err != nil {
		return nil, err
	}
	return &m, nil
}

func (s *Store) queryMails(ctx context.Context, q string, args ...any) ([]mail.Message, error) {
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query mail outbox: %w", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("scan mail: %w", err)
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// FindMail reads one outbox message.
func (s *Store) FindMail(ctx context.Context, id string) (*mail.Message, error) {
	row, err := s.queryRow(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	m, err := scanMail(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Message")
	}
	if err != nil {
		return nil, fmt.Errorf("scan mail: %w", err)
	}
	return m, nil
}

// FindMails lists outbox messages, newest first (ids are UUIDv7).
func (s *Store) FindMails(ctx context.Context, f mail.Filter) ([]mail.Message, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return s.queryMails(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE (?1 = '' OR id < ?1) ORDER BY id DESC LIMIT ?2`,
		f.Before, f.Limit)
}

// FindDueMail lists queued messages whose next attempt is due, oldest
// first.
func (s *Store) FindDueMail(ctx context.Context, now time.Time, limit int) ([]mail.Message, error) {
	return s.queryMails(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, formatTime(now), limit)
}

// RecordMailAttempt stores the outcome of a delivery attempt.
func (s *Store) RecordMailAttempt(ctx context.Context, a mail.Attempt) error {
	return s.Update(ctx, func(t *Tx) error {
		if _, err := t.exec(ctx, `UPDATE mail_outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = ?
			WHERE id = ?`, string(a.Status), a.Attempts, a.LastError, nullTime(a.NextAttemptAt), nullTime(a.SentAt), a.ID); err != nil {
			return fmt.Errorf("record mail attempt: %w", err)
		}
		return nil
	})
}

// EnqueueMail adds a message to the outbox in the transaction of the change
// that caused it.
func (t *Tx) EnqueueMail(ctx context.Context, m *mail.Message) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = t.now
	}
	if _, err := t.exec(ctx, `INSERT INTO mail_outbox (id, created_at, kind, to_address, language, subject, text_body, html_body,
		restricted, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, formatTime(m.CreatedAt), string(m.Kind), m.To, m.Language, m.Subject, m.Text, m.HTML, m.Restricted,
		string(m.Status), nullTime(m.NextAttemptAt)); err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}

var (
	_ mail.Store  = (*Store)(nil)
	_ mail.Outbox = (*Tx)(nil)
)
