-- Nothing to change on SQLite: its entity index already compares bytes, and its prefixes are
-- read as ranges of it (audit.rs). Kept so that both databases list the same migrations.
SELECT 1;
