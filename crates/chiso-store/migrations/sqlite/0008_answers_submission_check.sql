-- Nothing to change on SQLite: its foreign key from answers to submissions is checked by a
-- lookup in the submissions' key, cheap beside the row's own insert. PostgreSQL's 0008
-- replaces its per-row trigger with statement triggers. Kept so that both databases list
-- the same migrations.
SELECT 1;
