-- The last audit event whose link was verified (its seq and hash): the audit log's page
-- verifies only the events after it. Derived state, never backed up: an empty or stale
-- checkpoint (seq 0) means a full verification. (No index on actor or action: every
-- append would pay for them, and a filtered page reads back from the newest event.)
CREATE TABLE audit_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL
);
INSERT INTO audit_checkpoint (id, seq, hash, at) VALUES (1, 0, '', '')
