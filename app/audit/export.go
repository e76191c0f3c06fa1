package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"nexus/app"
	"nexus/app/authz"
)

// csvHeader names the export's columns.
var csvHeader = []string{"time", "actor_id", "actor", "action", "target_type", "target_id", "result", "ip", "user_agent", "details", "id"}

// utf8BOM makes Excel open the file as UTF-8, so Korean text shows as
// written instead of mojibake.
const utf8BOM = "\uFEFF"

// Export is a CSV export whose permission check is done and which is
// recorded in the audit log; WriteTo streams it.
type Export struct {
	s      *Service
	filter Filter
	// FileName is a dated attachment name, e.g. nexus-audit-2026-01-15.csv.
	FileName string
	// Truncated is true when more entries match than ExportLimit; the
	// export then holds the newest ExportLimit of them.
	Truncated bool
	Limit     int
}

// StartExport checks that p may read the audit log, records the export
// (exporting the log is itself worth knowing about) and returns the export
// to stream. Any cursor in f is ignored: an export starts at the newest
// matching entry.
func (s *Service) StartExport(ctx context.Context, p *app.Principal, f Filter, meta app.RequestMeta) (*Export, error) {
	if err := authz.RequireGlobal(p, authz.ViewAudit); err != nil {
		return nil, err
	}
	f.After = nil
	n, err := s.store.CountAudit(ctx, f, s.cfg.ExportLimit+1)
	if err != nil {
		return nil, err
	}
	e := &Export{s: s, filter: f, Truncated: n > s.cfg.ExportLimit, Limit: s.cfg.ExportLimit}
	err = s.store.Update(ctx, func(tx Tx) error {
		e.FileName = "nexus-audit-" + tx.Now().UTC().Format("2006-01-02") + ".csv"
		return tx.AppendAudit(ctx, app.AuditEntry{At: tx.Now(), ActorID: p.User.ID, ActorLabel: p.User.Email,
			Action: app.ActionAuditExported, TargetType: "audit_log", IP: meta.IP, UserAgent: meta.UserAgent,
			Result: app.AuditSuccess, Details: map[string]any{"filter": describe(f), "rows": min(n, s.cfg.ExportLimit)}})
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// WriteTo streams the export as UTF-8 CSV with a byte-order mark.
func (e *Export) WriteTo(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.WriteString(utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	err := e.s.store.EachAudit(ctx, e.filter, e.Limit, func(a *app.AuditEntry) error {
		details, err := encodeDetails(a.Details)
		if err != nil {
			return err
		}
		return cw.Write(safeCells(
			a.At.UTC().Format("2006-01-02T15:04:05.000000Z"), a.ActorID, a.ActorLabel, a.Action,
			a.TargetType, a.TargetID, string(a.Result), a.IP, a.UserAgent, details, a.ID))
	})
	if err != nil {
		return fmt.Errorf("export audit log: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func encodeDetails(d map[string]any) (string, error) {
	if len(d) == 0 {
		return "{}", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the file is read by people and spreadsheets, not embedded in HTML
	if err := enc.Encode(d); err != nil {
		return "", fmt.Errorf("encode audit details: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// safeCells defuses spreadsheet formulas: user agents, labels and details
// come from outside, and a cell starting with = + - @ (or a tab or carriage
// return) would run as a formula when the file is opened in Excel. Such
// cells get a leading apostrophe, as OWASP recommends. encoding/csv does the
// quoting of commas, quotes and line breaks.
func safeCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// describe turns a filter into audit details.
func describe(f Filter) map[string]any {
	d := map[string]any{}
	if f.ActorID != "" {
		d["actor"] = f.ActorID
	}
	if f.Action != "" {
		d["action"] = f.Action
	}
	if f.Target != "" {
		d["target"] = f.Target
	}
	if !f.From.IsZero() {
		d["from"] = f.From.Format(time.RFC3339Nano)
	}
	if !f.To.IsZero() {
		d["to"] = f.To.Format(time.RFC3339Nano)
	}
	if f.Result != "" {
		d["result"] = string(f.Result)
	}
	return d
}
