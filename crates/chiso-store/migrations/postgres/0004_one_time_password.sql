-- A password given by the system (a new user's, a reset one, the first administrator's) is
-- changed by its user before anything else: 1 until they do.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0
