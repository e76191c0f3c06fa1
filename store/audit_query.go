package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/audit"
)

const auditColumns = `id, at, coalesce(actor_id, ''), actor_label, action, target_type, target_id, ip, user_agent, result, details`

// auditWhere builds the WHERE clause of an audit query from constant
// fragments; values are always bound. Only the filters in use appear, so
// SQLite can pick the index that fits (actor, action or time).
func auditWhere(f audit.Filter) (string, []any) {
	var conds []string
	var args []any
	if f.ActorID != "" {
		conds = append(conds, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok && strings.HasSuffix(prefix, ".") {
		// "user.*": every action from "user." up to (not including)
		// "user/", the next string after the dot; this keeps the action index.
		conds = append(conds, "action >= ? AND action < ?")
		args = append(args, prefix, prefix[:len(prefix)-1]+"/")
	} else if f.Action != "" {
		conds = append(conds, "action = ?")
		args = append(args, f.Action)
	}
	if f.Target != "" {
		conds = append(conds, "(target_type = ? OR target_id = ?)")
		args = append(args, f.Target, f.Target)
	}
	if !f.From.IsZero() {
		conds = append(conds, "at >= ?")
		args = append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < ?")
		args = append(args, formatTime(f.To))
	}
	if f.Result != "" {
		conds = append(conds, "result = ?")
		args = append(args, string(f.Result))
	}
	if f.After != nil {
		at := formatTime(f.After.At)
		conds = append(conds, "(at < ? OR (at = ? AND id < ?))")
		args = append(args, at, at, f.After.ID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func scanAuditEntry(rows *sql.Rows) (*app.AuditEntry, error) {
	var e app.AuditEntry
	var at, result, details string
	if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorLabel, &e.Action, &e.TargetType, &e.TargetID,
		&e.IP, &e.UserAgent, &result, &details); err != nil {
		return nil, fmt.Errorf("scan audit event: %w", err)
	}
	var err error
	if e.At, err = parseTime(at); err != nil {
		return nil, err
	}
	e.Result = app.AuditResult(result)
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		return nil, fmt.Errorf("decode audit details: %w", err)
	}
	return &e, nil
}

// EachAudit calls fn for each entry matching f, newest first, at most
// limit, as rows are read.
func (s *Store) EachAudit(ctx context.Context, f audit.Filter, limit int, fn func(*app.AuditEntry) error) error {
	where, args := auditWhere(f)
	st, err := s.readStmt(ctx, `SELECT `+auditColumns+` FROM audit_events`+where+` ORDER BY at DESC, id DESC LIMIT ?`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, append(args, limit)...)
	if err != nil {
		return fmt.Errorf("query audit events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// QueryAudit lists entries matching f, newest first, at most limit.
func (s *Store) QueryAudit(ctx context.Context, f audit.Filter, limit int) ([]app.AuditEntry, error) {
	out := []app.AuditEntry{}
	err := s.EachAudit(ctx, f, limit, func(e *app.AuditEntry) error {
		out = append(out, *e)
		return nil
	})
	return out, err
}

// CountAudit counts the entries matching f, stopping at max.
func (s *Store) CountAudit(ctx context.Context, f audit.Filter, max int) (int, error) {
	where, args := auditWhere(f)
	row, err := s.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM audit_events`+where+` LIMIT ?)`, append(args, max)...)
	if err != nil {
		return 0, err
	}
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("count audit events: %w", err)
	}
	return n, nil
}

// AuditActions lists the distinct action names in the log, walking the
// action index rather than the rows.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	st, err := s.readStmt(ctx, `SELECT DISTINCT action FROM audit_events ORDER BY action`)
	if err != nil {
		return nil, err
	}
	return accessQueryStrings(ctx, st)
}

// AuditCutoff is the retention cutoff: entries before it may be deleted.
// Zero while nothing was ever expired.
func (s *Store) AuditCutoff(ctx context.Context) (time.Time, error) {
	row, err := s.queryRow(ctx, `SELECT cutoff FROM audit_retention WHERE id = 1`)
	if err != nil {
		return time.Time{}, err
	}
	var cutoff string
	if err := row.Scan(&cutoff); err != nil {
		return time.Time{}, fmt.Errorf("read audit cutoff: %w", err)
	}
	if cutoff == "" {
		return time.Time{}, nil
	}
	return parseTime(cutoff)
}

// SetAuditCutoff records the retention cutoff. Only entries before it can
// be deleted; setting it later than before makes more entries deletable,
// earlier (a longer retention configured) protects more again.
func (t *Tx) SetAuditCutoff(ctx context.Context, cutoff time.Time) error {
	if _, err := t.exec(ctx, `UPDATE audit_retention SET cutoff = ? WHERE id = 1`, formatTime(cutoff)); err != nil {
		return fmt.Errorf("set audit cutoff: %w", err)
	}
	return nil
}

// DeleteAuditBefore deletes at most limit entries older than cutoff. The
// trigger from migration 00002 refuses the whole statement if any of them
// is not before the recorded cutoff.
func (t *Tx) DeleteAuditBefore(ctx context.Context, cutoff time.Time, limit int) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM audit_events WHERE rowid IN
		(SELECT rowid FROM audit_events WHERE at < ? ORDER BY at LIMIT ?)`, formatTime(cutoff), limit)
	if err != nil {
		return 0, fmt.Errorf("delete expired audit events: %w", err)
	}
	return res.RowsAffected()
}

var _ audit.Tx = (*Tx)(nil)
