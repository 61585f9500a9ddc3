-- The background work of every server on this database (report files, outlooks, PDFs):
-- each server keeps its own jobs in memory and copies them here about once a second, so
-- that any server shows the administrator all of them. Derived state, never backed up. A
-- server that stops leaves its unfinished jobs, shown as interrupted once it is unheard of.
CREATE TABLE background_jobs (
    server TEXT NOT NULL,
    id BIGINT NOT NULL,
    year INTEGER NOT NULL,
    work TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    step TEXT,
    done BIGINT NOT NULL,
    total BIGINT NOT NULL,
    pages BIGINT,
    queued_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    since_ms BIGINT NOT NULL,
    started_ms BIGINT,
    took_ms BIGINT,
    heard_ms BIGINT NOT NULL,
    PRIMARY KEY (server, id)
);
CREATE INDEX background_jobs_since ON background_jobs (since_ms)
