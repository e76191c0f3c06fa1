package store

import "context"

// Test-only access to raw SQL, so tests can check pragmas and that the
// database itself refuses tampering.

func (s *Store) QueryIntForTest(ctx context.Context, q string, dst *int) error {
	return s.write.QueryRowContext(ctx, q).Scan(dst)
}

func (s *Store) QueryStringForTest(ctx context.Context, q string, dst *string) error {
	return s.write.QueryRowContext(ctx, q).Scan(dst)
}

func (s *Store) ExecForTest(ctx context.Context, q string) error {
	_, err := s.write.ExecContext(ctx, q)
	return err
}
