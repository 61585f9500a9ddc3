//! PDF: the generated DOCX converted by LibreOffice headless, so the published PDF has
//! exactly the layout of the Word file people sign. A private profile per run and a timeout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
}

/// The `soffice` program, from `CHISO_SOFFICE` or the PATH.
pub fn soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHISO_SOFFICE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("soffice")).find(|p| p.is_file())
}

/// Converts DOCX bytes to PDF bytes.
pub fn convert(docx: &[u8], timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let program = soffice().ok_or(PdfError::NotInstalled)?;
    let dir = tempdir()?;
    let result = run(&program, docx, &dir, timeout);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run(program: &Path, docx: &[u8], dir: &Path, timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let input = dir.join("bao-cao.docx");
    std::fs::write(&input, docx)?;
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    let mut child = Command::new(program)
        .args([profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            let pdf = dir.join("bao-cao.pdf");
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
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(timeout.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
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
