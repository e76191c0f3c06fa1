package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"nexus/app"
	"nexus/app/realtime"
)

// AppendAudit writes one audit row in the transaction of the change it
// records.
func (t *Tx) AppendAudit(ctx context.Context, e app.AuditEntry) error {
	if e.ID == "" {
		e.ID = app.NewID()
	}
	if e.At.IsZero() {
		e.At = t.now
	}
	details := []byte("{}")
	if len(e.Details) > 0 {
		var err error
		if details, err = json.Marshal(e.Details); err != nil {
			return fmt.Errorf("encode audit details: %w", err)
		}
	}
	var actor any
	if e.ActorID != "" {
		actor = e.ActorID
	}
	if _, err := t.exec(ctx, `INSERT INTO audit_events
		(id, at, actor_id, actor_label, action, target_type, target_id, ip, user_agent, result, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, formatTime(e.At), actor, e.ActorLabel, e.Action, e.TargetType, e.TargetID, e.IP, e.UserAgent,
		string(e.Result), string(details)); err != nil {
		return fmt.Errorf("append audit event %s: %w", e.Action, err)
	}
	return nil
}

// AppendEvent appends an event to the outbox; the store assigns its sequence.
func (t *Tx) AppendEvent(ctx context.Context, e app.Event) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	data := []byte("{}")
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return fmt.Errorf("encode event data: %w", err)
		}
	}
	res, err := t.exec(ctx, `INSERT INTO outbox (at, type, resource_type, resource_id, data) VALUES (?, ?, ?, ?, ?)`,
		formatTime(e.At), e.Type, e.ResourceType, e.ResourceID, string(data))
	if err != nil {
		return fmt.Errorf("append event %s: %w", e.Type, err)
	}
	if t.s.onEvents == nil {
		return nil
	}
	// Kept as OutboxSince would read the row back: seq is the outbox's
	// INTEGER PRIMARY KEY, the time as stored (UTC, whole microseconds).
	seq, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("append event %s: %w", e.Type, err)
	}
	t.events = append(t.events, realtime.StoredEvent{Seq: seq, Type: e.Type, ResourceType: e.ResourceType,
		ResourceID: e.ResourceID, At: e.At.UTC().Truncate(time.Microsecond), Data: data})
	return nil
}

// AuditFilter selects audit rows, newest first.
type AuditFilter struct {
	ActorID string
	Action  string
	Limit   int
}

// FindAuditEntries lists audit rows matching f, newest first.
func (s *Store) FindAuditEntries(ctx context.Context, f AuditFilter) ([]app.AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, at, coalesce(actor_id, ''), actor_label, action, target_type, target_id,
		ip, user_agent, result, details FROM audit_events
		WHERE (?1 = '' OR actor_id = ?1) AND (?2 = '' OR action = ?2)
		ORDER BY at DESC, id DESC LIMIT ?3`, f.ActorID, f.Action, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("query audit events: %w", err)
	}
	defer rows.Close()
	var out []app.AuditEntry
	for rows.Next() {
		var e app.AuditEntry
		var at, result, details string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorLabel, &e.Action, &e.TargetType, &e.TargetID,
			&e.IP, &e.UserAgent, &result, &details); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		e.Result = app.AuditResult(result)
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, fmt.Errorf("decode audit details: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// OutboxEvents lists outbox events after seq, oldest first.
func (s *Store) OutboxEvents(ctx context.Context, afterSeq int64, limit int) ([]app.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT seq, at, type, resource_type, resource_id, data FROM outbox
		WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("query outbox: %w", err)
	}
	defer rows.Close()
	var out []app.Event
	for rows.Next() {
		var e app.Event
		var at, data string
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.ResourceType, &e.ResourceID, &data); err != nil {
			return nil, fmt.Errorf("scan outbox event: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("decode event data: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
