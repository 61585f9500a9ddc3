//! A small XLSX cell reader for the all-units template: the archive opened once, each
//! sheet found by a hash lookup (calamine scans every part name for each sheet it opens:
//! quadratic, about 1 s of reading a national template of 4,500 sheets).
//!
//! It gives the values calamine gives (as [`calamine::Data`]) for the workbooks it
//! understands, and `None` for anything else: a number whose style may be a date, a cell
//! type, position or text it does not know, a limit passed, a damaged part. `None` means
//! "read this workbook with calamine", whose values and error messages stay the reference.
//! The archive must have passed [`crate::xlsx::check_archive_within`]; every part is still
//! read through `take(part limit)`.

use crate::xlsx::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS};
use calamine::{CellErrorType, Data};
use quick_xml::events::{BytesRef, BytesStart, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

type Xml<R> = quick_xml::Reader<R>;

/// An opened workbook; clones share the parsed parts and read the same bytes.
#[derive(Clone)]
pub struct Book<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    shared: Arc<Shared>,
}

struct Shared {
    /// sheet name → the part's name in the archive.
    sheets: HashMap<String, String>,
    strings: Vec<String>,
    /// Per cell style: whether calamine may read a number of it as a date.
    dates: Vec<bool>,
    part: u64,
}

fn xml(r: &[u8]) -> Xml<&[u8]> {
    let mut x = quick_xml::Reader::from_reader(r);
    let c = x.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    x
}

/// The archive's parts by name as calamine matches them (case, backslashes): the first wins.
fn part_names(zip: &zip::ZipArchive<Cursor<&[u8]>>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for name in zip.file_names() {
        out.entry(name.replace('\\', "/").to_ascii_lowercase()).or_insert_with(|| name.to_string());
    }
    out
}

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Option<Vec<u8>> {
    let file = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    file.take(limit + 1).read_to_end(&mut out).ok()?;
    (out.len() as u64 <= limit).then_some(out)
}

fn attr<'e>(e: &'e BytesStart<'_>, key: &[u8]) -> Option<Option<std::borrow::Cow<'e, [u8]>>> {
    for a in e.attributes() {
        let a = a.ok()?;
        if a.key.as_ref() == key {
            return Some(Some(a.value));
        }
    }
    Some(None)
}

fn attr_text(e: &BytesStart<'_>, key: &[u8], d: quick_xml::encoding::Decoder) -> Option<Option<String>> {
    for a in e.attributes() {
        let a = a.ok()?;
        if a.key.as_ref() == key {
            return Some(Some(a.decode_and_unescape_value(d).ok()?.into_owned()));
        }
    }
    Some(None)
}

/// Opens the workbook, or `None` when calamine should read it.
pub fn open(bytes: &[u8], part_limit: u64) -> Option<Book<'_>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let parts = part_names(&zip);
    let part = |p: &str| parts.get(&p.to_ascii_lowercase()).cloned();
    let rels = read_part(&mut zip, &part("xl/_rels/workbook.xml.rels")?, part_limit)?;
    let mut targets = HashMap::new();
    let mut x = xml(&rels[..]);
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) if e.local_name().as_ref() == b"Relationship" => {
                let id = attr(e, b"Id")?;
                let target = attr(e, b"Target")?.map(|v| String::from_utf8_lossy(&v).into_owned());
                if let (Some(id), Some(target)) = (id, target) {
                    targets.insert(id.into_owned(), target);
                }
            }
            Event::Eof => break,
            _ => (),
        }
    }
    let wb = read_part(&mut zip, &part("xl/workbook.xml")?, part_limit)?;
    let mut sheets = HashMap::new();
    let mut x = xml(&wb[..]);
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) if e.local_name().as_ref() == b"sheet" => {
                let name = attr_text(e, b"name", x.decoder())??;
                let id = match attr(e, b"r:id")? {
                    Some(id) => id,
                    None => attr(e, b"relationships:id")??,
                };
                let r = targets.get(&id[..])?;
                let path = if let Some(p) = r.strip_prefix('/').filter(|p| p.starts_with("xl/")) {
                    p.to_string()
                } else if r.starts_with("xl/") {
                    r.clone()
                } else {
                    format!("xl/{r}")
                };
                if path.split('/').nth(1) != Some("worksheets") {
                    return None;
                }
                let found = part(&path)?;
                // calamine finds a sheet by the first of its name.
                sheets.entry(name).or_insert(found);
            }
            Event::Eof => break,
            _ => (),
        }
    }
    let strings = match part("xl/sharedStrings.xml") {
        Some(p) => shared_strings(&read_part(&mut zip, &p, part_limit)?)?,
        None => Vec::new(),
    };
    let dates = match part("xl/styles.xml") {
        Some(p) => styles(&read_part(&mut zip, &p, part_limit)?)?,
        None => Vec::new(),
    };
    Some(Book { zip, shared: Arc::new(Shared { sheets, strings, dates, part: part_limit }) })
}

fn shared_strings(bytes: &[u8]) -> Option<Vec<String>> {
    let mut x = xml(bytes);
    let mut out = Vec::new();
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) if e.local_name().as_ref() == b"si" => {
                if let Some(s) = string(&mut x, b"si")? {
                    out.push(s);
                }
            }
            Event::End(ref e) if e.local_name().as_ref() == b"sst" => return Some(out),
            Event::Eof => return None,
            _ => (),
        }
    }
}

/// Whether calamine reads a number of this custom format as a date or a duration: its
/// `detect_custom_number_format` (calamine 0.31, MIT, © Johann Tuffe), not public there.
fn date_format(format: &str) -> bool {
    if format.matches('[').count() > 200 {
        return true; // calamine's bracket counter would overflow: left to it
    }
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return false,
            ('[', ..) => brackets = brackets.saturating_add(1),
            (']', .., 1) if hms => return true,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return true,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => return true,
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    false
}

fn styles(bytes: &[u8]) -> Option<Vec<bool>> {
    let mut x = xml(bytes);
    let mut custom: HashMap<Vec<u8>, String> = HashMap::new();
    let mut out = Vec::new();
    let mut in_xfs = false;
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) if e.local_name().as_ref() == b"numFmt" => {
                let id = attr(e, b"numFmtId")?.unwrap_or_default().into_owned();
                let code =
                    attr(e, b"formatCode")?.map(|v| String::from_utf8_lossy(&v).into_owned()).unwrap_or_default();
                if !code.is_empty() {
                    custom.insert(id, code);
                }
            }
            Event::Start(ref e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = true,
            Event::End(ref e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            Event::Start(ref e) if in_xfs && e.local_name().as_ref() == b"xf" => {
                let date = match attr(e, b"numFmtId")? {
                    None => false,
                    Some(id) => match custom.get(&id[..]) {
                        Some(code) => date_format(code),
                        None => matches!(
                            &id[..],
                            b"14"
                                | b"15"
                                | b"16"
                                | b"17"
                                | b"18"
                                | b"19"
                                | b"20"
                                | b"21"
                                | b"22"
                                | b"45"
                                | b"46"
                                | b"47"
                        ),
                    },
                };
                out.push(date);
            }
            Event::Eof => return Some(out),
            _ => (),
        }
    }
}

/// calamine's `unescape_xml` (`_x00HH_`) is not reproduced: such text is calamine's.
fn text_ok(s: &str) -> Option<()> {
    (!s.contains("_x00")).then_some(())
}

fn entity(e: &BytesRef<'_>, out: &mut String) -> Option<()> {
    let name = e.decode().ok()?;
    let s = match &*name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => {
            out.push(e.resolve_char_ref().ok()??);
            return Some(());
        }
    };
    out.push_str(s);
    Some(())
}

/// The text up to the end of an element named `end` (a `<v>` or a `<t>`).
fn element_text(x: &mut Xml<&[u8]>, end: &[u8]) -> Option<String> {
    let mut out = String::new();
    element_text_into(x, end, &mut out)?;
    Some(out)
}

fn element_text_into(x: &mut Xml<&[u8]>, end: &[u8], out: &mut String) -> Option<()> {
    loop {
        match x.read_event().ok()? {
            Event::Text(t) => {
                let t = t.xml10_content().ok()?;
                text_ok(&t)?;
                out.push_str(&t);
            }
            Event::GeneralRef(e) => entity(&e, out)?,
            Event::End(e) if e.name().as_ref() == end => return Some(()),
            Event::Eof => return None,
            _ => (),
        }
    }
}

/// calamine's `read_string`: a `<t>`, or the `<t>` of every rich-text run; phonetic runs
/// skipped. `Some(None)`: no text.
fn string(x: &mut Xml<&[u8]>, closing: &[u8]) -> Option<Option<String>> {
    let mut rich: Option<String> = None;
    let mut phonetic = false;
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) if e.local_name().as_ref() == b"r" => {
                rich.get_or_insert_with(String::new);
            }
            Event::Start(ref e) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Event::End(ref e) if e.name().as_ref() == closing => return Some(rich),
            Event::End(ref e) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Event::Start(ref e) if e.local_name().as_ref() == b"t" && !phonetic => {
                let name = e.name().into_inner();
                let value = element_text(x, name)?;
                match rich {
                    Some(ref mut s) => s.push_str(&value),
                    None => {
                        x.read_to_end(quick_xml::name::QName(closing)).ok()?;
                        return Some(Some(value));
                    }
                }
            }
            Event::Eof => return None,
            _ => (),
        }
    }
}

/// `A1` → (0, 0); strictly letters then digits, row ≥ 1.
fn position(r: &[u8]) -> Option<(u32, u32)> {
    let split = r.iter().position(|b| b.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let col = letters.iter().fold(0u32, |c, b| c * 26 + (b - b'A' + 1) as u32) - 1;
    Some((row_number(digits)?, col))
}

fn row_number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse::<u32>().ok()?.checked_sub(1)
}

impl Book<'_> {
    /// A sheet's non-empty cells `(row, column, value)`, 0-based, in the order stored, for
    /// the columns `keep` accepts, as [`crate::xlsx::cells`] gives them; `None`: read this
    /// workbook with calamine.
    pub fn cells(&mut self, sheet: &str, keep: impl Fn(u32) -> bool) -> Option<Vec<(u32, u32, Data)>> {
        let shared = Arc::clone(&self.shared);
        let path = shared.sheets.get(sheet)?;
        let part = read_part(&mut self.zip, path, shared.part)?;
        let mut x = xml(&part);
        loop {
            match x.read_event().ok()? {
                Event::Start(ref e) if e.local_name().as_ref() == b"sheetData" => break,
                Event::Start(ref e) if e.local_name().as_ref() == b"dimension" => {
                    let r = attr(e, b"ref")??;
                    let mut ends = r.split(|b| *b == b':');
                    if !ends.all(|p| position(p).is_some()) || r.iter().filter(|b| **b == b':').count() > 1 {
                        return None;
                    }
                }
                Event::Eof => return None,
                _ => (),
            }
        }
        let (mut row, mut col) = (0u32, 0u32);
        let mut out = Vec::new();
        let mut seen = 0usize;
        let mut text = String::new();
        loop {
            match x.read_event().ok()? {
                Event::Start(ref e) if e.local_name().as_ref() == b"row" => {
                    if let Some(r) = attr(e, b"r")? {
                        row = row_number(&r)?;
                    }
                }
                Event::End(ref e) if e.local_name().as_ref() == b"row" => {
                    row = row.checked_add(1)?;
                    col = 0;
                }
                Event::Start(ref e) if e.local_name().as_ref() == b"c" => {
                    let a = CellAttrs::of(e)?;
                    let (r, c) = a.position.unwrap_or((row, col));
                    col = c;
                    let kept = keep(c);
                    let value = value(&shared, &mut x, &a, kept, &mut text)?;
                    col = col.checked_add(1)?;
                    if matches!(value, Data::Empty) {
                        continue;
                    }
                    seen += 1;
                    if r >= MAX_ROWS || c >= MAX_COLUMNS || seen > MAX_CELLS {
                        return None;
                    }
                    if kept {
                        out.push((r, c, value));
                    }
                }
                Event::End(ref e) if e.local_name().as_ref() == b"sheetData" => return Some(out),
                Event::Eof => return None,
                _ => (),
            }
        }
    }
}

/// A `<c>`'s position, style and type, in one pass over its attributes.
struct CellAttrs {
    position: Option<(u32, u32)>,
    /// `Some(None)`: a style calamine cannot read (it takes style 0).
    style: Option<Option<usize>>,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Untyped,
    Shared,
    Bool,
    Error,
    Str,
    Number,
    Date,
    /// `inlineStr` or unknown: calamine refuses a `<v>` of it.
    Other,
}

impl CellAttrs {
    fn of(e: &BytesStart<'_>) -> Option<CellAttrs> {
        let mut out = CellAttrs { position: None, style: None, kind: Kind::Untyped };
        for a in e.attributes() {
            let a = a.ok()?;
            match a.key.as_ref() {
                b"r" => out.position = Some(position(&a.value)?),
                b"s" => out.style = Some(std::str::from_utf8(&a.value).ok().and_then(|s| s.parse::<usize>().ok())),
                b"t" => {
                    out.kind = match &a.value[..] {
                        b"s" => Kind::Shared,
                        b"b" => Kind::Bool,
                        b"e" => Kind::Error,
                        b"str" => Kind::Str,
                        b"n" => Kind::Number,
                        b"d" => Kind::Date,
                        _ => Kind::Other,
                    }
                }
                _ => (),
            }
        }
        Some(out)
    }
}

/// A `<c>`'s value, its end consumed; a shared string only copied when `kept`.
fn value(shared: &Shared, x: &mut Xml<&[u8]>, a: &CellAttrs, kept: bool, text: &mut String) -> Option<Data> {
    let mut value = Data::Empty;
    loop {
        match x.read_event().ok()? {
            Event::Start(ref e) => {
                let name = e.name().into_inner();
                value = match e.local_name().as_ref() {
                    b"is" => string(x, name)?.map_or(Data::Empty, Data::String),
                    b"v" => {
                        text.clear();
                        element_text_into(x, name, text)?;
                        typed(shared, text, a, kept)?
                    }
                    b"f" => {
                        x.read_to_end(quick_xml::name::QName(name)).ok()?;
                        Data::Empty
                    }
                    _ => return None,
                };
            }
            Event::End(ref e) if e.local_name().as_ref() == b"c" => return Some(value),
            Event::Eof => return None,
            _ => (),
        }
    }
}

/// calamine's `read_v`, without dates (`None`).
fn typed(shared: &Shared, v: &str, a: &CellAttrs, kept: bool) -> Option<Data> {
    let date = match a.style {
        // calamine reads an unreadable style as 0.
        Some(id) => shared.dates.get(id.unwrap_or(0)).copied().unwrap_or(false) || id.is_none(),
        None => false,
    };
    let number = |v: &str| -> Option<Data> {
        let n: f64 = v.parse().ok()?;
        (!date).then_some(Data::Float(n))
    };
    Some(match a.kind {
        Kind::Shared => {
            let s = shared.strings.get(v.parse::<usize>().ok()?)?;
            // Not kept: counted as a non-empty cell, never copied.
            Data::String(if kept { s.clone() } else { String::new() })
        }
        Kind::Bool => Data::Bool(v != "0"),
        Kind::Error => Data::Error(v.parse::<CellErrorType>().ok()?),
        Kind::Str => Data::String(v.to_string()),
        Kind::Number if v.is_empty() => Data::Empty,
        Kind::Number => number(v)?,
        Kind::Untyped => match v.parse::<f64>() {
            Ok(_) => number(v)?,
            Err(_) => Data::String(v.to_string()),
        },
        Kind::Date | Kind::Other => return None,
    })
}
