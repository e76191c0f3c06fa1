-- Audit rows may only be deleted by the retention job, and only rows older
-- than the cutoff it records here first. Nothing else can delete (or, per
-- 00001, update) an audit row, even with direct SQL through the app.

-- +goose Up
CREATE TABLE audit_retention (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff TEXT NOT NULL
) STRICT;
-- An empty cutoff sorts before every timestamp: no row is deletable.
INSERT INTO audit_retention (id, cutoff) VALUES (1, '');

-- +goose StatementBegin
CREATE TRIGGER audit_events_retention_only BEFORE DELETE ON audit_events
WHEN old.at >= (SELECT cutoff FROM audit_retention WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only; only the retention job removes old ones');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_events_retention_only;
DROP TABLE audit_retention;
