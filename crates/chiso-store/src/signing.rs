//! The signing key: 32 random bytes kept outside the database, in `<data_dir>/signing.key`
//! (hex, mode 0600), made at first start. It signs the audit chain's head (HMAC-SHA256 of
//! its sequence number and hash, written with every append) and backups (the manifest).
//! Someone who can edit the database, and recompute every hash of the chain, cannot
//! re-sign the head without the file; a backup edited and re-hashed cannot be re-signed.

use crate::audit::{NewEvent, append};
use crate::tx::Tx;
use crate::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file name of the key in the data directory.
pub const KEY_FILE: &str = "signing.key";

#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.id())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a chiso signing key (64 hexadecimal digits expected)", path.display())]
    Malformed { path: PathBuf },
    /// The database's trail was signed, but this data directory has no key: it is not the
    /// data directory of the installation that signed it.
    #[error(
        "{} is missing, but this database's audit trail is signed: copy signing.key from the data directory of the installation that wrote it (or give that directory with --data-dir)",
        path.display()
    )]
    Missing { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `chiso verify` finds at the head of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadCheck {
    /// The head (after `events` events) carries this key's signature; an empty chain too.
    Signed { events: i64 },
    /// No key to check it with.
    NoKey,
    /// Never signed: written before a key existed, or only by processes without it.
    Unsigned { events: i64 },
    /// Signed after `signed` events; the later ones were added without the key (by a process
    /// started without the data directory, or by someone writing to the database).
    Stale { signed: i64, events: i64 },
    /// The signature does not match the chain: it was rewritten, or another key signed it.
    Invalid { events: i64 },
}

impl HeadCheck {
    pub fn is_ok(&self) -> bool {
        matches!(self, HeadCheck::Signed { .. })
    }
}

impl Store {
    /// Attaches the data directory's signing key. With `create` (`chiso serve`, `chiso
    /// restore`: a first start) a missing key is made, and a trail that was never signed is
    /// adopted (its head signed, the adoption on the record). Refused when the key is missing
    /// but the database's head is signed: that is another installation's data directory.
    /// Without `create` (other commands) a missing key leaves the store unsigned if the trail
    /// never was signed.
    pub async fn with_data_dir_key(self, data_dir: &Path, create: bool, actor: &str) -> Result<Store, KeyError> {
        let path = SigningKey::path(data_dir);
        if let Some(k) = SigningKey::load(&path)? {
            return Ok(self.with_signing_key(k));
        }
        let (_, _, _, signature) = self.head().await?;
        if !signature.is_empty() {
            return Err(KeyError::Missing { path });
        }
        if !create {
            return Ok(self);
        }
        let (key, _) = SigningKey::load_or_create(data_dir)?;
        let store = self.with_signing_key(key);
        store.adopt_key(actor).await?;
        Ok(store)
    }

    /// (seq, last hash, signed seq, signature) of the audit head.
    async fn head(&self) -> crate::Result<(i64, String, i64, String)> {
        Ok(sqlx::query_as("SELECT seq, last_hash, signed_seq, signature FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?)
    }

    /// Signs a head that was never signed, and records it when there were events to adopt.
    async fn adopt_key(&self, actor: &str) -> crate::Result<()> {
        let Some(key) = self.key.clone() else { return Ok(()) };
        let mut tx = self.write_tx().await?;
        let (seq, last_hash, _, signature): (i64, String, i64, String) =
            sqlx::query_as("SELECT seq, last_hash, signed_seq, signature FROM audit_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        if !signature.is_empty() {
            return Ok(());
        }
        sign_head(&mut tx, &key).await?;
        if seq > 0 {
            let event = NewEvent::new(
                actor,
                "audit.sign",
                "audit",
                String::new(),
                format!("{seq} {last_hash}"),
                format!("signing key {} created; the existing trail adopted", key.id()),
            );
            append(&mut tx, &event).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The head's signature checked with this store's key.
    pub async fn verify_head(&self) -> crate::Result<HeadCheck> {
        let Some(key) = self.key.clone() else { return Ok(HeadCheck::NoKey) };
        let mut tx = self.read_tx().await?;
        let (seq, last_hash, signed_seq, signature): (i64, String, i64, String) =
            sqlx::query_as("SELECT seq, last_hash, signed_seq, signature FROM audit_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let check = if seq == 0 && last_hash.is_empty() {
            HeadCheck::Signed { events: 0 }
        } else if signature.is_empty() {
            HeadCheck::Unsigned { events: seq }
        } else if signed_seq == seq {
            match key.verify_head(seq, &last_hash, &signature) {
                true => HeadCheck::Signed { events: seq },
                false => HeadCheck::Invalid { events: seq },
            }
        } else {
            let hash: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit WHERE seq = $1")
                .bind(signed_seq)
                .fetch_optional(&mut *tx)
                .await?;
            match hash {
                Some((h,)) if signed_seq < seq && key.verify_head(signed_seq, &h, &signature) => {
                    HeadCheck::Stale { signed: signed_seq, events: seq }
                }
                _ => HeadCheck::Invalid { events: seq },
            }
        };
        tx.commit().await?;
        Ok(check)
    }
}

/// Signs the current head with `key` (after a verified restore, or adopting a trail).
pub(crate) async fn sign_head(tx: &mut Tx, key: &SigningKey) -> crate::Result<()> {
    let (seq, last_hash): (i64, String) =
        sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
    sqlx::query("UPDATE audit_head SET signed_seq = $1, signature = $2 WHERE id = 1")
        .bind(seq)
        .bind(key.sign_head(seq, &last_hash))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

impl SigningKey {
    /// The key file of a data directory.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEY_FILE)
    }

    /// Reads a key file; `Ok(None)` if there is none.
    pub fn load(path: &Path) -> Result<Option<SigningKey>, KeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(KeyError::Io { path: path.to_path_buf(), source }),
        };
        let bytes = unhex(text.trim()).filter(|b| b.len() == 32);
        let bytes = bytes.ok_or_else(|| KeyError::Malformed { path: path.to_path_buf() })?;
        Ok(Some(SigningKey { bytes: bytes.try_into().expect("32 bytes") }))
    }

    /// The data directory's key, made (mode 0600) if there is none; `true` when made now.
    /// Two processes starting at once end up with the same key.
    pub fn load_or_create(data_dir: &Path) -> Result<(SigningKey, bool), KeyError> {
        let path = SigningKey::path(data_dir);
        if let Some(k) = SigningKey::load(&path)? {
            return Ok((k, false));
        }
        let io = |source| KeyError::Io { path: path.clone(), source };
        std::fs::create_dir_all(data_dir).map_err(|source| KeyError::Io { path: data_dir.to_path_buf(), source })?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // Written under a temporary name and linked into place, so no one reads half a key.
        let tmp = data_dir.join(format!("{KEY_FILE}.{}.tmp", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = options.open(&tmp)?;
            f.write_all(format!("{}\n", hex(&bytes)).as_bytes())?;
            f.sync_all()
        };
        write().map_err(|source| KeyError::Io { path: tmp.clone(), source })?;
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                if let Ok(d) = std::fs::File::open(data_dir) {
                    let _ = d.sync_all();
                }
                Ok((SigningKey { bytes }, true))
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let k = SigningKey::load(&path)?.ok_or_else(|| KeyError::Malformed { path: path.clone() })?;
                Ok((k, false))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// A key from its bytes (tests).
    pub fn from_bytes(bytes: [u8; 32]) -> SigningKey {
        SigningKey { bytes }
    }

    /// A short public name of the key (not secret): which key signed a backup.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"chiso signing key id\0");
        h.update(self.bytes);
        hex(&h.finalize()[..8])
    }

    fn mac(&self, purpose: &str, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.bytes).expect("HMAC takes any key length");
        for part in std::iter::once(purpose.as_bytes()).chain(parts.iter().copied()) {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part);
        }
        m
    }

    fn sign(&self, purpose: &str, parts: &[&[u8]]) -> String {
        hex(&self.mac(purpose, parts).finalize().into_bytes())
    }

    fn verify(&self, purpose: &str, parts: &[&[u8]], signature: &str) -> bool {
        unhex(signature).is_some_and(|s| self.mac(purpose, parts).verify_slice(&s).is_ok())
    }

    /// The signature of the chain's head: `seq` events ending with `hash`.
    pub fn sign_head(&self, seq: i64, hash: &str) -> String {
        self.sign("chiso audit head", &[seq.to_string().as_bytes(), hash.as_bytes()])
    }

    pub fn verify_head(&self, seq: i64, hash: &str, signature: &str) -> bool {
        self.verify("chiso audit head", &[seq.to_string().as_bytes(), hash.as_bytes()], signature)
    }

    /// The signature of a backup's manifest (its exact bytes).
    pub fn sign_manifest(&self, manifest: &[u8]) -> String {
        self.sign("chiso backup manifest", &[manifest])
    }

    pub fn verify_manifest(&self, manifest: &[u8], signature: &str) -> bool {
        self.verify("chiso backup manifest", &[manifest], signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let (k, made) = SigningKey::load_or_create(dir.path()).unwrap();
        assert!(made);
        let (again, made) = SigningKey::load_or_create(dir.path()).unwrap();
        assert!(!made);
        assert_eq!(k.id(), again.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(SigningKey::path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let s = k.sign_head(3, "abc");
        assert!(k.verify_head(3, "abc", &s));
        assert!(!k.verify_head(4, "abc", &s));
        assert!(!k.verify_head(3, "abd", &s));
        assert!(!SigningKey::from_bytes([7; 32]).verify_head(3, "abc", &s));
        assert!(!k.verify_head(3, "abc", "zz"));
        assert!(!k.verify_manifest(b"{}", &s), "a head signature is not a manifest signature");
        std::fs::write(SigningKey::path(dir.path()), "not hex").unwrap();
        assert!(matches!(SigningKey::load(&SigningKey::path(dir.path())), Err(KeyError::Malformed { .. })));
    }
}
