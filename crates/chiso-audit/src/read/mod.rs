//! Readers: DOCX (Word tables and paragraphs), XLSX (sheets with merged headers) and
//! CSV (one table per file). They never panic on a malformed file: what cannot be read
//! is a [`ReadError`]; what is merely odd is kept as text for the recognizer to judge.

mod csv;
mod docx;
mod xlsx;

pub use self::csv::read_csv;
pub use docx::read_docx;
pub use xlsx::read_xlsx;

use std::io::Read;

/// The most any single part of an archive may expand to (a zip bomb stops here).
const PART_LIMIT: u64 = 64 * 1024 * 1024;
/// The largest grid a reader builds.
pub(crate) const MAX_ROWS: usize = 20_000;
pub(crate) const MAX_COLUMNS: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Not a ZIP archive (a DOCX/XLSX is one), or a damaged one.
    Archive(String),
    /// A part every file of this kind has is missing (`word/document.xml`).
    MissingPart(String),
    /// A part is not well-formed XML.
    Xml {
        part: String,
        message: String,
    },
    /// A part is larger than the auditor reads.
    TooLarge(String),
    /// The file's extension is none the auditor reads.
    UnknownFormat(String),
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Archive(m) => write!(f, "not a readable ZIP archive: {m}"),
            ReadError::MissingPart(p) => write!(f, "the archive has no {p}"),
            ReadError::Xml { part, message } => write!(f, "{part} is not well-formed XML: {message}"),
            ReadError::TooLarge(p) => write!(f, "{p} is larger than {} MiB", PART_LIMIT / 1024 / 1024),
            ReadError::UnknownFormat(e) => write!(f, "unknown format {e:?} (expected .docx, .xlsx or .csv)"),
            ReadError::Io(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// The formats the auditor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Xlsx,
    Csv,
}

impl Format {
    /// By extension (case-insensitive).
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_lowercase();
        match ext.as_str() {
            "docx" => Some(Format::Docx),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "csv" | "txt" | "tsv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// Reads `bytes` as `format`. `name` labels a CSV's table.
pub fn read(bytes: &[u8], format: Format, name: &str) -> Result<crate::model::Document, ReadError> {
    match format {
        Format::Docx => read_docx(bytes),
        Format::Xlsx => read_xlsx(bytes),
        Format::Csv => read_csv(bytes, name),
    }
}

type Archive<'a> = zip::ZipArchive<std::io::Cursor<&'a [u8]>>;

pub(crate) fn open_zip(bytes: &[u8]) -> Result<Archive<'_>, ReadError> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| ReadError::Archive(e.to_string()))
}

/// A part of the archive by name (case-insensitive, with or without a leading `/`), or `None`.
pub(crate) fn part(zip: &mut Archive<'_>, name: &str) -> Result<Option<Vec<u8>>, ReadError> {
    let wanted = name.trim_start_matches('/').to_lowercase();
    let index = (0..zip.len()).find(|&i| {
        zip.name_for_index(i).is_some_and(|n| n.trim_start_matches('/').replace('\\', "/").to_lowercase() == wanted)
    });
    let Some(index) = index else { return Ok(None) };
    let file = zip.by_index(index).map_err(|e| ReadError::Archive(format!("{name}: {e}")))?;
    let mut out = Vec::new();
    file.take(PART_LIMIT + 1).read_to_end(&mut out).map_err(|e| ReadError::Archive(format!("{name}: {e}")))?;
    if out.len() as u64 > PART_LIMIT {
        return Err(ReadError::TooLarge(name.to_string()));
    }
    Ok(Some(out))
}

/// The value of an attribute by local name (`w:val` → `val`), unescaped.
pub(crate) fn attr(e: &quick_xml::events::BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| {
        match a.decode_and_unescape_value(e.decoder()) {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        }
    })
}

/// The character a general reference (`&amp;`, `&#7843;`) stands for.
pub(crate) fn general_ref(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match &r[..] {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

pub(crate) fn xml_error(part: &str, e: impl std::fmt::Display) -> ReadError {
    ReadError::Xml { part: part.to_string(), message: e.to_string() }
}

/// The decimal separator most numbers in these texts use (`,` when in doubt).
pub(crate) fn separator<'a>(texts: impl Iterator<Item = &'a str>) -> char {
    let (mut comma, mut dot) = (0usize, 0usize);
    for t in texts {
        let t = t.trim();
        if crate::text::parse_num(t).is_some_and(|n| n.decimals > 0) {
            if t.contains(',') {
                comma += 1;
            } else {
                dot += 1;
            }
        }
    }
    if dot > comma { '.' } else { ',' }
}
