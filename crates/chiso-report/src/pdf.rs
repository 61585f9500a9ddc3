//! PDF: the generated DOCX converted by LibreOffice headless, so the published PDF has
//! exactly the layout of the Word file people sign. A private profile and a timeout.
//!
//! Starting LibreOffice is most of the time of a conversion, so two things make it cheaper
//! (docs/BENCHMARKS.md, "Report generation"):
//! - the profile is kept between conversions, in the user's cache directory
//!   (`$XDG_CACHE_HOME/chiso/soffice-profile`, else `~/.cache/…`), instead of a new one
//!   created and thrown away each time. One conversion at a time uses it (a lock directory
//!   next to it, holding the owner's process id); a conversion that finds it in use, or has
//!   no cache directory, uses a fresh temporary profile as before. A conversion that fails
//!   with the kept profile throws it away and is retried once with a fresh one.
//! - glibc's allocator is told (`GLIBC_TUNABLES`, unless already set) to keep freed memory
//!   rather than return it to the system and fault it in again: LibreOffice frees and
//!   reallocates large blocks while it loads and lays out, and these page faults were a
//!   third of its CPU time. The process exits right after the conversion.
//!
//! Neither changes the PDF: the same program converts the same file with the same settings.
//!
//! One conversion at a time in the process (LibreOffice takes a core and hundreds of MB):
//! callers queue behind a process-wide gate, at most [`QUEUE`] of them; one more gets
//! [`PdfError::Busy`] at once rather than waiting behind a long line.
//!
//! The same DOCX always gives the same PDF, and a report's DOCX is the same bytes for the
//! same published results, so the last [`CACHED`] conversions are kept in memory, keyed by
//! the DOCX itself: downloading a published version again converts nothing.
//!
//! Fonts: the DOCX asks for Times New Roman; where it is not installed LibreOffice uses
//! Liberation Serif (Debian `fonts-liberation2`), metric-compatible with it, so lines and
//! pages break where they would in Word.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How many callers may wait for the conversion in progress.
pub const QUEUE: usize = 4;
/// How many conversions are kept (a report's PDF is a few hundred kB).
pub const CACHED: usize = 8;

/// The last conversions, most recent last: (DOCX, PDF).
struct Cache {
    entries: Mutex<Vec<(Vec<u8>, Vec<u8>)>>,
    capacity: usize,
}

impl Cache {
    const fn new(capacity: usize) -> Cache {
        Cache { entries: Mutex::new(Vec::new()), capacity }
    }

    fn get(&self, docx: &[u8]) -> Option<Vec<u8>> {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let i = e.iter().position(|(d, _)| d == docx)?;
        let hit = e.remove(i);
        let pdf = hit.1.clone();
        e.push(hit);
        Some(pdf)
    }

    fn put(&self, docx: &[u8], pdf: &[u8]) {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.retain(|(d, _)| d != docx);
        if e.len() >= self.capacity {
            e.remove(0);
        }
        e.push((docx.to_vec(), pdf.to_vec()));
    }
}

static CACHE: Cache = Cache::new(CACHED);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "LibreOffice (soffice) is not installed: install the Debian packages libreoffice-writer-nogui and fonts-liberation2 (scripts/install-report-tools)"
    )]
    NotInstalled,
    #[error("LibreOffice did not finish within {0} s")]
    Timeout(u64),
    #[error("LibreOffice failed: {0}")]
    Failed(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("LibreOffice is busy: one conversion is running and {0} are waiting; try again shortly")]
    Busy(usize),
}

/// One conversion at a time, at most `limit` callers waiting.
struct Gate {
    state: Mutex<(bool, usize)>,
    freed: Condvar,
    limit: usize,
}

/// Held while converting; lets the next caller in when dropped.
struct Permit<'a>(&'a Gate);

impl Gate {
    const fn new(limit: usize) -> Gate {
        Gate { state: Mutex::new((false, 0)), freed: Condvar::new(), limit }
    }

    fn enter(&self) -> Result<Permit<'_>, PdfError> {
        // A poisoned lock only means a caller panicked while holding it; the state is two numbers.
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if s.0 {
            if s.1 >= self.limit {
                return Err(PdfError::Busy(s.1));
            }
            s.1 += 1;
            while s.0 {
                s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            s.1 -= 1;
        }
        s.0 = true;
        Ok(Permit(self))
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner()).0 = false;
        self.0.freed.notify_one();
    }
}

static GATE: Gate = Gate::new(QUEUE);

/// The `soffice` program, from `CHISO_SOFFICE` or the PATH.
pub fn soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHISO_SOFFICE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("soffice")).find(|p| p.is_file())
}

/// The allocator settings given to LibreOffice (see the module documentation).
const TUNABLES: &str = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456";

/// Converts DOCX bytes to PDF bytes.
pub fn convert(docx: &[u8], timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let program = soffice().ok_or(PdfError::NotInstalled)?;
    if let Some(pdf) = CACHE.get(docx) {
        return Ok(pdf);
    }
    let _permit = GATE.enter()?;
    // Converted by the caller we waited behind?
    if let Some(pdf) = CACHE.get(docx) {
        return Ok(pdf);
    }
    let dir = tempdir()?;
    let result = match KeptProfile::claim() {
        Some(kept) => match run(&program, docx, &dir, kept.path(), timeout) {
            Err(PdfError::Failed(_) | PdfError::Io(_)) => {
                // Perhaps a damaged profile: start afresh next time, and now.
                kept.discard();
                run(&program, docx, &dir, &dir.join("profile"), timeout)
            }
            Err(e @ PdfError::Timeout(_)) => {
                kept.discard();
                Err(e)
            }
            other => other,
        },
        None => run(&program, docx, &dir, &dir.join("profile"), timeout),
    };
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(pdf) = &result {
        CACHE.put(docx, pdf);
    }
    result
}

fn run(program: &Path, docx: &[u8], dir: &Path, profile: &Path, timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let input = dir.join("bao-cao.docx");
    let pdf = dir.join("bao-cao.pdf");
    std::fs::write(&input, docx)?;
    let _ = std::fs::remove_file(&pdf);
    let profile = format!("-env:UserInstallation=file://{}", profile.display());
    let mut command = Command::new(program);
    command
        // --nolockcheck: LibreOffice's own lock would be left behind by a conversion killed at
        // its timeout; the kept profile has its own lock (KeptProfile).
        .args([profile.as_str(), "--headless", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if std::env::var_os("GLIBC_TUNABLES").is_none() {
        command.env("GLIBC_TUNABLES", TUNABLES);
    }
    // Its own process group: `soffice` is a launcher that starts `soffice.bin`, and at the
    // timeout both must go (a leftover would also answer the next conversion's requests
    // for the same profile).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn()?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if status.success() && pdf.exists() {
                return Ok(std::fs::read(pdf)?);
            }
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            return Err(PdfError::Failed(format!("{status}: {}", err.trim())));
        }
        if start.elapsed() > timeout {
            #[cfg(unix)]
            let _ =
                Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).stderr(Stdio::null()).status();
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The LibreOffice profile kept between conversions, claimed for one conversion: the lock
/// directory `<profile>.lock` exists while it is in use and holds the owner's process id.
struct KeptProfile {
    profile: PathBuf,
    lock: PathBuf,
}

impl KeptProfile {
    /// `None`: no cache directory, or the profile is in use.
    fn claim() -> Option<KeptProfile> {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .filter(|p| p.is_absolute())?;
        KeptProfile::claim_in(&cache.join("chiso"))
    }

    fn claim_in(root: &Path) -> Option<KeptProfile> {
        std::fs::create_dir_all(root).ok()?;
        let (profile, lock) = (root.join("soffice-profile"), root.join("soffice-profile.lock"));
        for _ in 0..2 {
            match std::fs::create_dir(&lock) {
                Ok(()) => {
                    if std::fs::write(lock.join("pid"), std::process::id().to_string()).is_err() {
                        let _ = std::fs::remove_dir_all(&lock);
                        return None;
                    }
                    return Some(KeptProfile { profile, lock });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    // Held by a live process: use a fresh profile. Left by a dead one: take it.
                    if held(&lock) {
                        return None;
                    }
                    let _ = std::fs::remove_dir_all(&lock);
                }
                Err(_) => return None,
            }
        }
        None
    }
}

/// Whether a lock directory belongs to a running process (this one included: another
/// thread converting). Without a readable process id, or without `/proc` to look the process
/// up, a lock counts as held for an hour after it was taken.
fn held(lock: &Path) -> bool {
    let owner = std::fs::read_to_string(lock.join("pid")).ok().and_then(|p| p.trim().parse::<u32>().ok());
    match owner {
        Some(pid) if Path::new("/proc/self").exists() => {
            pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => std::fs::metadata(lock)
            .and_then(|m| m.modified())
            .map(|t| t.elapsed().is_ok_and(|age| age < Duration::from_secs(3600)))
            .unwrap_or(true),
    }
}

impl KeptProfile {
    fn path(&self) -> &Path {
        &self.profile
    }

    fn discard(&self) {
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for KeptProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.lock);
    }
}

/// The number of pages of a PDF LibreOffice wrote: its page objects (`/Type/Page`, not the
/// `/Type/Pages` tree nodes), which it writes uncompressed. For the platform's work page.
pub fn pages(pdf: &[u8]) -> u32 {
    let mut n = 0;
    for (i, w) in pdf.windows(5).enumerate() {
        if w != b"/Type" {
            continue;
        }
        let rest = &pdf[i + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if rest.starts_with(b"/Page") && !rest[5..].first().is_some_and(|b| b.is_ascii_alphanumeric()) {
            n += 1;
        }
    }
    n
}

fn tempdir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let p = base.join(format!("chiso-pdf-{}-{n}", std::process::id()));
        if std::fs::create_dir(&p).is_ok() {
            return Ok(p);
        }
    }
    Err(std::io::Error::other("no temporary directory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_the_page_objects_not_the_tree() {
        let pdf = b"1 0 obj<</Type/Pages/Count 2/Kids[2 0 R 3 0 R]>>endobj 2 0 obj<</Type/Page/Parent 1 0 R>>endobj \
                    3 0 obj<</Type /Page>>endobj 4 0 obj<</Type/PageLabel>>endobj";
        assert_eq!(pages(pdf), 2);
        assert_eq!(pages(b""), 0);
    }

    #[test]
    fn the_last_conversions_are_kept_by_their_docx() {
        let c = Cache::new(2);
        c.put(b"a", b"A");
        c.put(b"b", b"B");
        assert_eq!(c.get(b"a").as_deref(), Some(&b"A"[..]), "a is now the most recent");
        c.put(b"c", b"C");
        assert_eq!(c.get(b"b"), None, "the least recently used went");
        assert_eq!(c.get(b"a").as_deref(), Some(&b"A"[..]));
        assert_eq!(c.get(b"c").as_deref(), Some(&b"C"[..]));
    }

    #[test]
    fn one_conversion_at_a_time_and_a_bounded_queue() {
        static G: Gate = Gate::new(1);
        let first = G.enter().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let p = G.enter().map(|_| ());
            tx.send(()).unwrap();
            p
        });
        // The waiter is queued: wait until the gate counts it.
        while G.state.lock().unwrap().1 == 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(rx.try_recv().is_err(), "no second conversion while the first runs");
        assert!(matches!(G.enter(), Err(PdfError::Busy(1))), "the queue is full");
        drop(first);
        assert!(waiter.join().unwrap().is_ok());
        assert!(G.enter().is_ok(), "free again");
    }

    #[test]
    fn the_kept_profile_serves_one_conversion_at_a_time_and_outlives_dead_owners() {
        let root = tempdir().unwrap();
        let first = KeptProfile::claim_in(&root).expect("free");
        assert!(KeptProfile::claim_in(&root).is_none(), "in use by this process");
        drop(first);
        let second = KeptProfile::claim_in(&root).expect("free again");
        assert_eq!(second.path(), root.join("soffice-profile"));
        // A lock left by a process that no longer runs is taken over.
        std::fs::write(second.lock.join("pid"), u32::MAX.to_string()).unwrap();
        std::mem::forget(second);
        if Path::new("/proc/self").exists() {
            assert!(KeptProfile::claim_in(&root).is_some());
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}
