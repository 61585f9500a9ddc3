//! `chiso backup` and `chiso restore`: one ZIP file with the database and its evidence.

use crate::Outcome;
use crate::progress::Progress;
use chiso_data::Lang;
use chiso_store::backup::{BackupError, Manifest, RestoreOptions, Untrusted};
use chiso_store::{Failure, SigningKey, StoreError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Db {
    /// `sqlite://file` (default) or `postgres://user@host/db`.
    #[arg(long = "db", env = "DATABASE_URL", default_value = "sqlite://chiso.sqlite")]
    url: String,
    /// Where evidence files are kept (as for `chiso serve`).
    #[arg(long, env = "CHISO_DATA_DIR", default_value = "chiso-data")]
    data_dir: PathBuf,
    /// The object store holding the evidence instead, if `chiso serve` uses one.
    #[command(flatten)]
    objects: super::serve::ObjectArgs,
}

impl Db {
    /// With an object store: its evidence files are staged in a directory under the data
    /// directory (removed after), which the backup reads or the restore writes.
    fn staging(&self, lang: Lang) -> Result<Option<PathBuf>, Vec<String>> {
        Ok(self.objects.config(lang)?.map(|_| self.data_dir.join(format!("sao-luu-tam-{}", std::process::id()))))
    }
}

fn object_store_error(lang: Lang, e: std::io::Error) -> Vec<String> {
    match lang {
        Lang::Vi => vec![format!("Kho đối tượng S3: {e}")],
        Lang::En => vec![format!("S3 object store: {e}")],
    }
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (refused if it exists); default `chiso-sao-luu-<UTC time>.zip`.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    db: Db,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file (written by `chiso backup`).
    file: PathBuf,
    /// Replace the contents of a database that is not empty.
    #[arg(long)]
    force: bool,
    /// Only check the file (hashes, completeness, audit chain, signature); touch nothing.
    #[arg(long)]
    check: bool,
    /// The signing.key of the installation that made the backup (default: this data
    /// directory's); the backup must be signed with it.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// Restore a backup that is not signed, or whose signature does not verify: only for a
    /// file whose origin you know (the audit trail and every row are still checked).
    #[arg(long)]
    trust_unsigned: bool,
    #[command(flatten)]
    db: Db,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime")
}

pub fn backup(a: BackupArgs, lang: Lang) -> Outcome {
    let out = a.out.unwrap_or_else(|| {
        let stamp: String = chiso_store::now_utc().chars().filter(|c| c.is_ascii_digit() || *c == 'T').collect();
        PathBuf::from(format!("chiso-sao-luu-{}.zip", stamp.replace('T', "-")))
    });
    runtime().block_on(async {
        let store = super::verify::open_signed(&a.db.url, &a.db.data_dir, false, lang).await?;
        let started = Instant::now();
        let staging = a.db.staging(lang)?;
        let progress = Progress::new(say(lang, "Sao lưu", "Backing up"));
        if let Some(dir) = &staging {
            progress.step(
                say(
                    lang,
                    "Sao lưu: chép minh chứng từ kho đối tượng",
                    "Backup: copying the evidence from the object store",
                ),
                0,
            );
            let objects = a.db.objects.objects(&a.db.data_dir, lang).await?;
            let hashes = store.evidence_hashes().await.map_err(|e| vec![store_message(lang, &e)])?;
            let keys: Vec<String> = hashes.iter().map(|h| format!("evidence/{h}")).collect();
            let copied = objects.copy_to_dir(&keys, dir).await;
            if let Err(e) = copied {
                let _ = std::fs::remove_dir_all(dir);
                return Err(object_store_error(lang, e));
            }
        }
        progress.step(say(lang, "Sao lưu: ghi các bảng và minh chứng", "Backup: writing the tables and evidence"), 0);
        let made =
            watch_bytes(&progress, &partial(&out), store.backup(staging.as_deref().unwrap_or(&a.db.data_dir), &out))
                .await;
        drop(progress);
        if let Some(dir) = &staging {
            let _ = std::fs::remove_dir_all(dir);
        }
        let m = made.map_err(|e| vec![message(lang, &e)])?;
        if store.signing_key().is_none() {
            let key = SigningKey::path(&a.db.data_dir);
            match lang {
                Lang::Vi => eprintln!("Lưu ý: không có {}, bản sao lưu không được ký", key.display()),
                Lang::En => eprintln!("Note: no {}, the backup is not signed", key.display()),
            }
        }
        let size = std::fs::metadata(&out).map_or(0, |m| m.len());
        let secs = started.elapsed().as_secs_f64();
        match lang {
            Lang::Vi => println!(
                "Đã sao lưu vào {}: {} byte, {} tệp minh chứng, {} sự kiện nhật ký, {} ({:.2} giây)",
                out.display(),
                size,
                m.evidence_count(),
                m.audit_events,
                summary(lang, &m),
                secs
            ),
            Lang::En => println!(
                "Backed up to {}: {} bytes, {} evidence files, {} audit events, {} ({:.2} s)",
                out.display(),
                size,
                m.evidence_count(),
                m.audit_events,
                summary(lang, &m),
                secs
            ),
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The file the store writes a backup into before renaming it (`<out>.partial`).
fn partial(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// Runs `work`, telling `progress` every 200 ms how large `file` has grown (the bytes
/// backed up so far); the store's code stays as it is.
async fn watch_bytes<T>(progress: &Progress, file: &Path, work: impl std::future::Future<Output = T>) -> T {
    let done = std::sync::atomic::AtomicBool::new(false);
    let watch = async {
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            if let Ok(m) = tokio::fs::metadata(file).await {
                progress.bytes(m.len());
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    };
    let work = async {
        let out = work.await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    };
    tokio::join!(work, watch).0
}

/// A progress label in the user's language.
fn say(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

fn summary(lang: Lang, m: &Manifest) -> String {
    let (users, answers, snapshots) = (m.rows("users"), m.rows("answers"), m.rows("snapshots"));
    match lang {
        Lang::Vi => format!("{users} người dùng, {answers} số liệu, {snapshots} bản công bố"),
        Lang::En => format!("{users} users, {answers} answers, {snapshots} published snapshots"),
    }
}

/// The key a backup must be signed with: `--key`, else the data directory's (if any).
fn trusted_key(a: &RestoreArgs, lang: Lang) -> Result<Option<SigningKey>, Vec<String>> {
    let path = a.key.clone().unwrap_or_else(|| SigningKey::path(&a.db.data_dir));
    match SigningKey::load(&path) {
        Ok(None) if a.key.is_some() => {
            Err(vec![format!("{}: {}", path.display(), std::io::Error::from(std::io::ErrorKind::NotFound))])
        }
        Ok(k) => Ok(k),
        Err(e) => Err(vec![super::verify::key_message(lang, &e)]),
    }
}

pub fn restore(a: RestoreArgs, lang: Lang) -> Outcome {
    let key = trusted_key(&a, lang)?;
    if a.check {
        let mut b = chiso_store::backup::Backup::open(&a.file).map_err(|e| vec![message(lang, &e)])?;
        let progress = Progress::new(say(lang, "Kiểm tra bản sao lưu", "Checking the backup"));
        let m = b.verify_watched(&progress).map_err(|e| vec![message(lang, &e)])?;
        drop(progress);
        let signed = match b.check_signature(key.as_ref()) {
            Ok(id) => Some(id),
            Err(e @ BackupError::Untrusted { .. }) if a.trust_unsigned => {
                eprintln!("{}", message(lang, &e));
                None
            }
            Err(e) => return Err(vec![message(lang, &e)]),
        };
        print_manifest(lang, &a.file, &m);
        match (signed, lang) {
            (Some(id), Lang::Vi) => println!("Chữ ký hợp lệ (khóa {id})"),
            (Some(id), Lang::En) => println!("Signature valid (key {id})"),
            (None, _) => {}
        }
        return Ok(ExitCode::SUCCESS);
    }
    runtime().block_on(async {
        let store = super::verify::open_signed(&a.db.url, &a.db.data_dir, true, lang).await?;
        let started = Instant::now();
        let progress = Progress::new(say(
            lang,
            "Khôi phục: kiểm tra và nạp bản sao lưu",
            "Restore: checking and loading the backup",
        ));

        let options = RestoreOptions { force: a.force, key: key.as_ref(), trust_unsigned: a.trust_unsigned };
        // With an object store: the evidence restored into a staging directory, then copied
        // into the store (checked to answer before anything is restored).
        let staging = a.db.staging(lang)?;
        // Steps done of: check and load, (copy the evidence into the bucket,) verify the chain.
        let steps = 2 + u64::from(staging.is_some());
        progress.set(0, steps);
        let objects = match &staging {
            Some(_) => Some(a.db.objects.objects(&a.db.data_dir, lang).await?),
            None => None,
        };
        let restored =
            store.restore_watched(&a.file, staging.as_deref().unwrap_or(&a.db.data_dir), &options, &progress).await;
        if staging.is_some() && restored.is_ok() {
            progress.step(
                say(
                    lang,
                    "Khôi phục: chép minh chứng vào kho đối tượng",
                    "Restore: copying the evidence into the object store",
                ),
                steps,
            );
            progress.set(1, steps);
        }
        let copied = match (&staging, &objects, &restored) {
            (Some(dir), Some(objects), Ok(_)) => objects.copy_from_dir(dir, "evidence").await.map(drop),
            _ => Ok(()),
        };
        if let Some(dir) = &staging {
            let _ = std::fs::remove_dir_all(dir);
        }
        let m = restored.map_err(|e| vec![message(lang, &e)])?;
        copied.map_err(|e| object_store_error(lang, e))?;
        store.record_restore("cli", &a.file, &m).await.map_err(|e| vec![store_message(lang, &e)])?;
        progress.step(say(lang, "Khôi phục: kiểm tra chuỗi nhật ký", "Restore: verifying the audit chain"), steps);
        progress.set(steps - 1, steps);
        let chain = store.verify_chain().await.map_err(|e| vec![store_message(lang, &e)])?;
        progress.set(steps, steps);
        drop(progress);
        let secs = started.elapsed().as_secs_f64();
        store.close().await;
        print_manifest(lang, &a.file, &m);
        match (chain, lang) {
            (Ok(n), Lang::Vi) => {
                println!("Đã khôi phục vào {} ({:.2} giây); nhật ký toàn vẹn: {n} sự kiện", a.db.url, secs)
            }
            (Ok(n), Lang::En) => println!("Restored into {} ({:.2} s); audit chain intact: {n} events", a.db.url, secs),
            (Err(e), _) => return Err(vec![e.to_string()]),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_manifest(lang: Lang, file: &Path, m: &Manifest) {
    match lang {
        Lang::Vi => println!(
            "Tệp sao lưu {} hợp lệ: tạo lúc {} từ {} (chiso {}, lược đồ {}); {}, {} tệp minh chứng, {} sự kiện nhật ký",
            file.display(),
            m.created_at,
            m.backend,
            m.chiso_version,
            m.schema.join(", "),
            summary(lang, m),
            m.evidence_count(),
            m.audit_events
        ),
        Lang::En => println!(
            "Backup {} is valid: made {} from {} (chiso {}, schema {}); {}, {} evidence files, {} audit events",
            file.display(),
            m.created_at,
            m.backend,
            m.chiso_version,
            m.schema.join(", "),
            summary(lang, m),
            m.evidence_count(),
            m.audit_events
        ),
    }
}

/// A store error in the user's words: a full disk and a read-only database say what to do.
pub fn store_message(lang: Lang, e: &StoreError) -> String {
    match (e.failure(), lang) {
        (Some(Failure::Full), Lang::Vi) => {
            format!("Ổ đĩa đã đầy; chưa ghi gì. Hãy giải phóng dung lượng rồi thử lại. ({e})")
        }
        (Some(Failure::Full), Lang::En) => {
            format!("The disk is full; nothing was written. Free some space and retry. ({e})")
        }
        (Some(Failure::ReadOnly), Lang::Vi) => {
            format!("Cơ sở dữ liệu đang ở chế độ chỉ đọc; chưa ghi gì. Hãy kiểm tra ổ đĩa/máy chủ cơ sở dữ liệu. ({e})")
        }
        (Some(Failure::ReadOnly), Lang::En) => {
            format!("The database is read-only; nothing was written. Check the disk or database server. ({e})")
        }
        (Some(Failure::Unavailable), Lang::Vi) => format!("Không kết nối được cơ sở dữ liệu. ({e})"),
        (Some(Failure::Unavailable), Lang::En) => format!("Cannot reach the database. ({e})"),
        _ => e.to_string(),
    }
}

fn message(lang: Lang, e: &BackupError) -> String {
    use BackupError as E;
    if lang == Lang::En {
        return match e {
            E::Store(s) => store_message(lang, s),
            other => other.to_string(),
        };
    }
    let d = |p: &Path| p.display().to_string();
    match e {
        E::Io { path, source } => format!("{}: {source}", d(path)),
        E::Store(s) => store_message(lang, s),
        E::Exists { path } => format!("{} đã tồn tại; hãy chọn tên tệp khác (--out)", d(path)),
        E::NotABackup { path, reason } => format!("{}: không phải tệp sao lưu của chiso: {reason}", d(path)),
        E::FormatVersion { path, found } => format!(
            "{}: định dạng sao lưu {found} không được hỗ trợ (phiên bản này đọc định dạng {})",
            d(path),
            chiso_store::backup::FORMAT_VERSION
        ),
        E::Schema { path, backup, here } => {
            format!("{}: lược đồ của bản sao lưu là {backup}, của cơ sở dữ liệu này là {here}", d(path))
        }
        E::Corrupt { path, part, expected, found } => {
            format!("{}: phần {part} bị hỏng: sha256 là {found}, bản kê ghi {expected}; chưa khôi phục gì", d(path))
        }
        E::MissingPart { path, part } => format!("{}: thiếu phần {part}; chưa khôi phục gì", d(path)),
        E::ExtraPart { path, part } => format!("{}: phần {part} không có trong bản kê; chưa khôi phục gì", d(path)),
        E::BadRow { path, part, line, problem } => {
            format!("{}: {part}, dòng {line}: {problem}; chưa khôi phục gì", d(path))
        }
        E::Chain { path, problem } => {
            format!("{}: nhật ký kiểm toán trong bản sao lưu không toàn vẹn: {problem}; chưa khôi phục gì", d(path))
        }
        E::MissingEvidence { file, sha256 } => {
            format!("Cơ sở dữ liệu tham chiếu minh chứng {sha256} nhưng không có tệp {}", d(file))
        }
        E::DamagedEvidence { file, found } => format!("Tệp minh chứng {} bị hỏng: sha256 là {found}", d(file)),
        E::NotEmpty { rows } => format!(
            "Cơ sở dữ liệu đích không trống ({rows} dòng); chưa khôi phục gì. Dùng --force để thay thế toàn bộ nội dung"
        ),
        E::Untrusted { path, problem } => format!(
            "{}: {}; chưa khôi phục gì (nếu biết rõ nguồn gốc tệp và vẫn muốn khôi phục: --trust-unsigned)",
            d(path),
            untrusted(problem)
        ),
        E::Uncovered { table, columns } => {
            format!("Bảng {table} ({columns}) chưa được sao lưu; cần cập nhật chiso-store/src/backup.rs")
        }
    }
}

fn untrusted(u: &Untrusted) -> String {
    match u {
        Untrusted::Unsigned => "bản sao lưu không được ký".into(),
        Untrusted::NoKey { signed_by } => format!(
            "bản sao lưu được ký bằng khóa {signed_by} nhưng không có khóa để kiểm tra (chỉ signing.key của bản cài đặt đã tạo nó bằng --key)"
        ),
        Untrusted::OtherKey { signed_by, ours } => format!(
            "bản sao lưu được ký bằng khóa {signed_by}, không phải khóa này ({ours}) (chỉ signing.key của bản cài đặt đã tạo nó bằng --key)"
        ),
        Untrusted::Invalid => "chữ ký không khớp với bản kê: tệp đã bị sửa sau khi tạo".into(),
        Untrusted::HeadNotSigned => {
            "nhật ký kiểm toán trong bản sao lưu chưa được ký ở đầu khi sao lưu (cơ sở dữ liệu đã bị sửa khi không có khóa)"
                .into()
        }
    }
}
