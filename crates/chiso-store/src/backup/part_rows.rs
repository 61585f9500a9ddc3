//! A table part of a backup read one row at a time and hashed as it is read: a million
//! audit events are checked and restored without holding the part, or its rows, at once.

use super::{BackupError, Col, Part, Result, Table, hex};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Passes bytes through, hashing and counting them.
struct HashingReader<R> {
    inner: R,
    hash: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A part's bytes as they come out of the archive: the `read_*` errors of [`super::Backup`].
pub(super) fn read_error(path: &Path, part: &str, e: std::io::Error) -> BackupError {
    match e.kind() {
        std::io::ErrorKind::InvalidData => {
            BackupError::NotABackup { path: path.to_path_buf(), reason: format!("{part}: {e}") }
        }
        _ => BackupError::Io { path: path.to_path_buf(), source: e },
    }
}

/// Opens `part` of the archive, which the manifest lists as `expected`.
fn open<'a, R: Read + std::io::Seek>(
    zip: &'a mut zip::ZipArchive<R>,
    path: &Path,
    part: &str,
) -> Result<zip::read::ZipFile<'a, R>> {
    zip.by_name(part).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => BackupError::MissingPart { path: path.to_path_buf(), part: part.into() },
        other => super::zip_err(path)(other),
    })
}

fn expected<'m>(path: &Path, manifest: &'m super::Manifest, part: &str) -> Result<&'m Part> {
    manifest
        .parts
        .iter()
        .find(|p| p.path == part)
        .ok_or_else(|| BackupError::MissingPart { path: path.to_path_buf(), part: part.into() })
}

/// Checks a part's hash and size against the manifest by reading it through once.
pub(super) fn check_part<R: Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    path: &Path,
    manifest: &super::Manifest,
    part: &str,
) -> Result<()> {
    let expected = expected(path, manifest, part)?;
    let mut r = HashingReader { inner: open(zip, path, part)?, hash: Sha256::new(), bytes: 0 };
    std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| read_error(path, part, e))?;
    compare(path, part, expected, r.hash, r.bytes)
}

fn compare(path: &Path, part: &str, expected: &Part, hash: Sha256, bytes: u64) -> Result<()> {
    let found = hex(&hash.finalize());
    if found != expected.sha256 || bytes != expected.bytes {
        return Err(BackupError::Corrupt {
            path: path.to_path_buf(),
            part: part.into(),
            expected: expected.sha256.clone(),
            found,
        });
    }
    Ok(())
}

/// The rows of one table's part. Take rows with [`PartRows::next_row`], then call
/// [`PartRows::finish`]: a row is trusted only once its whole part matched the manifest.
pub(super) struct PartRows<'a, R: Read + std::io::Seek> {
    lines: BufReader<HashingReader<zip::read::ZipFile<'a, R>>>,
    path: PathBuf,
    part: String,
    table: &'static Table,
    expected: Part,
    line: usize,
    buf: Vec<u8>,
}

impl<'a, R: Read + std::io::Seek> PartRows<'a, R> {
    pub(super) fn open(
        zip: &'a mut zip::ZipArchive<R>,
        path: &Path,
        manifest: &super::Manifest,
        table: &'static Table,
    ) -> Result<PartRows<'a, R>> {
        let part = format!("db/{}.jsonl", table.name);
        let expected = expected(path, manifest, &part)?.clone();
        let file = open(zip, path, &part)?;
        Ok(PartRows {
            lines: BufReader::with_capacity(256 * 1024, HashingReader { inner: file, hash: Sha256::new(), bytes: 0 }),
            path: path.to_path_buf(),
            part,
            table,
            expected,
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The next row, its values checked against the table's columns.
    pub(super) fn next_row(&mut self) -> Result<Option<Vec<Value>>> {
        self.buf.clear();
        let n = self.lines.read_until(b'\n', &mut self.buf).map_err(|e| read_error(&self.path, &self.part, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut line = self.buf.as_slice();
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        parse_row(self.table, line).map(Some).map_err(|problem| self.bad(problem))
    }

    /// A problem with the current line.
    pub(super) fn bad(&self, problem: String) -> BackupError {
        BackupError::BadRow { path: self.path.clone(), part: self.part.clone(), line: self.line, problem }
    }

    /// Reads what is left and checks the part against the manifest.
    pub(super) fn finish(mut self) -> Result<()> {
        std::io::copy(&mut self.lines, &mut std::io::sink()).map_err(|e| read_error(&self.path, &self.part, e))?;
        let r = self.lines.into_inner();
        compare(&self.path, &self.part, &self.expected, r.hash, r.bytes)
    }

    /// `problem` found on the way, unless the part does not match the manifest: a changed
    /// part is reported as changed, whatever its rows look like.
    pub(super) fn fail(self, problem: BackupError) -> BackupError {
        match self.finish() {
            Err(changed @ BackupError::Corrupt { .. }) => changed,
            _ => problem,
        }
    }
}

fn parse_row(t: &Table, line: &[u8]) -> std::result::Result<Vec<Value>, String> {
    let v: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    let Value::Array(values) = v else { return Err("not an array".into()) };
    if values.len() != t.columns.len() {
        return Err(format!("{} values, {} expected", values.len(), t.columns.len()));
    }
    for ((column, col), v) in t.columns.iter().zip(&values) {
        let ok = match col {
            Col::Int => v.is_i64(),
            Col::Text => v.is_string(),
            Col::NullText => v.is_string() || v.is_null(),
        };
        if !ok {
            return Err(format!("{column} = {v}"));
        }
    }
    Ok(values)
}
