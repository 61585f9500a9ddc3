//! Backup and restore: one ZIP file holding a consistent snapshot of the database (one
//! JSON-lines part per table, backend-neutral) and every evidence file it references,
//! with a manifest (sha256 and size of every part, schema version, chiso version, source
//! backend, audit chain head).
//!
//! Backup runs online: the rows are read inside one read transaction (SQLite: a WAL read
//! snapshot; PostgreSQL: `REPEATABLE READ READ ONLY`), so a server writing at the same
//! time is neither blocked nor half-copied. Evidence files are content-addressed and never
//! deleted, so every file a snapshot row names exists; each is hashed on the way in.
//! The file is written as `<name>.partial`, synced, then renamed: a backup that exists is
//! complete.
//!
//! Restore checks everything before touching anything: the manifest, every part's hash
//! and size, no part missing or extra, evidence names equal to their content's hash,
//! every evidence row's file present, the rows parse, and the audit chain verifies. Then it
//! copies the evidence files (content-addressed: adding one never changes another) and
//! writes all rows in one transaction; if that fails, the files it added are removed.
//! A non-empty database is refused unless `force`, which replaces its contents in the
//! same transaction. Sessions are not backed up: users log in again after a restore.

mod part_rows;

use crate::audit::digest;
use crate::signing::{SigningKey, sign_head};
use crate::tx::Tx;
use crate::{Backend, NewEvent, Store, StoreError, now_utc};
use chiso_domain::progress::{Progress, Quiet};
use futures_util::TryStreamExt;
use part_rows::{PartRows, check_part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "chiso-backup";
pub const FORMAT_VERSION: u64 = 1;
/// The signature of `manifest.json` (HMAC-SHA256 with the installation's signing key).
pub const SIGNATURE: &str = "manifest.sig";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Int,
    Text,
    NullText,
}

struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Col)],
    order: &'static str,
}

use Col::{Int, NullText, Text};

/// Every table with data worth keeping, parents before children (foreign keys).
const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("username", Text),
            ("password_hash", Text),
            ("role", Text),
            ("created_at", Text),
            ("disabled_at", NullText),
            ("must_change_password", Int),
        ],
        order: "id",
    },
    Table { name: "user_units", columns: &[("user_id", Int), ("unit_id", Text)], order: "user_id, unit_id" },
    Table {
        name: "api_tokens",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("label", Text),
            ("created_at", Text),
            ("expires_at", Int),
            ("revoked_at", NullText),
        ],
        order: "token_hash",
    },
    Table { name: "documents", columns: &[("name", Text), ("body", Text)], order: "name" },
    Table {
        name: "periods",
        columns: &[("year", Int), ("kind", Text), ("framework", Text), ("deadline", NullText), ("status", Text)],
        order: "year, kind",
    },
    Table {
        name: "submissions",
        columns: &[("year", Int), ("kind", Text), ("unit_id", Text), ("status", Text), ("submitted_at", NullText)],
        order: "year, kind, unit_id",
    },
    Table {
        name: "answers",
        columns: &[
            ("year", Int),
            ("kind", Text),
            ("unit_id", Text),
            ("field", Text),
            ("value", Text),
            ("verified", NullText),
            ("note", Text),
        ],
        order: "year, kind, unit_id, field",
    },
    Table {
        name: "evidence",
        columns: &[
            ("id", Int),
            ("year", Int),
            ("kind", Text),
            ("unit_id", Text),
            ("criterion", Text),
            ("sha256", Text),
            ("filename", Text),
            ("content_type", Text),
            ("size", Int),
            ("uploaded_by", Text),
            ("at", Text),
        ],
        order: "id",
    },
    Table {
        name: "comments",
        columns: &[
            ("id", Int),
            ("year", Int),
            ("kind", Text),
            ("unit_id", Text),
            ("criterion", Text),
            ("author", Text),
            ("body", Text),
            ("at", Text),
        ],
        order: "id",
    },
    Table {
        name: "snapshots",
        columns: &[
            ("year", Int),
            ("kind", Text),
            ("version", Int),
            ("results", Text),
            ("reason", Text),
            ("published_by", Text),
            ("at", Text),
        ],
        order: "year, kind, version",
    },
    Table {
        name: "audit_head",
        columns: &[("id", Int), ("seq", Int), ("last_hash", Text), ("signed_seq", Int), ("signature", Text)],
        order: "id",
    },
    Table {
        name: "audit",
        columns: &[
            ("seq", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("entity", Text),
            ("old_value", Text),
            ("new_value", Text),
            ("reason", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("detail", Text),
        ],
        order: "seq",
    },
];

/// Tables deliberately left out: the migrations (the target has its own, and must match)
/// sessions (short-lived logins; users log in again after a restore), login counters, the
/// audit checkpoint (a restored chain is verified in full once) and the servers' background
/// jobs (their state in memory, copied for the other servers to show).
const NOT_BACKED_UP: &[&str] =
    &["schema_migrations", "sessions", "login_throttle", "audit_checkpoint", "background_jobs"];

/// Tables whose `id` comes from a sequence on PostgreSQL.
const SERIAL: &[&str] = &["users", "evidence", "comments"];

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("{}: not a chiso backup: {reason}", path.display())]
    NotABackup { path: PathBuf, reason: String },
    #[error("{}: backup format {found} is not supported (this chiso reads format {FORMAT_VERSION})", path.display())]
    FormatVersion { path: PathBuf, found: String },
    #[error("{}: the backup's schema is {backup}, this chiso's database schema is {here}", path.display())]
    Schema { path: PathBuf, backup: String, here: String },
    #[error("{}: part {part} is damaged: sha256 {found}, manifest says {expected}", path.display())]
    Corrupt { path: PathBuf, part: String, expected: String, found: String },
    #[error("{}: part {part} is listed in the manifest but missing", path.display())]
    MissingPart { path: PathBuf, part: String },
    #[error("{}: part {part} is not in the manifest", path.display())]
    ExtraPart { path: PathBuf, part: String },
    #[error("{}: {part}, line {line}: {problem}", path.display())]
    BadRow { path: PathBuf, part: String, line: usize, problem: String },
    #[error("{}: the audit chain does not verify: {problem}", path.display())]
    Chain { path: PathBuf, problem: String },
    #[error("evidence {sha256} is referenced by the database but {} is missing", file.display())]
    MissingEvidence { file: PathBuf, sha256: String },
    #[error("evidence file {} is damaged: its sha256 is {found}", file.display())]
    DamagedEvidence { file: PathBuf, found: String },
    #[error("the database is not empty ({rows} rows); restore with --force to replace it")]
    NotEmpty { rows: i64 },
    /// The backup's signature does not verify with the key this restore trusts.
    #[error("{}: {problem}; nothing restored (to restore it anyway, if you know where it comes from: --trust-unsigned)", path.display())]
    Untrusted { path: PathBuf, problem: Untrusted },
    #[error("table {table} is not covered by the backup (columns {columns}); chiso-store's backup.rs must learn it")]
    Uncovered { table: String, columns: String },
}

pub type Result<T> = std::result::Result<T, BackupError>;

/// Why a backup is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Untrusted {
    #[error("the backup is not signed")]
    Unsigned,
    #[error(
        "the backup is signed with key {signed_by}, and there is no key to check it with (give the signing.key of the installation that made it with --key)"
    )]
    NoKey { signed_by: String },
    #[error(
        "the backup is signed with key {signed_by}, not with this key ({ours}) (give the signing.key of the installation that made it with --key)"
    )]
    OtherKey { signed_by: String, ours: String },
    #[error("the backup's signature does not match its manifest: it was changed after it was made")]
    Invalid,
    #[error(
        "the audit trail in the backup was not signed at its head when the backup was made (the database had been changed without the key)"
    )]
    HeadNotSigned,
}

/// How to restore: see [`Store::restore_with`].
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions<'a> {
    /// Replace a database that is not empty.
    pub force: bool,
    /// The key the backup must be signed with; `None`: the store's own key.
    pub key: Option<&'a SigningKey>,
    /// Restore even if the signature is missing or does not verify.
    pub trust_unsigned: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io { path: path.to_path_buf(), source }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A part of the backup as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    /// Rows, for database parts.
    pub rows: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub chiso_version: String,
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// Applied migrations, oldest first.
    pub schema: Vec<String>,
    pub audit_events: i64,
    pub audit_head: String,
    pub parts: Vec<Part>,
}

impl Manifest {
    fn to_json(&self) -> Value {
        json!({
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "chiso_version": self.chiso_version,
            "created_at": self.created_at,
            "backend": self.backend,
            "schema": self.schema,
            "audit": { "events": self.audit_events, "head": self.audit_head },
            "parts": self.parts.iter().map(|p| {
                let mut o = json!({ "path": p.path, "sha256": p.sha256, "bytes": p.bytes });
                if let Some(r) = p.rows {
                    o["rows"] = json!(r);
                }
                o
            }).collect::<Vec<_>>(),
        })
    }

    fn from_json(path: &Path, v: &Value) -> Result<Manifest> {
        let bad = |reason: &str| BackupError::NotABackup { path: path.to_path_buf(), reason: reason.to_string() };
        if v["format"] != FORMAT {
            return Err(bad("manifest.json has no \"format\": \"chiso-backup\""));
        }
        if v["format_version"] != FORMAT_VERSION {
            return Err(BackupError::FormatVersion {
                path: path.to_path_buf(),
                found: v["format_version"].to_string(),
            });
        }
        let text = |key: &str| v[key].as_str().map(str::to_string).ok_or_else(|| bad(&format!("manifest: {key}?")));
        let parts = v["parts"]
            .as_array()
            .ok_or_else(|| bad("manifest: parts?"))?
            .iter()
            .map(|p| {
                Some(Part {
                    path: p["path"].as_str()?.to_string(),
                    sha256: p["sha256"].as_str()?.to_string(),
                    bytes: p["bytes"].as_u64()?,
                    rows: p["rows"].as_u64(),
                })
            })
            .collect::<Option<Vec<Part>>>()
            .ok_or_else(|| bad("manifest: a part without path, sha256 or bytes"))?;
        Ok(Manifest {
            chiso_version: text("chiso_version")?,
            created_at: text("created_at")?,
            backend: text("backend")?,
            schema: v["schema"]
                .as_array()
                .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_string)).collect())
                .ok_or_else(|| bad("manifest: schema?"))?,
            audit_events: v["audit"]["events"].as_i64().ok_or_else(|| bad("manifest: audit.events?"))?,
            audit_head: v["audit"]["head"].as_str().ok_or_else(|| bad("manifest: audit.head?"))?.to_string(),
            parts,
        })
    }

    pub fn evidence_count(&self) -> usize {
        self.parts.iter().filter(|p| p.path.starts_with("evidence/")).count()
    }

    pub fn rows(&self, table: &str) -> u64 {
        self.parts.iter().find(|p| p.path == format!("db/{table}.jsonl")).and_then(|p| p.rows).unwrap_or(0)
    }
}

/// Writes through to `inner`, hashing and counting.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn zip_err(path: &Path) -> impl FnOnce(zip::result::ZipError) -> BackupError + '_ {
    move |e| match e {
        zip::result::ZipError::Io(source) => BackupError::Io { path: path.to_path_buf(), source },
        other => BackupError::NotABackup { path: path.to_path_buf(), reason: other.to_string() },
    }
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn evidence_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("evidence")
}

impl Store {
    /// The applied migrations, oldest first: the schema version a backup must match.
    pub async fn schema_version(&self) -> crate::Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM schema_migrations ORDER BY name").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Tables (other than the ones deliberately left out) the backup does not know, or whose
    /// columns differ from what it copies: a new migration must be taught to `backup.rs`.
    async fn check_coverage(&self, tx: &mut Tx) -> Result<()> {
        let tables: Vec<(String,)> = match self.backend() {
            Backend::Sqlite => {
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(&mut **tx)
                    .await
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .fetch_all(&mut **tx)
                .await
            }
        }
        .map_err(StoreError::from)?;
        for (table,) in tables {
            if NOT_BACKED_UP.contains(&table.as_str()) {
                continue;
            }
            let columns: Vec<(String,)> = match self.backend() {
                Backend::Sqlite => {
                    sqlx::query_as("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                        .bind(&table)
                        .fetch_all(&mut **tx)
                        .await
                }
                Backend::Postgres => {
                    sqlx::query_as(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                    )
                    .bind(&table)
                    .fetch_all(&mut **tx)
                    .await
                }
            }
            .map_err(StoreError::from)?;
            let columns: Vec<String> = columns.into_iter().map(|c| c.0).collect();
            let known = TABLES.iter().find(|t| t.name == table);
            let covered = known.is_some_and(|t| {
                let mut ours: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
                let mut theirs: Vec<&str> = columns.iter().map(String::as_str).collect();
                ours.sort_unstable();
                theirs.sort_unstable();
                ours == theirs
            });
            if !covered {
                return Err(BackupError::Uncovered { table, columns: columns.join(", ") });
            }
        }
        Ok(())
    }

    /// Writes a backup of this database and the evidence files under `data_dir` to `out`
    /// (refused if it exists). Safe while a server is running and writing. Blocking file IO:
    /// meant for the command line.
    pub async fn backup(&self, data_dir: &Path, out: &Path) -> Result<Manifest> {
        if out.exists() {
            return Err(BackupError::Exists { path: out.to_path_buf() });
        }
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let result = self.write_backup(data_dir, out, &partial).await;
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    async fn write_backup(&self, data_dir: &Path, out: &Path, partial: &Path) -> Result<Manifest> {
        let file = std::fs::File::create(partial).map_err(io(partial))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let mut parts = Vec::new();

        let mut tx = self.read_tx().await?;
        // The first read fixes the snapshot; everything below reads the same moment.
        let schema: Vec<(String,)> = sqlx::query_as("SELECT name FROM schema_migrations ORDER BY name")
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        self.check_coverage(&mut tx).await?;
        let mut evidence = BTreeSet::new();
        let (mut audit_events, mut audit_head) = (0, String::new());
        // On SQLite the rows are read on a read-only connection of the backup's own, in one
        // snapshot, each value taken where SQLite holds it (sqlx hands rows over one at a time
        // between threads: most of a national backup's time). The same bytes either way.
        let db_file = self.sqlite_path().map(Path::to_path_buf);
        let own = db_file.as_deref().and_then(|p| crate::sqlite_snapshot::snapshot(p).ok());
        let sqlite_err =
            |e: rusqlite::Error| io(db_file.as_deref().unwrap_or(partial))(std::io::Error::other(e.to_string()));
        for t in TABLES {
            let name = format!("db/{}.jsonl", t.name);
            zip.start_file(&name, deflated).map_err(zip_err(partial))?;
            let mut w = Hashing { inner: &mut zip, hash: Sha256::new(), bytes: 0 };
            let columns: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            let sql = format!("SELECT {} FROM {} ORDER BY {}", columns.join(", "), t.name, t.order);
            let mut count = 0u64;
            let mut put = |values: Vec<Value>| -> Result<()> {
                if t.name == "evidence"
                    && let Some(i) = t.columns.iter().position(|c| c.0 == "sha256")
                {
                    evidence.insert(values[i].as_str().unwrap_or_default().to_string());
                }
                if t.name == "audit_head" {
                    audit_events = values[1].as_i64().unwrap_or(0);
                    audit_head = values[2].as_str().unwrap_or_default().to_string();
                }
                serde_json::to_writer(&mut w, &Value::Array(values)).map_err(|e| io(partial)(e.into()))?;
                w.write_all(b"\n").map_err(io(partial))?;
                count += 1;
                Ok(())
            };
            match &own {
                Some(conn) => {
                    let mut stmt = conn.prepare(&sql).map_err(sqlite_err)?;
                    let mut rows = stmt.query([]).map_err(sqlite_err)?;
                    while let Some(row) = rows.next().map_err(sqlite_err)? {
                        let mut values = Vec::with_capacity(t.columns.len());
                        for (i, (_, col)) in t.columns.iter().enumerate() {
                            let null = row.get_ref(i).map_err(sqlite_err)? == rusqlite::types::ValueRef::Null;
                            values.push(match col {
                                NullText if null => Value::Null,
                                Int => Value::from(row.get::<_, i64>(i).map_err(sqlite_err)?),
                                _ => Value::from(crate::sqlite_snapshot::text(row, i).map_err(sqlite_err)?),
                            });
                        }
                        put(values)?;
                    }
                }
                None => {
                    let mut rows = sqlx::query(&sql).fetch(&mut *tx);
                    while let Some(row) = rows.try_next().await.map_err(StoreError::from)? {
                        let mut values = Vec::with_capacity(t.columns.len());
                        for (i, (_, col)) in t.columns.iter().enumerate() {
                            values.push(match col {
                                Int => Value::from(row.try_get::<i64, _>(i).map_err(StoreError::from)?),
                                Text => Value::from(row.try_get::<String, _>(i).map_err(StoreError::from)?),
                                NullText => row
                                    .try_get::<Option<String>, _>(i)
                                    .map_err(StoreError::from)?
                                    .map_or(Value::Null, Value::from),
                            });
                        }
                        put(values)?;
                    }
                }
            }
            parts.push(Part { path: name, sha256: hex(&w.hash.finalize()), bytes: w.bytes, rows: Some(count) });
        }
        tx.commit().await?;

        // Evidence named by the snapshot: content-addressed and never deleted, so present.
        let dir = evidence_dir(data_dir);
        for sha in &evidence {
            let file = dir.join(sha);
            let mut f = std::fs::File::open(&file).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    BackupError::MissingEvidence { file: file.clone(), sha256: sha.clone() }
                }
                _ => io(&file)(e),
            })?;
            let name = format!("evidence/{sha}");
            zip.start_file(&name, stored).map_err(zip_err(partial))?;
            let mut w = Hashing { inner: &mut zip, hash: Sha256::new(), bytes: 0 };
            std::io::copy(&mut f, &mut w).map_err(io(&file))?;
            let found = hex(&w.hash.finalize());
            if &found != sha {
                return Err(BackupError::DamagedEvidence { file, found });
            }
            parts.push(Part { path: name, sha256: found, bytes: w.bytes, rows: None });
        }
        let manifest = Manifest {
            chiso_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: now_utc(),
            backend: backend_name(self.backend()).to_string(),
            schema: schema.into_iter().map(|s| s.0).collect(),
            audit_events,
            audit_head,
            parts,
        };
        zip.start_file("manifest.json", deflated).map_err(zip_err(partial))?;
        let text = serde_json::to_string_pretty(&manifest.to_json()).unwrap_or_default();
        zip.write_all(text.as_bytes()).map_err(io(partial))?;
        if let Some(key) = self.signing_key() {
            zip.start_file(SIGNATURE, deflated).map_err(zip_err(partial))?;
            let sig =
                json!({ "algorithm": "HMAC-SHA256", "key": key.id(), "signature": key.sign_manifest(text.as_bytes()) });
            zip.write_all(sig.to_string().as_bytes()).map_err(io(partial))?;
        }
        let file = zip.finish().map_err(zip_err(partial))?;
        let file = file.into_inner().map_err(|e| io(partial)(e.into_error()))?;
        file.sync_all().map_err(io(partial))?;
        drop(file);
        std::fs::rename(partial, out).map_err(io(out))?;
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(parent)
        {
            let _ = d.sync_all();
        }
        Ok(manifest)
    }

    /// Every backed-up table as the JSON lines a backup holds, in table order: two databases
    /// with equal dumps hold the same data.
    pub async fn dump(&self) -> crate::Result<Vec<(String, Vec<String>)>> {
        let mut out = Vec::new();
        for t in TABLES {
            let columns: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            let sql = format!("SELECT {} FROM {} ORDER BY {}", columns.join(", "), t.name, t.order);
            let mut lines = Vec::new();
            for row in sqlx::query(&sql).fetch_all(self.pool()).await? {
                let mut values = Vec::new();
                for (i, (_, col)) in t.columns.iter().enumerate() {
                    values.push(match col {
                        Int => Value::from(row.try_get::<i64, _>(i)?),
                        Text => Value::from(row.try_get::<String, _>(i)?),
                        NullText => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::from),
                    });
                }
                lines.push(Value::Array(values).to_string());
            }
            out.push((t.name.to_string(), lines));
        }
        Ok(out)
    }

    /// Rows in the tables a restore would replace (sessions included).
    pub async fn row_count(&self) -> crate::Result<i64> {
        let mut n = 0;
        for t in TABLES.iter().map(|t| t.name).filter(|t| *t != "audit_head").chain(["sessions"]) {
            let (c,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(self.pool()).await?;
            n += c;
        }
        Ok(n)
    }

    /// Restores `file` into this database and the evidence into `data_dir`; see the module
    /// documentation. Returns the backup's manifest.
    pub async fn restore(&self, file: &Path, data_dir: &Path, force: bool) -> Result<Manifest> {
        self.restore_with(file, data_dir, &RestoreOptions { force, ..RestoreOptions::default() }).await
    }

    /// Restores as [`Store::restore`], refusing a backup that is not signed with `options.key`
    /// (default: this store's key) unless `options.trust_unsigned`. The restored head is
    /// signed with this store's key.
    pub async fn restore_with(&self, file: &Path, data_dir: &Path, options: &RestoreOptions<'_>) -> Result<Manifest> {
        self.restore_watched(file, data_dir, options, &Quiet).await
    }

    /// [`Store::restore_with`], telling `progress` the rows checked and then loaded.
    pub async fn restore_watched(
        &self,
        file: &Path,
        data_dir: &Path,
        options: &RestoreOptions<'_>,
        progress: &dyn Progress,
    ) -> Result<Manifest> {
        let force = options.force;
        let mut backup = Backup::open(file)?;
        let mut told = Told { progress, done: 0, total: 0, passes: 2 };
        let manifest = backup.verify_told(&mut told)?;
        match backup.check_signature(options.key.or(self.signing_key())) {
            Ok(_) => {}
            Err(BackupError::Untrusted { .. }) if options.trust_unsigned => {}
            Err(e) => return Err(e),
        }
        let here = self.schema_version().await?;
        if here != manifest.schema {
            return Err(BackupError::Schema {
                path: file.to_path_buf(),
                backup: manifest.schema.join(", "),
                here: here.join(", "),
            });
        }
        let rows = self.row_count().await?;
        if rows > 0 && !force {
            return Err(BackupError::NotEmpty { rows });
        }
        let added = backup.copy_evidence(&manifest, data_dir)?;
        let result = self.load_rows(&mut backup, &manifest, force, &mut told).await;
        if result.is_err() {
            for f in &added {
                let _ = std::fs::remove_file(f);
            }
        }
        result.map(|_| manifest)
    }

    async fn load_rows(
        &self,
        backup: &mut Backup,
        manifest: &Manifest,
        force: bool,
        told: &mut Told<'_>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        if force {
            for t in ["sessions"].into_iter().chain(TABLES.iter().rev().map(|t| t.name)) {
                sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *tx).await.map_err(StoreError::from)?;
            }
        } else {
            sqlx::query("DELETE FROM audit_head").execute(&mut *tx).await.map_err(StoreError::from)?;
        }
        // The restored chain is verified in full at its first look.
        sqlx::query("UPDATE audit_checkpoint SET seq = 0, hash = '', at = ''")
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        for t in TABLES {
            // Read again (and re-hashed) so the rows written are the rows verified: a part
            // that changed since is refused before the transaction commits.
            let mut rows = PartRows::open(&mut backup.zip, &backup.path, manifest, t)?;
            // Multi-row INSERTs, well under SQLite's and PostgreSQL's parameter limits.
            let per = (4000 / t.columns.len()).max(1);
            let mut chunk = Vec::with_capacity(per);
            loop {
                let row = match rows.next_row() {
                    Ok(row) => row,
                    Err(e) => return Err(rows.fail(e)),
                };
                let end = row.is_none();
                if !end {
                    told.row();
                }
                chunk.extend(row);
                if chunk.len() == per || (end && !chunk.is_empty()) {
                    self.insert_rows(&mut tx, t, &chunk).await?;
                    chunk.clear();
                }
                if end {
                    break;
                }
            }
            rows.finish()?;
        }
        if self.backend() == Backend::Postgres {
            for t in SERIAL {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {t}"
                ))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            }
        }
        // Checked (or trusted explicitly): from now on this installation vouches for it.
        if let Some(key) = self.signing_key() {
            sign_head(&mut tx, key).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_rows(&self, tx: &mut Tx, t: &Table, rows: &[Vec<Value>]) -> Result<()> {
        let columns: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            t.name,
            columns.join(", "),
            tx.params().rows(t.columns.len(), rows.len())
        );
        let mut q = sqlx::query(&sql);
        for row in rows {
            for ((_, col), v) in t.columns.iter().zip(row) {
                q = match col {
                    Int => q.bind(v.as_i64()),
                    Text | NullText => q.bind(v.as_str().map(str::to_string)),
                };
            }
        }
        q.execute(&mut **tx).await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Records that a restore happened, as the next link of the restored chain.
    pub async fn record_restore(&self, actor: &str, file: &Path, manifest: &Manifest) -> crate::Result<()> {
        self.record(&NewEvent::new(
            actor,
            "database.restore",
            "database",
            String::new(),
            format!("{} ({} {}, {})", file.display(), manifest.backend, manifest.chiso_version, manifest.created_at),
            "restore",
        ))
        .await
    }
}

/// Rows checked or loaded, told to a watcher now and then; a restore reads every row twice.
struct Told<'a> {
    progress: &'a dyn Progress,
    done: u64,
    total: u64,
    passes: u64,
}

impl Told<'_> {
    fn row(&mut self) {
        self.done = (self.done + 1).min(self.total);
        if self.done.is_multiple_of(4096) || self.done == self.total {
            self.progress.set(self.done, self.total);
        }
    }
}

/// A backup file opened for reading.
pub struct Backup {
    path: PathBuf,
    zip: zip::ZipArchive<std::io::BufReader<std::fs::File>>,
    /// The audit head row, once [`Backup::verify`] read it: (seq, last hash, signed seq, signature).
    head: Option<(i64, String, i64, String)>,
}

impl Backup {
    pub fn open(path: &Path) -> Result<Backup> {
        let f = std::fs::File::open(path).map_err(io(path))?;
        let zip = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(zip_err(path))?;
        Ok(Backup { path: path.to_path_buf(), zip, head: None })
    }

    fn read(&mut self, name: &str) -> Result<Vec<u8>> {
        let path = self.path.clone();
        let mut entry = self.zip.by_name(name).map_err(|e| match e {
            zip::result::ZipError::FileNotFound => BackupError::MissingPart { path: path.clone(), part: name.into() },
            other => zip_err(&path)(other),
        })?;
        let mut bytes = Vec::with_capacity(entry.size().min(1 << 30) as usize);
        entry.read_to_end(&mut bytes).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => {
                BackupError::NotABackup { path: path.clone(), reason: format!("{name}: {e}") }
            }
            _ => io(&path)(e),
        })?;
        Ok(bytes)
    }

    pub fn manifest(&mut self) -> Result<Manifest> {
        let bytes = self.read("manifest.json")?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| BackupError::NotABackup { path: self.path.clone(), reason: format!("manifest.json: {e}") })?;
        Manifest::from_json(&self.path, &v)
    }

    /// A part's bytes, checked against the manifest.
    fn part(&mut self, manifest: &Manifest, name: &str) -> Result<Vec<u8>> {
        let expected = manifest
            .parts
            .iter()
            .find(|p| p.path == name)
            .ok_or_else(|| BackupError::MissingPart { path: self.path.clone(), part: name.into() })?;
        let bytes = self.read(name)?;
        let found = hex(&Sha256::digest(&bytes));
        if found != expected.sha256 || bytes.len() as u64 != expected.bytes {
            return Err(BackupError::Corrupt {
                path: self.path.clone(),
                part: name.into(),
                expected: expected.sha256.clone(),
                found,
            });
        }
        Ok(bytes)
    }

    /// Every check that needs no database: hashes, completeness, rows, the audit chain.
    pub fn verify(&mut self) -> Result<Manifest> {
        self.verify_watched(&Quiet)
    }

    /// [`Backup::verify`], telling `progress` the rows checked.
    pub fn verify_watched(&mut self, progress: &dyn Progress) -> Result<Manifest> {
        self.verify_told(&mut Told { progress, done: 0, total: 0, passes: 1 })
    }

    fn verify_told(&mut self, told: &mut Told<'_>) -> Result<Manifest> {
        let manifest = self.manifest()?;
        told.total = told.passes * manifest.parts.iter().filter_map(|p| p.rows).sum::<u64>();
        let listed: BTreeSet<&str> = manifest.parts.iter().map(|p| p.path.as_str()).collect();
        let names: Vec<String> = self.zip.file_names().map(str::to_string).collect();
        for name in &names {
            if name != "manifest.json" && name != SIGNATURE && !listed.contains(name.as_str()) {
                return Err(BackupError::ExtraPart { path: self.path.clone(), part: name.clone() });
            }
        }
        for t in TABLES {
            let part = format!("db/{}.jsonl", t.name);
            if !listed.contains(part.as_str()) {
                return Err(BackupError::MissingPart { path: self.path.clone(), part });
            }
        }
        // Each part read once, row by row: evidence rows name files that are there, the
        // audit chain verifies event by event.
        let path = self.path.clone();
        let chain = |problem: String| BackupError::Chain { path: path.clone(), problem };
        let (mut events, mut prev, mut head) = (0i64, String::new(), Vec::new());
        for p in &manifest.parts {
            if let Some(sha) = p.path.strip_prefix("evidence/") {
                check_part(&mut self.zip, &path, &manifest, &p.path)?;
                if sha != p.sha256 {
                    return Err(BackupError::Corrupt {
                        path: path.clone(),
                        part: p.path.clone(),
                        expected: sha.into(),
                        found: p.sha256.clone(),
                    });
                }
                continue;
            }
            let Some(t) = TABLES.iter().find(|t| format!("db/{}.jsonl", t.name) == p.path) else {
                return Err(BackupError::ExtraPart { path: path.clone(), part: p.path.clone() });
            };
            let mut rows = PartRows::open(&mut self.zip, &path, &manifest, t)?;
            loop {
                let r = match rows.next_row() {
                    Ok(Some(r)) => {
                        told.row();
                        r
                    }
                    Ok(None) => break,
                    Err(e) => return Err(rows.fail(e)),
                };
                let checked = match t.name {
                    "evidence" => {
                        let sha = r[5].as_str().unwrap_or_default();
                        let part = format!("evidence/{sha}");
                        if listed.contains(part.as_str()) {
                            Ok(())
                        } else {
                            Err(BackupError::MissingPart { path: path.clone(), part })
                        }
                    }
                    "audit" => {
                        let s = |k: usize| r[k].as_str().unwrap_or_default().to_string();
                        let seq = r[0].as_i64().unwrap_or(0);
                        events += 1;
                        if seq != events {
                            Err(chain(format!("event {events} is missing")))
                        } else if s(8) != prev {
                            Err(chain(format!("event {seq} does not follow the previous event")))
                        } else {
                            let mut e = NewEvent::new(s(2), s(3), s(4), s(5), s(6), s(7));
                            e.detail = s(10);
                            if digest(seq, &s(1), &e, &prev) != s(9) {
                                Err(chain(format!("event {seq}: its content was changed")))
                            } else {
                                prev = s(9);
                                Ok(())
                            }
                        }
                    }
                    "audit_head" => {
                        head.push(r);
                        Ok(())
                    }
                    _ => Ok(()),
                };
                if let Err(e) = checked {
                    return Err(rows.fail(e));
                }
            }
            rows.finish()?;
        }
        let n = events;
        let head_ok = head.len() == 1 && head[0][1].as_i64() == Some(n) && head[0][2].as_str() == Some(prev.as_str());
        if !head_ok || manifest.audit_events != n || manifest.audit_head != prev {
            return Err(chain(format!("the head does not match the {n} events")));
        }
        let h = |k: usize| head[0][k].clone();
        self.head = Some((n, prev, h(3).as_i64().unwrap_or(0), h(4).as_str().unwrap_or_default().to_string()));
        Ok(manifest)
    }

    /// Checks, after [`Backup::verify`], that the manifest is signed with `key` and that the
    /// audit head inside was signed with it too; returns the key's id.
    pub fn check_signature(&mut self, key: Option<&SigningKey>) -> Result<String> {
        let path = self.path.clone();
        let untrusted = |problem| BackupError::Untrusted { path: path.clone(), problem };
        let manifest = self.read("manifest.json")?;
        let sig = match self.read(SIGNATURE) {
            Ok(bytes) => bytes,
            Err(BackupError::MissingPart { .. }) => return Err(untrusted(Untrusted::Unsigned)),
            Err(e) => return Err(e),
        };
        let sig: Value = serde_json::from_slice(&sig).map_err(|_| untrusted(Untrusted::Invalid))?;
        let signed_by = sig["key"].as_str().unwrap_or_default().to_string();
        let Some(key) = key else { return Err(untrusted(Untrusted::NoKey { signed_by })) };
        if signed_by != key.id() {
            return Err(untrusted(Untrusted::OtherKey { signed_by, ours: key.id() }));
        }
        if sig["algorithm"] != "HMAC-SHA256"
            || !key.verify_manifest(&manifest, sig["signature"].as_str().unwrap_or_default())
        {
            return Err(untrusted(Untrusted::Invalid));
        }
        let head_signed = match &self.head {
            Some((0, _, _, _)) => true,
            Some((seq, hash, signed, signature)) => seq == signed && key.verify_head(*seq, hash, signature),
            None => false,
        };
        if !head_signed {
            return Err(untrusted(Untrusted::HeadNotSigned));
        }
        Ok(signed_by)
    }

    /// Copies the evidence into `data_dir/evidence`; returns the files it created.
    fn copy_evidence(&mut self, manifest: &Manifest, data_dir: &Path) -> Result<Vec<PathBuf>> {
        let dir = evidence_dir(data_dir);
        let mut added = Vec::new();
        let result = (|| {
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            for p in manifest.parts.iter().filter(|p| p.path.starts_with("evidence/")) {
                let target = dir.join(&p.sha256);
                if let Ok(existing) = std::fs::read(&target)
                    && hex(&Sha256::digest(&existing)) == p.sha256
                {
                    continue;
                }
                let bytes = self.part(manifest, &p.path)?;
                let tmp = dir.join(format!("{}.restore", p.sha256));
                let write = || -> std::io::Result<()> {
                    let mut f = std::fs::File::create(&tmp)?;
                    f.write_all(&bytes)?;
                    f.sync_all()
                };
                write().map_err(io(&tmp))?;
                std::fs::rename(&tmp, &target).map_err(io(&target))?;
                added.push(target);
            }
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        })();
        match result {
            Ok(()) => Ok(added),
            Err(e) => {
                for f in &added {
                    let _ = std::fs::remove_file(f);
                }
                Err(e)
            }
        }
    }
}
