package store

import (
	"context"
	"fmt"
	"github.com/pressly/goose/v3"

	"nexus/app"
)

// Migrate applies every pending migration. It is safe to run repeatedly.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	results, err := s.migrations.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// MigrationStatus lists every known migration in order.
func (s *Store) MigrationStatus(ctx context.Context) ([]app.Migration, error) {
	st, err := s.migrations.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]app.Migration, 0, len(st))
	for _, m := range st {
		out = append(out, app.Migration{Version: m.Source.Version, Name: baseName(m.Source.Path),
			Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt})
	}
	return out, nil
}

// Ready reports the applied schema version, whether migrations are pending,
// and an error when the database does not answer.
func (s *Store) Ready(ctx context.Context) (version int64, pending bool, err error) {
	if err := s.Ping(ctx); err != nil {
		return 0, false, err
	}
	current, latest, err := s.SchemaVersion(ctx)
	if err != nil {
		return 0, false, err
	}
	return current, current < latest, nil
}

// SchemaVersion returns the applied version and the newest version this
// binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	current, latest, err = s.migrations.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	return current, latest, nil
}

// IntegrityCheck runs SQLite's integrity_check and returns its findings;
// a healthy database returns ["ok"].
func (s *Store) IntegrityCheck(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("integrity check: %w", err)
		}
		out = append(out, line)
	}
	return out, rows.Err()
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
