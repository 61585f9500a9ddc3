CREATE TABLE users (
  id BIGSERIAL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE user_units (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  unit_id TEXT NOT NULL,
  PRIMARY KEY (user_id, unit_id)
);
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label TEXT NOT NULL
);
CREATE TABLE documents (
  name TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE periods (
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  framework TEXT NOT NULL,
  deadline TEXT,
  status TEXT NOT NULL,
  PRIMARY KEY (year, kind)
);
CREATE TABLE submissions (
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  status TEXT NOT NULL,
  submitted_at TEXT,
  PRIMARY KEY (year, kind, unit_id),
  FOREIGN KEY (year, kind) REFERENCES periods(year, kind)
);
CREATE TABLE answers (
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  verified TEXT,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (year, kind, unit_id, field),
  FOREIGN KEY (year, kind, unit_id) REFERENCES submissions(year, kind, unit_id)
);
CREATE TABLE evidence (
  id BIGSERIAL PRIMARY KEY,
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  criterion TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  uploaded_by TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE comments (
  id BIGSERIAL PRIMARY KEY,
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  criterion TEXT NOT NULL,
  author TEXT NOT NULL,
  body TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE snapshots (
  year BIGINT NOT NULL,
  kind TEXT NOT NULL,
  version BIGINT NOT NULL,
  results TEXT NOT NULL,
  reason TEXT NOT NULL,
  published_by TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (year, kind, version)
);
CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '');
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity);
