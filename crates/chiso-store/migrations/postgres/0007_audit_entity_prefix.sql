-- The audit's entity index, ordered by bytes (text_pattern_ops): PostgreSQL uses an index for
-- `entity LIKE 'answer/2024/commune/dv0001/%'` only when it is so ordered (or the database's
-- collation is C). A unit's conversation on its form and review page read the whole log
-- otherwise. Equality lookups use it as before.
DROP INDEX audit_entity;
CREATE INDEX audit_entity ON audit (entity text_pattern_ops);
