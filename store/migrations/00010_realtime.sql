-- Realtime delivery: how far each outbox consumer has got. The outbox itself
-- (00001) is the durable log; a consumer (the dispatcher that publishes on
-- the bus, the WebSocket gateway, later the search indexer and embedder)
-- records the last sequence it applied and, after a restart, catches up
-- from there. Rows are written at most about once a second per consumer.

-- +goose Up
CREATE TABLE realtime_consumers (
    name       TEXT PRIMARY KEY,
    last_seq   INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
-- The dispatcher starts after the events that exist when realtime is
-- installed: they were committed long before anyone could be listening.
INSERT INTO realtime_consumers (name, last_seq, updated_at)
SELECT 'dispatcher', coalesce(max(seq), 0), strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM outbox;

-- +goose Down
DROP TABLE realtime_consumers;
