//! Files made for a download (templates, exports, the results as XLSX or CSV): written on a
//! blocking thread into a temporary file in the data directory, then streamed as the
//! response body a block at a time, so the server never holds a whole file in memory (a
//! national template is tens of megabytes). The file never has a name (`O_TMPFILE`, or
//! removed as soon as made): it is gone once the response is sent or dropped, and with the
//! process if it dies.

use crate::error::{AppError, AppResult};
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use tokio::io::AsyncReadExt;

/// The block read from the file at a time.
const BLOCK: usize = 64 * 1024;

/// The file `make` writes (off the async runtime), as an attachment named `filename`.
pub async fn streamed<F>(dir: &Path, content_type: &str, filename: &str, make: F) -> AppResult<Response>
where
    F: FnOnce(&mut BufWriter<File>) -> AppResult<()> + Send + 'static,
{
    let dir = dir.to_path_buf();
    let file = tokio::task::spawn_blocking(move || -> AppResult<File> {
        // The data directory (a disk, where /tmp may be memory), else the system's.
        let file =
            tempfile::tempfile_in(&dir).or_else(|_| tempfile::tempfile()).map_err(|e| failed("temporary file", e))?;
        let mut w = BufWriter::with_capacity(BLOCK, file);
        make(&mut w)?;
        let mut file = w.into_inner().map_err(|e| failed("temporary file", e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(|e| failed("temporary file", e))?;
        Ok(file)
    })
    .await
    .map_err(|_| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal))??;
    let len = file.metadata().map_err(|e| failed("temporary file", e))?.len();
    let file = tokio::fs::File::from_std(file);
    let blocks = futures_util::stream::unfold(file, |mut file| async move {
        let mut block = vec![0; BLOCK];
        match file.read(&mut block).await {
            Ok(0) => None,
            Ok(n) => {
                block.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(block)), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", safe(filename))),
        ],
        Body::from_stream(blocks),
    )
        .into_response())
}

/// Bytes already written by `make`, passed on (a writer's `io::Error` as an internal error).
pub fn written(w: &mut impl Write, bytes: &[u8]) -> AppResult<()> {
    w.write_all(bytes).map_err(|e| failed("temporary file", e))
}

pub fn failed(what: &'static str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{what}");
    AppError::new(StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal)
}

/// A name safe in `Content-Disposition`.
fn safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_is_streamed_whole_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let made: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let expected = made.clone();
        let r = streamed(dir.path(), "application/octet-stream", "bảng kết quả.xlsx", move |w| written(w, &made))
            .await
            .unwrap();
        assert_eq!(r.headers()[header::CONTENT_LENGTH], expected.len().to_string().as_str());
        assert_eq!(r.headers()[header::CONTENT_DISPOSITION], "attachment; filename=\"b-ng-k-t-qu-.xlsx\"");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file left with a name");
        let body = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        assert_eq!(body.as_ref(), expected.as_slice());
    }

    #[tokio::test]
    async fn a_failure_while_making_it_is_an_error_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let r = streamed(dir.path(), "text/csv", "x.csv", |_| {
            Err(AppError::new(StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal))
        })
        .await;
        assert!(r.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
