// Package audit reads, exports and expires the audit log. Entries are
// written by every other module in the transaction of their change; nothing
// here (or anywhere) edits or deletes one, except the retention job, which
// removes entries older than the configured period and only those (the
// database's triggers refuse anything else).
package audit

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// Filter selects audit entries. Zero fields do not filter.
type Filter struct {
	ActorID string
	// Action is an exact action name, or a prefix ending in ".*" such as
	// "user.*" for every user action.
	Action string
	// Target matches the target type ("user", "team") or the target ID.
	Target string
	// From is inclusive, To exclusive.
	From, To time.Time
	Result   app.AuditResult
	// After continues a listing after this entry (newest first).
	After *Cursor
}

// Cursor is a position in the newest-first order: entries sort by time,
// then by ID, so the position is stable while new entries arrive.
type Cursor struct {
	At time.Time
	ID string
}

// Encode makes the opaque cursor string clients send back.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.At.UTC().Format(time.RFC3339Nano) + "," + c.ID))
}

// DecodeCursor parses a cursor from Encode.
func DecodeCursor(s string) (*Cursor, error) {
	bad := app.Invalid("cursor", "The cursor is not valid; start again from the first page.")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), ",")
	if !ok || id == "" {
		return nil, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, bad
	}
	return &Cursor{At: t, ID: id}, nil
}

// FilterInput is a filter as a client sends it (query parameters).
type FilterInput struct {
	Actor, Action, Target, From, To, Result, Cursor string
}

// ParseFilter validates a client's filter.
func ParseFilter(in FilterInput) (Filter, error) {
	f := Filter{ActorID: strings.TrimSpace(in.Actor), Action: strings.TrimSpace(in.Action), Target: strings.TrimSpace(in.Target)}
	for _, v := range []struct {
		field, s string
		dst      *time.Time
	}{{"from", in.From, &f.From}, {"to", in.To, &f.To}} {
		if v.s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v.s)
		if err != nil {
			return Filter{}, app.Invalid(v.field, "Use an RFC 3339 time such as 2026-01-15T09:00:00Z.")
		}
		*v.dst = t.UTC()
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Filter{}, app.Invalid("to", "The end of the time range must be after its start.")
	}
	switch r := app.AuditResult(in.Result); r {
	case "", app.AuditSuccess, app.AuditFailure:
		f.Result = r
	default:
		return Filter{}, app.Invalid("result", "Result must be success or failure.")
	}
	if in.Cursor != "" {
		c, err := DecodeCursor(in.Cursor)
		if err != nil {
			return Filter{}, err
		}
		f.After = c
	}
	return f, nil
}

// Store is what the audit use-cases need from storage.
type Store interface {
	// QueryAudit lists entries matching f, newest first, at most limit.
	QueryAudit(ctx context.Context, f Filter, limit int) ([]app.AuditEntry, error)
	// EachAudit calls fn for each entry matching f, newest first, at most
	// limit, while reading them (an export never holds them all in memory).
	EachAudit(ctx context.Context, f Filter, limit int, fn func(*app.AuditEntry) error) error
	// CountAudit counts the entries matching f, stopping at max.
	CountAudit(ctx context.Context, f Filter, max int) (int, error)
	// AuditActions lists the distinct action names in the log.
	AuditActions(ctx context.Context) ([]string, error)
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is a write transaction.
type Tx interface {
	Now() time.Time
	// SetAuditCutoff records the retention cutoff. The database refuses to
	// delete any entry at or after it.
	SetAuditCutoff(ctx context.Context, cutoff time.Time) error
	// DeleteAuditBefore deletes at most limit entries older than cutoff.
	DeleteAuditBefore(ctx context.Context, cutoff time.Time, limit int) (int64, error)
	AppendAudit(ctx context.Context, e app.AuditEntry) error
}

// Config tunes the service.
type Config struct {
	// Retention is how long entries are kept; 0 keeps them forever.
	Retention time.Duration
	// ExportLimit caps the rows of one CSV export (newest first).
	ExportLimit int
}

// DefaultExportLimit is the most rows one export returns.
const DefaultExportLimit = 100_000

// Page sizes of the listing.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Service runs the audit log use-cases.
type Service struct {
	store Store
	cfg   Config
	log   *slog.Logger
}

// NewService returns the audit service.
func NewService(store Store, cfg Config, log *slog.Logger) *Service {
	if cfg.ExportLimit <= 0 {
		cfg.ExportLimit = DefaultExportLimit
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, cfg: cfg, log: log}
}

// Page is one page of a listing.
type Page struct {
	Items      []app.AuditEntry
	NextCursor string // empty on the last page
}

// List returns one page of entries matching f, newest first.
func (s *Service) List(ctx context.Context, p *app.Principal, f Filter, limit int) (*Page, error) {
	if err := authz.RequireGlobal(p, authz.ViewAudit); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	items, err := s.store.QueryAudit(ctx, f, limit+1)
	if err != nil {
		return nil, err
	}
	page := &Page{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = Cursor{At: last.At, ID: last.ID}.Encode()
	}
	return page, nil
}

// Actions lists the action names that occur in the log, for the filter.
func (s *Service) Actions(ctx context.Context, p *app.Principal) ([]string, error) {
	if err := authz.RequireGlobal(p, authz.ViewAudit); err != nil {
		return nil, err
	}
	return s.store.AuditActions(ctx)
}
