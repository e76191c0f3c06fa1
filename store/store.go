// Package store is the only package with SQL. It keeps Nexus's source of
// truth in one SQLite file: a pool of read connections and a single writer,
// so writes never contend for the database lock.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"nexus/app"
	"nexus/app/realtime"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Options tune Open.
type Options struct {
	// Now is the clock every transaction reads once; time.Now when nil.
	Now func() time.Time
	// ReadConns caps the read pool; 0 picks a default from the CPU count.
	ReadConns int
	// BusyTimeout is how long a connection waits for a lock.
	BusyTimeout time.Duration
	// OnCommit, when set, runs after every successful commit, on the
	// committing goroutine: the outbox dispatcher uses it to publish new
	// events at once instead of waiting for its next poll. It must not block.
	OnCommit func()
	// OnEvents, when set, receives the outbox events of every successful
	// commit that appended some, in sequence order, exactly as OutboxSince
	// would read them back, just before OnCommit runs. The dispatcher takes
	// them in memory instead of re-reading them. It must not block or keep
	// modifying the slice.
	OnEvents func([]realtime.StoredEvent)
}

// Store is an open Nexus database.
type Store struct {
	path  string
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	// onCommit and onEvents are Options.OnCommit and Options.OnEvents.
	onCommit func()
	onEvents func([]realtime.StoredEvent)

	migrations *goose.Provider

	mu     sync.RWMutex
	rstmts map[string]*sql.Stmt
	wstmts map[string]*sql.Stmt

	// w groups concurrent write transactions into one commit (group.go).
	w writer
}

// Open opens (creating if needed) the database at path. It does not apply
// migrations; call Migrate.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, 2*runtime.NumCPU())
	}
	write, err := sql.Open("sqlite", dsn(path, opts.BusyTimeout, false))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer: SQLite allows one writing transaction at a time anyway, and
	// queueing in database/sql is cheaper than retrying on SQLITE_BUSY.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The first connection switches the file to WAL; do it before readers
	// open so they never see a rollback journal.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// SQLite creates the file with the process umask; the data is private.
	// The -wal and -shm files inherit this mode.
	if err := os.Chmod(path, 0o600); err != nil {
		write.Close()
		return nil, fmt.Errorf("restrict database permissions: %w", err)
	}
	read, err := sql.Open("sqlite", dsn(path, opts.BusyTimeout, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open read pool %s: %w", path, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)

	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open migrations: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectSQLite3, write, migrations)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Store{path: path, write: write, read: read, now: opts.Now, onCommit: opts.OnCommit, onEvents: opts.OnEvents, migrations: provider,
		rstmts: map[string]*sql.Stmt{}, wstmts: map[string]*sql.Stmt{}}, nil
}

// dsn builds a modernc.org/sqlite DSN. busy_timeout comes first so that it
// already applies while the other pragmas run.
func dsn(path string, busy time.Duration, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Checkpoint after 4,000 WAL pages (16 MiB) rather than SQLite's
		// 1,000: busy pages (index right edges, the outbox tail, counters)
		// are then copied into the database once per four times as many
		// writes, and the checkpoint's fsyncs run a quarter as often.
		q.Add("_pragma", "wal_autocheckpoint(4000)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close releases both pools. It first checkpoints the WAL so that a copy of
// the stopped data directory is complete without the -wal file.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	if _, err := s.write.ExecContext(ctx, "PRAGMA optimize"); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	if _, err := s.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint: %w", err))
	}
	s.mu.Lock()
	for _, st := range s.rstmts {
		st.Close()
	}
	for _, st := range s.wstmts {
		st.Close()
	}
	s.mu.Unlock()
	if err := s.migrations.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close migrations: %w", err))
	}
	if err := s.read.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close read pool: %w", err))
	}
	if err := s.write.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close writer: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Ping checks that both pools answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping read pool: %w", err)
	}
	return nil
}

// prepared returns a statement prepared once per pool and reused; SQLite
// parsing costs more than many of our queries. The lock is never held while
// preparing: that waits for a connection, and the writer's only connection
// may belong to a transaction that is itself waiting for the lock.
func (s *Store) prepared(ctx context.Context, db *sql.DB, cache map[string]*sql.Stmt, query string) (*sql.Stmt, error) {
	s.mu.RLock()
	st, ok := cache[query]
	s.mu.RUnlock()
	if ok {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if existing, ok := cache[query]; ok {
		st.Close()
		return existing, nil
	}
	cache[query] = st
	return st, nil
}

func (s *Store) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return s.prepared(ctx, s.read, s.rstmts, query)
}

func (s *Store) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// Tx is a write transaction. Every row it writes shares one timestamp.
type Tx struct {
	s   *Store
	tx  *sql.Tx
	now time.Time
	// missed are queries not yet prepared on the writer connection. They
	// cannot be prepared on it while this transaction holds it, so they are
	// prepared for this transaction only and cached after it ends.
	missed []string
	// events are the outbox events appended in this transaction, for
	// Options.OnEvents once it commits.
	events []realtime.StoredEvent
}

// Now is the transaction's time.
func (t *Tx) Now() time.Time { return t.now }

func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	t.s.mu.RLock()
	st, ok := t.s.wstmts[query]
	t.s.mu.RUnlock()
	if ok {
		return t.tx.StmtContext(ctx, st), nil
	}
	t.missed = append(t.missed, query)
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", firstLine(query), err)
	}
	return st, nil
}

func (t *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *Tx) queryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// Update runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits when fn returns nil. Concurrent calls may
// share one commit (see group.go); each is still all or nothing, and
// Update returns only once its work is durable or undone.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	err := s.w.run(ctx, s, fn)
	// Only now is the writer connection free again.
	return err
}

// prepareMissed caches the statements a finished transaction had to prepare
// for itself. A failure only costs the cache, so it is not reported.
func (s *Store) prepareMissed(ctx context.Context, tx *Tx) {
	for _, q := range tx.missed {
		_, _ = s.prepared(ctx, s.write, s.wstmts, q)
	}
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// isUniqueViolation tells a UNIQUE or PRIMARY KEY failure by the driver's
// extended result code, never by message text.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// found is the outcome of reading one row: the value, not_found naming
// what was looked for, or the scan error wrapped.
func found[T any](v *T, err error, what string) (*T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what)
	}
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", strings.ToLower(what), err)
	}
	return v, nil
}

func notFound(what string) error {
	return &app.Error{Code: app.CodeNotFound, Message: what + " not found.", Err: app.ErrNotFound}
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
