//! The package: the zip, the shared strings, the styles and the parts written at the end
//! (workbook, relationships, content types, properties).

use super::sheet::{Setup, Sheet};
use super::styles::{Style, StyleId, Styles};
use super::xml::{escape_into, escaped};
use super::{Error, LEVEL};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Seek, Write};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

pub(crate) struct SheetEntry {
    pub(crate) name: String,
    pub(crate) repeat_rows: Option<(u32, u32)>,
}

/// The shared strings, each once, numbered in the order first written.
#[derive(Default)]
pub(crate) struct Strings {
    index: HashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
    count: u64,
}

impl Strings {
    pub(crate) fn get(&mut self, s: &str) -> u32 {
        self.count += 1;
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.list.len() as u32;
        let b: Box<str> = s.into();
        self.index.insert(b.clone(), i);
        self.list.push(b);
        i
    }
}

/// A workbook being written into `W` (a file, or `Cursor<Vec<u8>>`).
pub struct Workbook<W: Write + Seek> {
    pub(crate) zip: ZipWriter<W>,
    pub(crate) strings: Strings,
    pub(crate) sheets: Vec<SheetEntry>,
    /// A sheet was started and not finished.
    pub(crate) open: bool,
    /// The sheets' names in lower case (unique whatever the case).
    names: std::collections::HashSet<String>,
    styles: Styles,
    title: String,
}

pub(crate) fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .last_modified_time(zip::DateTime::default())
}

impl<W: Write + Seek> Workbook<W> {
    /// A workbook titled `title` (its document properties; no dates but a fixed one).
    pub fn new(sink: W, title: &str) -> Self {
        Workbook {
            zip: ZipWriter::new(sink),
            strings: Strings::default(),
            sheets: Vec::new(),
            open: false,
            names: std::collections::HashSet::new(),
            styles: Styles::new(),
            title: title.to_string(),
        }
    }

    /// A cell style, registered once (the same style twice gives the same id).
    pub fn style(&mut self, style: Style) -> StyleId {
        self.styles.add(style)
    }

    /// Starts the next sheet; write its rows in order, then [`Sheet::finish`] it.
    pub fn sheet(&mut self, setup: &Setup) -> Result<Sheet<'_, W>, Error> {
        if self.open {
            return Err(Error::Invalid("a sheet was not finished".into()));
        }
        check_name(&setup.name)?;
        if !self.names.insert(setup.name.to_lowercase()) {
            return Err(Error::Invalid(format!("sheet name {:?} is used twice", setup.name)));
        }
        Sheet::start(self, setup)
    }

    /// Writes the remaining parts and gives the sink back.
    pub fn finish(mut self) -> Result<W, Error> {
        if self.open {
            return Err(Error::Invalid("a sheet was not finished".into()));
        }
        if self.sheets.is_empty() {
            return Err(Error::Invalid("a workbook needs a sheet".into()));
        }
        let o = options();
        self.zip.start_file("xl/sharedStrings.xml", o)?;
        let mut buf = Vec::with_capacity(64 * 1024);
        let _ = write!(
            buf,
            "{HEAD}<sst xmlns=\"{MAIN}\" count=\"{}\" uniqueCount=\"{}\">",
            self.strings.count,
            self.strings.list.len()
        );
        for s in &self.strings.list {
            let spaced = s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace);
            buf.extend_from_slice(if spaced { b"<si><t xml:space=\"preserve\">" } else { b"<si><t>" });
            escape_into(&mut buf, s, false);
            buf.extend_from_slice(b"</t></si>");
            if buf.len() > 60 * 1024 {
                self.zip.write_all(&buf)?;
                buf.clear();
            }
        }
        buf.extend_from_slice(b"</sst>");
        self.zip.write_all(&buf)?;
        let parts = [
            ("xl/styles.xml", self.styles.xml()),
            ("xl/workbook.xml", self.workbook_xml()),
            ("xl/_rels/workbook.xml.rels", self.workbook_rels()),
            ("docProps/core.xml", self.core()),
            (
                "docProps/app.xml",
                format!(
                    "{HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>Microsoft Excel</Application></Properties>"
                ),
            ),
            (
                "_rels/.rels",
                format!(
                    "{HEAD}<Relationships xmlns=\"{PKG_REL}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/><Relationship Id=\"rId2\" Type=\"{PKG_REL}/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"{REL}/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>"
                ),
            ),
            ("[Content_Types].xml", self.content_types()),
        ];
        for (name, xml) in parts {
            self.zip.start_file(name, o)?;
            self.zip.write_all(xml.as_bytes())?;
        }
        Ok(self.zip.finish()?)
    }

    fn workbook_xml(&self) -> String {
        let mut s = format!(
            "{HEAD}<workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets>"
        );
        for (i, sh) in self.sheets.iter().enumerate() {
            let _ =
                write!(s, "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>", escaped(&sh.name, true), i + 1, i + 1);
        }
        s += "</sheets>";
        let titles: Vec<_> = self.sheets.iter().enumerate().filter(|(_, sh)| sh.repeat_rows.is_some()).collect();
        if !titles.is_empty() {
            s += "<definedNames>";
            for (i, sh) in titles {
                let (a, b) = sh.repeat_rows.expect("filtered");
                let quoted = sh.name.replace('\'', "''");
                let _ = write!(
                    s,
                    "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">{}</definedName>",
                    escaped(&format!("'{quoted}'!${}:${}", a + 1, b + 1), false)
                );
            }
            s += "</definedNames>";
        }
        s + "<calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>"
    }

    fn workbook_rels(&self) -> String {
        let mut s = format!("{HEAD}<Relationships xmlns=\"{PKG_REL}\">");
        let n = self.sheets.len();
        for i in 1..=n {
            let _ =
                write!(s, "<Relationship Id=\"rId{i}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>");
        }
        let _ = write!(
            s,
            "<Relationship Id=\"rId{}\" Type=\"{REL}/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId{}\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>",
            n + 1,
            n + 2
        );
        s
    }

    fn content_types(&self) -> String {
        const OFFICE: &str = "application/vnd.openxmlformats-officedocument";
        let mut s = format!(
            "{HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"{OFFICE}.extended-properties+xml\"/><Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"{OFFICE}.spreadsheetml.styles+xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"{OFFICE}.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"{OFFICE}.spreadsheetml.sharedStrings+xml\"/>"
        );
        for i in 1..=self.sheets.len() {
            let _ = write!(
                s,
                "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"{OFFICE}.spreadsheetml.worksheet+xml\"/>"
            );
        }
        s + "</Types>"
    }

    fn core(&self) -> String {
        format!(
            "{HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">2000-01-01T00:00:00Z</dcterms:modified></cp:coreProperties>",
            escaped(&self.title, false)
        )
    }
}

impl Workbook<std::io::Cursor<Vec<u8>>> {
    /// A workbook written in memory.
    pub fn in_memory(title: &str) -> Self {
        Workbook::new(std::io::Cursor::new(Vec::new()), title)
    }
}

/// Excel's rules for a sheet name: 1 to 31 characters, none of `[]:*?/\`, not starting or
/// ending with an apostrophe (and, checked by the caller, unique whatever the case).
fn check_name(name: &str) -> Result<(), Error> {
    let bad = name.is_empty()
        || name.chars().count() > 31
        || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
        || name.starts_with('\'')
        || name.ends_with('\'');
    if bad {
        return Err(Error::Invalid(format!("sheet name {name:?} is not allowed")));
    }
    Ok(())
}
