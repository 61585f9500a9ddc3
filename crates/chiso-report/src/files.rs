//! The document's files made side by side: the XLSX (the longest) on a
//! thread of its own while the DOCX and the HTML are written; the same bytes as one after the
//! other.

use crate::Report;
use crate::model::Document;
use chiso_data::xlsx_write::Error as XlsxError;

/// Which files to make.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    pub docx: bool,
    pub xlsx: bool,
    pub html: bool,
}

/// The files made, each present when wanted.
#[derive(Debug, Default)]
pub struct Files {
    pub docx: Option<Vec<u8>>,
    pub xlsx: Option<Result<Vec<u8>, XlsxError>>,
    pub html: Option<String>,
}

pub fn render(doc: &Document, wanted: Wanted) -> Files {
    std::thread::scope(|s| {
        let xlsx = wanted.xlsx.then(|| s.spawn(|| crate::xlsx::render(doc)));
        let docx = wanted.docx.then(|| crate::docx::render(doc));
        let html = wanted.html.then(|| crate::html::render(doc));
        // A panic in the XLSX writer is the caller's panic, as when it ran on this thread.
        let xlsx = xlsx.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        Files { docx, xlsx, html }
    })
}

/// The report's files: the same bytes as [`render`] of the whole document, the workbook's
/// own sheets made as the XLSX writes them.
pub fn render_report(report: &Report, wanted: Wanted) -> Files {
    std::thread::scope(|s| {
        let xlsx = wanted.xlsx.then(|| s.spawn(|| crate::xlsx::render_report(report)));
        let docx = wanted.docx.then(|| crate::docx::render(&report.document));
        let html = wanted.html.then(|| crate::html::render(&report.document));
        let xlsx = xlsx.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        Files { docx, xlsx, html }
    })
}
