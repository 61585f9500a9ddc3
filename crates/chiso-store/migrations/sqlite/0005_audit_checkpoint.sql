-- The last audit event whose link was verified (its seq and hash): the audit log's page
-- verifies only the events after it. Derived state, never backed up: an empty or stale
-- checkpoint means a full verification.
CREATE TABLE audit_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX audit_actor ON audit(actor, seq);
CREATE INDEX audit_action ON audit(action, seq)
