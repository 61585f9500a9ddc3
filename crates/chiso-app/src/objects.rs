//! Where the platform keeps its files: evidence (named by its content's hash) and the
//! report files (`reports/`: DOCX, XLSX, HTML, PDF, outlooks, each year's manifest).
//!
//! By default they live in the data directory, written durably (a temporary file synced and
//! renamed into place, see [`crate::durable`]). With several `chiso serve` processes behind
//! one database they go to an S3-compatible object store instead ([`S3Config`]), so that a
//! file written through one server is read through any other. Keys are paths of plain
//! segments (`evidence/<sha256>`, `reports/<name>`): the same key names the same file in both.

mod s3;

pub use s3::S3Config;

use std::io;
use std::path::{Path, PathBuf};

/// The platform's files, by key.
pub enum Objects {
    /// Under the data directory (`<data_dir>/<key>`).
    Local(PathBuf),
    /// In a bucket of an S3-compatible object store.
    S3(Box<s3::S3>),
}

impl Objects {
    /// The files under `data_dir`, as a single server keeps them.
    pub fn local(data_dir: &Path) -> Objects {
        Objects::Local(data_dir.to_path_buf())
    }

    /// The files in an object store's bucket.
    pub fn s3(config: S3Config) -> io::Result<Objects> {
        Ok(Objects::S3(Box::new(s3::S3::new(config)?)))
    }

    /// Where the files are, for the logs (never a secret).
    pub fn describe(&self) -> String {
        match self {
            Objects::Local(dir) => dir.display().to_string(),
            Objects::S3(s3) => s3.describe(),
        }
    }

    /// At start: the store answers and the bucket exists (an error says which is wrong).
    pub async fn check(&self) -> io::Result<()> {
        match self {
            Objects::Local(dir) => tokio::fs::create_dir_all(dir).await,
            Objects::S3(s3) => s3.check_bucket().await,
        }
    }

    /// Stores `bytes` under `key`, replacing what was there: a reader sees the old file or
    /// the new one, never part of one. Returns once the file is durable.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        check_key(key)?;
        match self {
            Objects::Local(root) => {
                let (dir, name) = local_path(root, key);
                blocking(move || crate::durable::replace(&dir, &name, &bytes)).await
            }
            Objects::S3(s3) => s3.put(key, bytes).await,
        }
    }

    /// Stores `bytes` under `key` unless a file is there already (content-addressed keys:
    /// the same key holds the same bytes). Returns once the file is durable.
    pub async fn put_new(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        check_key(key)?;
        match self {
            Objects::Local(root) => {
                let (dir, name) = local_path(root, key);
                blocking(move || crate::durable::write(&dir, &name, &bytes)).await
            }
            Objects::S3(s3) => {
                if s3.exists(key).await? {
                    return Ok(());
                }
                s3.put(key, bytes).await
            }
        }
    }

    /// The file under `key`, `None` if there is none.
    pub async fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        check_key(key)?;
        match self {
            Objects::Local(root) => match tokio::fs::read(root.join(key)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            },
            Objects::S3(s3) => s3.get(key).await,
        }
    }

    /// Whether a file is stored under `key`.
    pub async fn exists(&self, key: &str) -> io::Result<bool> {
        check_key(key)?;
        match self {
            Objects::Local(root) => tokio::fs::try_exists(root.join(key)).await,
            Objects::S3(s3) => s3.exists(key).await,
        }
    }
}

impl Objects {
    /// Copies the files under `keys` into `dir/<key>` (an object store's files staged for
    /// `chiso backup`, which reads them from a directory). Returns how many were copied; a
    /// key without a file is an error naming it.
    pub async fn copy_to_dir(&self, keys: &[String], dir: &Path) -> io::Result<usize> {
        for key in keys {
            let bytes = self
                .get(key)
                .await?
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{key}: not in {}", self.describe())))?;
            let (parent, name) = local_path(dir, key);
            blocking(move || crate::durable::replace(&parent, &name, &bytes)).await?;
        }
        Ok(keys.len())
    }

    /// Copies every file of `dir/<prefix>/` into the store under `<prefix>/<name>` (after
    /// `chiso restore` wrote them to a directory). Returns how many.
    pub async fn copy_from_dir(&self, dir: &Path, prefix: &str) -> io::Result<usize> {
        let mut entries = match tokio::fs::read_dir(dir.join(prefix)).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut n = 0;
        while let Some(entry) = entries.next_entry().await? {
            let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
            if !entry.file_type().await?.is_file() || name.ends_with(".tmp") {
                continue;
            }
            self.put_new(&format!("{prefix}/{name}"), tokio::fs::read(entry.path()).await?).await?;
            n += 1;
        }
        Ok(n)
    }
}

/// `root/<dirs of key>` and the key's last segment.
fn local_path(root: &Path, key: &str) -> (PathBuf, String) {
    match key.rsplit_once('/') {
        Some((dirs, name)) => (root.join(dirs), name.to_string()),
        None => (root.to_path_buf(), key.to_string()),
    }
}

async fn blocking(f: impl FnOnce() -> io::Result<()> + Send + 'static) -> io::Result<()> {
    tokio::task::spawn_blocking(f).await.map_err(io::Error::other)?
}

/// A key is one or more segments of `[A-Za-z0-9._-]`, none empty or made of dots only:
/// it never leaves the data directory or the bucket, and needs no escaping anywhere.
fn check_key(key: &str) -> io::Result<()> {
    let segment_ok = |s: &str| {
        !s.is_empty()
            && !s.chars().all(|c| c == '.')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    if key.len() <= 512 && key.split('/').all(segment_ok) {
        return Ok(());
    }
    Err(io::Error::new(io::ErrorKind::InvalidInput, format!("not a file key: {key:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_their_root() {
        for good in ["evidence/0a1b", "reports/bao-cao-2020.json", "reports/outlook-2020-department-v3.json"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "/etc/passwd", "evidence/../signing.key", "a//b", "..", "a/.", "a b", "evidence/ä", "a\\b"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn local_files_are_put_read_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::local(dir.path());
        assert_eq!(objects.get("evidence/abc").await.unwrap(), None);
        assert!(!objects.exists("evidence/abc").await.unwrap());
        objects.put_new("evidence/abc", b"first".to_vec()).await.unwrap();
        objects.put_new("evidence/abc", b"second".to_vec()).await.unwrap();
        assert_eq!(objects.get("evidence/abc").await.unwrap().as_deref(), Some(&b"first"[..]), "written once");
        assert_eq!(std::fs::read(dir.path().join("evidence/abc")).unwrap(), b"first", "where it always was");
        objects.put("reports/m.json", b"{1}".to_vec()).await.unwrap();
        objects.put("reports/m.json", b"{2}".to_vec()).await.unwrap();
        assert_eq!(objects.get("reports/m.json").await.unwrap().as_deref(), Some(&b"{2}"[..]), "replaced");
        assert!(objects.exists("reports/m.json").await.unwrap());
        let names: Vec<_> =
            std::fs::read_dir(dir.path().join("reports")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["m.json"], "no temporary file left behind");
        assert_eq!(objects.get("../x").await.unwrap_err().kind(), io::ErrorKind::InvalidInput);

        // Staged out for a backup and back in after a restore.
        let staged = tempfile::tempdir().unwrap();
        let keys = vec!["evidence/abc".to_string()];
        assert_eq!(objects.copy_to_dir(&keys, staged.path()).await.unwrap(), 1);
        assert_eq!(std::fs::read(staged.path().join("evidence/abc")).unwrap(), b"first");
        let missing = vec!["evidence/nothing".to_string()];
        assert!(
            objects.copy_to_dir(&missing, staged.path()).await.unwrap_err().to_string().contains("evidence/nothing")
        );
        let other = tempfile::tempdir().unwrap();
        let into = Objects::local(other.path());
        assert_eq!(into.copy_from_dir(staged.path(), "evidence").await.unwrap(), 1);
        assert_eq!(into.get("evidence/abc").await.unwrap().as_deref(), Some(&b"first"[..]));
        assert_eq!(into.copy_from_dir(staged.path(), "nothing-here").await.unwrap(), 0);
    }
}
