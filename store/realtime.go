package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nexus/app/realtime"
)

// Outbox consumers and retention (see app/realtime). The outbox is the
// durable log of changes; consumers keep their own position in it.

// OutboxSince lists outbox events after afterSeq, oldest first, with their
// data as stored (JSON). The dispatcher runs it after every commit, so the
// statement is prepared once and nothing is decoded.
func (s *Store) OutboxSince(ctx context.Context, afterSeq int64, limit int) ([]realtime.StoredEvent, error) {
	st, err := s.readStmt(ctx, `SELECT seq, at, type, resource_type, resource_id, data FROM outbox
		WHERE seq > ? ORDER BY seq LIMIT ?`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("query outbox: %w", err)
	}
	defer rows.Close()
	var out []realtime.StoredEvent
	for rows.Next() {
		var e realtime.StoredEvent
		var at string
		if err := rows.Scan(&e.Seq, &at, &e.Type, &e.ResourceType, &e.ResourceID, &e.Data); err != nil {
			return nil, fmt.Errorf("scan outbox event: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ConsumerOffset returns the last outbox sequence the named consumer
// applied; ok is false for a consumer that never recorded one.
func (s *Store) ConsumerOffset(ctx context.Context, name string) (seq int64, ok bool, err error) {
	row, err := s.queryRow(ctx, `SELECT last_seq FROM realtime_consumers WHERE name = ?`, name)
	if err != nil {
		return 0, false, err
	}
	if err := row.Scan(&seq); errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, fmt.Errorf("read consumer offset %s: %w", name, err)
	}
	return seq, true, nil
}

// SaveConsumerOffset records that the named consumer applied every event up
// to seq.
func (s *Store) SaveConsumerOffset(ctx context.Context, name string, seq int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `INSERT INTO realtime_consumers (name, last_seq, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at`,
			name, seq, formatTime(tx.now)); err != nil {
			return fmt.Errorf("save consumer offset %s: %w", name, err)
		}
		return nil
	})
}

// LatestOutboxSeq is the sequence of the newest committed event, 0 when
// there was never one. It reads the AUTOINCREMENT counter too, so pruning
// every row does not make sequences appear to go back.
func (s *Store) LatestOutboxSeq(ctx context.Context) (int64, error) {
	row, err := s.queryRow(ctx, `SELECT max(
		coalesce((SELECT max(seq) FROM outbox), 0),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))`)
	if err != nil {
		return 0, err
	}
	var seq int64
	if err := row.Scan(&seq); err != nil {
		return 0, fmt.Errorf("read latest outbox sequence: %w", err)
	}
	return seq, nil
}

// outboxPruneBatch bounds one delete, so that pruning never holds the
// writer for long.
const outboxPruneBatch = 2000

// PruneOutbox deletes events older than before that every consumer has
// applied, oldest first, in short transactions, and returns how many it
// deleted. Events are appended in commit order, so the first one that is too
// young (or not yet applied by some consumer) ends the run.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int64, error) {
	cutoff := formatTime(before)
	var total int64
	for {
		// Only the oldest batch is looked at: a scan never walks the whole
		// log when nothing is old enough.
		row, err := s.queryRow(ctx, `SELECT coalesce(max(seq), 0) FROM (
			SELECT seq, at FROM outbox ORDER BY seq LIMIT ?)
			WHERE seq <= (SELECT coalesce(min(last_seq), 0) FROM realtime_consumers) AND at < ?`,
			outboxPruneBatch, cutoff)
		if err != nil {
			return total, err
		}
		var upTo int64
		if err := row.Scan(&upTo); err != nil {
			return total, fmt.Errorf("find prunable events: %w", err)
		}
		if upTo == 0 {
			return total, nil
		}
		var n int64
		err = s.Update(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `DELETE FROM outbox WHERE seq <= ? AND at < ?`, upTo, cutoff)
			if err != nil {
				return fmt.Errorf("prune outbox: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}
