//! Files the platform keeps (evidence, report PDFs), written so that a crash or a full
//! disk never leaves half a file under the final name.

/// Writes `dir/name` once, synced to disk before the submission that cites it is
/// acknowledged (a temporary file renamed into place, so a crash leaves no half file).
pub fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    if dir.join(name).exists() {
        return Ok(());
    }
    replace(dir, name, bytes)
}

/// Writes `dir/name` whole, replacing what was there (a temporary file renamed over it, so
/// a reader sees the old file or the new one, never half of one).
pub fn replace(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{name}.tmp"));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
