//! Data-entry templates: an XLSX generated from a framework, one sheet per unit, that
//! agencies fill in offline and upload again.
//!
//! Each unit sheet has one row per field the unit reports (a ratio criterion has two:
//! numerator and denominator): code, name, what to report, unit of measure, max points,
//! the rule in words, the input cell (column G, the only unlocked cells) and, in the
//! hidden column H, the field's id. H1 holds the stamp: framework id and version,
//! period, unit, and a check over them, so a template of another unit, period or
//! framework version is refused, as is a sheet whose stamp was edited.
//!
//! Reading a filled template validates the same table the CSV import reads (one row per
//! unit, one column per field) with [`crate::import::import`], so the web form, CSV files
//! and templates validate identically; every problem is reported at once with the sheet
//! and cell where it was typed. The table is not made: each sheet's inputs are kept in one
//! buffer by field position and read through [`Cells`]; [`read_figures`] (the platform's
//! upload) keeps only the units with figures and their inputs.

use crate::error::{DataError, ErrorKind, Location};
use crate::import::{self, ImportedRow};
use crate::table::Cells;
use crate::xlsx_write::{Column, Error, Print, Setup, Style, StyleId, VAlign, Validation, ValidationRule, Workbook};
use chiso_domain::framework::{Framework, NotApplicable, Rule};
use chiso_domain::unit::{Registry, Unit, UnitId};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{Seek, Write};

/// The instructions sheet (first in the workbook, never read back).
pub const INSTRUCTIONS: &str = "Hướng dẫn";
const STAMP_PREFIX: &str = "chiso-template/1";
/// 0-based: the header row, the first field row, the input and field columns.
const HEADER_ROW: u32 = 3;
const FIRST_ROW: u32 = 4;
const INPUT_COL: u16 = 6;
const FIELD_COL: u16 = 7;
const INPUT_LETTER: &str = "G";

/// One input of a template: the import's column name and the leaf it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub criterion: usize,
    /// `None`, `Some("numerator")` or `Some("denominator")`.
    pub part: Option<&'static str>,
}

/// The fields a unit reports, in the framework's order.
pub fn fields(fw: &Framework) -> Vec<Field> {
    let mut out = Vec::new();
    for (i, c) in fw.leaves() {
        if matches!(c.rule, Some(Rule::Ratio | Rule::RelativeToBest)) {
            for part in ["numerator", "denominator"] {
                out.push(Field { name: format!("{}.{part}", c.id), criterion: i, part: Some(part) });
            }
        } else {
            out.push(Field { name: c.id.0.clone(), criterion: i, part: None });
        }
    }
    out
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The framework's version as far as a template is concerned: everything that decides
/// what is typed where (criteria, maxima, rules, not-applicable policies).
pub fn fingerprint(fw: &Framework) -> String {
    let mut s = format!("{}|{}|", fw.id, fw.max.normalize());
    for c in &fw.criteria {
        s += &format!("{}|{}|{:?}|{:?}|{:?};", c.id, c.max.normalize(), c.parent, c.rule, c.not_applicable);
    }
    format!("{:016x}", fnv(&s))
}

/// What a template sheet was made for.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub framework: String,
    pub version: String,
    pub year: i32,
    pub kind: String,
    pub unit: String,
}

impl Stamp {
    fn body(&self) -> String {
        format!("{STAMP_PREFIX};{};{};{};{};{}", self.framework, self.version, self.year, self.kind, self.unit)
    }

    pub fn text(&self) -> String {
        let body = self.body();
        format!("{body};{:08x}", fnv(&body) as u32)
    }

    /// `None` unless the text is a stamp whose check matches.
    pub fn parse(text: &str) -> Option<Stamp> {
        let (body, check) = text.trim().rsplit_once(';')?;
        if format!("{:08x}", fnv(body) as u32) != check {
            return None;
        }
        let p: Vec<&str> = body.split(';').collect();
        let [prefix, framework, version, year, kind, unit] = p.as_slice() else { return None };
        if *prefix != STAMP_PREFIX {
            return None;
        }
        Some(Stamp {
            framework: framework.to_string(),
            version: version.to_string(),
            year: year.parse().ok()?,
            kind: kind.to_string(),
            unit: unit.to_string(),
        })
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique.
fn sheet_name(name: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = name.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect();
    let clean = clean.trim_matches('\'').trim().to_string();
    let base: String = clean.chars().take(31).collect();
    let mut candidate = if base.is_empty() { "Đơn vị".to_string() } else { base.clone() };
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) || candidate == INSTRUCTIONS {
        let suffix = format!(" ({n})");
        candidate = base.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
        n += 1;
    }
    candidate
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

fn na_words(na: NotApplicable) -> &'static str {
    match na {
        NotApplicable::Forbidden => "",
        NotApplicable::FullPoints => " Không áp dụng (N/A): được điểm tối đa.",
        NotApplicable::Excluded => " Không áp dụng (N/A): tiêu chí không tính vào điểm tối đa của đơn vị.",
        NotApplicable::Zero => " Không áp dụng (N/A): 0 điểm.",
    }
}

/// (what to report, unit of measure, the rule in words) for one field.
fn describe(fw: &Framework, f: &Field) -> (String, &'static str, String) {
    let c = fw.criterion(f.criterion);
    let max = dec(c.max);
    let (what, measure, rule) = match c.rule.as_ref().expect("leaf") {
        Rule::Direct => {
            (format!("Điểm tự chấm, từ 0 đến {max}"), "điểm", format!("Điểm do đơn vị tự chấm, tối đa {max}."))
        }
        Rule::YesNo => ("Có hoặc Không".into(), "có/không", format!("Có: {max} điểm; Không: 0 điểm.")),
        Rule::Ratio | Rule::RelativeToBest => {
            let what = if f.part == Some("numerator") {
                "Tử số: số lượng đạt yêu cầu".to_string()
            } else {
                "Mẫu số: tổng số (mẫu số 0: không áp dụng)".to_string()
            };
            let rule = if matches!(c.rule, Some(Rule::Ratio)) {
                format!("Tử số ÷ mẫu số × {max}.")
            } else {
                format!("(Tỷ lệ của đơn vị ÷ tỷ lệ cao nhất các đơn vị) × {max}.")
            };
            (what, "số lượng", rule)
        }
        Rule::Steps { steps } => {
            let s: Vec<String> =
                steps.iter().map(|s| format!("từ {} được {} điểm", dec(s.min), dec(s.points))).collect();
            ("Số liệu (không âm)".into(), "số liệu", format!("{}.", s.join("; ")))
        }
        Rule::Count { per_item } => (
            "Số lượng (số nguyên)".into(),
            "số lượng",
            format!("{} điểm cho mỗi đơn vị, tối đa {max}.", dec(*per_item)),
        ),
        Rule::Scale { answers } => {
            let labels: Vec<&str> = answers.iter().map(|a| a.label.as_str()).collect();
            let s: Vec<String> = answers.iter().map(|a| format!("{}: {} %", a.label, dec(a.percent))).collect();
            (
                format!("Một trong các phương án {}", labels.join(", ")),
                "phương án",
                format!("{} của {max} điểm.", s.join("; ")),
            )
        }
        Rule::Indicator => {
            ("Giá trị chỉ số".into(), "giá trị", "Chuẩn hóa giữa các đơn vị của kỳ đánh giá.".to_string())
        }
    };
    (what, measure, format!("{rule}{}", na_words(c.not_applicable)))
}

fn validation(fw: &Framework, f: &Field, row: u32) -> Validation {
    let c = fw.criterion(f.criterion);
    let cell = format!("{INPUT_LETTER}{}", row + 1);
    let na = c.not_applicable != NotApplicable::Forbidden;
    let max = c.max.normalize().to_string();
    let number = |cond: String| ValidationRule::Custom(if na { format!("OR({cond},{cell}=\"N/A\")") } else { cond });
    let list = |labels: Vec<String>| {
        let mut l = labels;
        if na {
            l.push("N/A".into());
        }
        ValidationRule::List(l)
    };
    let (rule, message) = match c.rule.as_ref().expect("leaf") {
        Rule::Direct => (
            number(format!("AND(ISNUMBER({cell}),{cell}>=0,{cell}<={max})")),
            format!("Nhập số điểm từ 0 đến {}.", dec(c.max)),
        ),
        Rule::YesNo => (list(vec!["Có".into(), "Không".into()]), "Chọn Có hoặc Không.".into()),
        Rule::Scale { answers } => {
            (list(answers.iter().map(|a| a.label.clone()).collect()), "Chọn một phương án trong danh sách.".into())
        }
        Rule::Count { .. } => {
            (number(format!("AND(ISNUMBER({cell}),{cell}>=0,{cell}=INT({cell}))")), "Nhập số nguyên không âm.".into())
        }
        Rule::Indicator => (number(format!("ISNUMBER({cell})")), "Nhập một số.".into()),
        Rule::Ratio | Rule::RelativeToBest | Rule::Steps { .. } => {
            (number(format!("AND(ISNUMBER({cell}),{cell}>=0)")), "Nhập một số không âm.".into())
        }
    };
    let error = if na { format!("{message} Nhập N/A nếu không áp dụng.") } else { message };
    Validation {
        first_row: row,
        last_row: row,
        col: INPUT_COL,
        rule,
        error_title: "Giá trị không hợp lệ".into(),
        error,
    }
}

/// Every field's validation, consecutive fields whose rule reads the same from the first
/// one's row as one range (the same check on every cell; a national sheet's XML halves).
fn validations(fw: &Framework, fields: &[Field]) -> Vec<Validation> {
    let mut out: Vec<Validation> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let row = FIRST_ROW + i as u32;
        if let Some(last) = out.last_mut()
            && last.last_row + 1 == row
            && validation(fw, f, last.first_row) == (Validation { last_row: last.first_row, ..last.clone() })
        {
            last.last_row = row;
            continue;
        }
        out.push(validation(fw, f, row));
    }
    out
}

/// The template for some units of a period (one sheet each, in the order given).
pub fn write(fw: &Framework, year: i32, units: &[&Unit]) -> Result<Vec<u8>, Error> {
    write_filled(fw, year, units, &|_, _| None)
}

/// The template with input cells already filled: `value(unit, field)` as typed (e.g. a
/// draft's answers). A number written with a dot goes in as a number, anything else as text.
pub fn write_filled(
    fw: &Framework,
    year: i32,
    units: &[&Unit],
    value: &dyn Fn(&UnitId, &str) -> Option<String>,
) -> Result<Vec<u8>, Error> {
    Ok(write_filled_to(std::io::Cursor::new(Vec::new()), fw, year, units, value)?.into_inner())
}

/// [`write_filled`] into a file (or any sink): each sheet goes into the archive as it is
/// made, so an all-units template takes the memory of one sheet and its shared strings.
pub fn write_filled_to<W: Write + Seek>(
    sink: W,
    fw: &Framework,
    year: i32,
    units: &[&Unit],
    value: &dyn Fn(&UnitId, &str) -> Option<String>,
) -> Result<W, Error> {
    let mut wb = Workbook::new(sink, &format!("Phiếu nhập số liệu năm {year}"));
    let plain = StyleId::default();
    let title = wb.style(Style { bold: true, size: 13, ..Style::default() });
    let line = wb.style(Style { wrap: true, ..Style::default() });
    let bold = wb.style(Style { bold: true, ..Style::default() });
    let wrap_style = Style { wrap: true, valign: Some(VAlign::Top), border: true, ..Style::default() };
    let head = wb.style(Style { bold: true, fill: Some(0xD9E1F2), ..wrap_style.clone() });
    let wrap = wb.style(wrap_style);
    let input = wb.style(Style { unlocked: true, border: true, fill: Some(0xFFF2CC), ..Style::default() });
    let version = fingerprint(fw);

    let help = Setup {
        name: INSTRUCTIONS.into(),
        columns: vec![Column::new(0, 120.0)],
        freeze: None,
        print: Print { landscape: true, paper: None, fit_width: true, repeat_rows: None },
        protect: true,
    };
    let mut ws = wb.sheet(&help)?;
    let lines = [
        format!("HƯỚNG DẪN NHẬP SỐ LIỆU NĂM {year}"),
        format!("Bộ tiêu chí: {}", fw.name),
        fw.legal_basis.clone(),
        String::new(),
        "1. Mỗi trang tính là một đơn vị; mỗi dòng là một tiêu chí (tiêu chí tính theo tỷ lệ có hai dòng: tử số và mẫu số).".into(),
        "2. Chỉ nhập vào cột G “Số liệu nhập” (ô màu vàng); các ô khác được khóa. Không thêm, xóa hay đổi thứ tự dòng.".into(),
        "3. Số thập phân dùng dấu phẩy hoặc dấu chấm (45,2 hoặc 45.2), nhập dạng số hay dạng chữ đều được.".into(),
        "4. Tiêu chí có/không: chọn “Có” hoặc “Không”. Tiêu chí có phương án: chọn một phương án trong danh sách.".into(),
        "5. “N/A” (không áp dụng) chỉ nhập được ở các tiêu chí cho phép; cột “Cách tính điểm” ghi rõ.".into(),
        "6. Nếu đơn vị không có số liệu, để trống toàn bộ cột G; nếu đã nhập thì phải nhập đủ mọi dòng.".into(),
        "7. Tải tệp lên trang của người báo cáo (hoặc quản trị) hay dùng lệnh `chiso import`. Số liệu được kiểm tra".into(),
        "   toàn bộ; chỉ khi không có lỗi nào mới được lưu, dưới dạng bản nháp, để đơn vị rà soát và gửi đi.".into(),
        "8. Không sửa tên đơn vị, năm hay mẫu phiếu: tệp của đơn vị khác, năm khác hoặc bộ tiêu chí khác sẽ bị từ chối.".into(),
    ];
    for (r, l) in lines.iter().enumerate() {
        let style = if r == 0 { title } else { line };
        if l.is_empty() {
            ws.blank(r as u32, 0, style)?;
        } else {
            ws.string(r as u32, 0, l, style)?;
        }
    }
    ws.finish()?;

    let fields = fields(fw);
    // What every unit's sheet says of each field, worked out once.
    let described: Vec<_> = fields
        .iter()
        .map(|f| {
            let c = fw.criterion(f.criterion);
            let (what, measure, rule) = describe(fw, f);
            let code = match f.part {
                Some("numerator") => format!("{} (tử số)", c.id),
                Some(_) => format!("{} (mẫu số)", c.id),
                None => c.id.0.clone(),
            };
            // Wrapped text does not grow rows by itself in every spreadsheet: size them.
            let lines = [(&c.name, 40), (&what, 34), (&rule, 40), (&code, 16)]
                .iter()
                .map(|(t, w)| t.chars().count().div_ceil(w - 4).max(1))
                .max()
                .unwrap_or(1);
            (code, what, measure, rule, lines, decimal_f64(c.max))
        })
        .collect();
    let mut columns: Vec<Column> = [(0, 16.0), (1, 40.0), (2, 34.0), (3, 11.0), (4, 9.0), (5, 40.0), (6, 16.0)]
        .map(|(c, w)| Column::new(c, w))
        .into();
    columns.push(Column::hidden(FIELD_COL));
    let checks = validations(fw, &fields);
    let mut taken = HashSet::from([INSTRUCTIONS.to_lowercase()]);
    for u in units {
        let setup = Setup {
            name: sheet_name(&u.name, &mut taken),
            columns: columns.clone(),
            freeze: Some((FIRST_ROW, 0)),
            print: Print { landscape: true, paper: None, fit_width: true, repeat_rows: Some((HEADER_ROW, HEADER_ROW)) },
            protect: true,
        };
        let mut ws = wb.sheet(&setup)?;
        ws.string(0, 0, &format!("PHIẾU NHẬP SỐ LIỆU NĂM {year}: {}", u.name), title)?;
        let stamp = Stamp {
            framework: fw.id.clone(),
            version: version.clone(),
            year,
            kind: fw.unit_kind.clone(),
            unit: u.id.0.clone(),
        };
        ws.string(0, FIELD_COL, &stamp.text(), plain)?;
        ws.string(1, 0, &format!("Bộ tiêu chí: {}", fw.name), plain)?;
        ws.string(2, 0, "Nhập số liệu vào các ô màu vàng ở cột G.", bold)?;
        ws.row_height(HEADER_ROW, 30.0)?;
        for (col, h) in
            ["Mã", "Tiêu chí", "Nội dung báo cáo", "Đơn vị tính", "Điểm tối đa", "Cách tính điểm", "Số liệu nhập"]
                .iter()
                .enumerate()
        {
            ws.string(HEADER_ROW, col as u16, h, head)?;
        }
        ws.string(HEADER_ROW, FIELD_COL, "field", plain)?;
        for (i, (f, (code, what, measure, rule, lines, max))) in fields.iter().zip(&described).enumerate() {
            let row = FIRST_ROW + i as u32;
            let c = fw.criterion(f.criterion);
            ws.row_height(row, 15.0 * *lines as f64)?;
            ws.string(row, 0, code, wrap)?;
            ws.string(row, 1, &c.name, wrap)?;
            ws.string(row, 2, what, wrap)?;
            ws.string(row, 3, measure, wrap)?;
            ws.number(row, 4, *max, wrap)?;
            ws.string(row, 5, rule, wrap)?;
            match value(&u.id, &f.name).filter(|v| !v.trim().is_empty()) {
                None => ws.blank(row, INPUT_COL, input)?,
                Some(v) => match v.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() && !v.contains(['e', 'E']) => ws.number(row, INPUT_COL, n, input)?,
                    _ => ws.string(row, INPUT_COL, v.trim(), input)?,
                },
            }
            ws.string(row, FIELD_COL, &f.name, plain)?;
        }
        for v in &checks {
            ws.validate(v)?;
        }
        ws.finish()?;
    }
    wb.finish()
}

fn decimal_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// Whether the bytes are an XLSX with at least one stamped template sheet.
pub fn is_template(bytes: &[u8]) -> bool {
    // An all-units template holds a part per unit: the limits of a template of as many sheets
    // as the archive has parts, each of up to `FIELDS_AT_MOST` fields (a national one passes).
    const FIELDS_AT_MOST: usize = 256;
    let parts = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_or(0, |z| z.len());
    let Ok(mut book) = crate::xlsx::open_within(bytes, limits(parts, FIELDS_AT_MOST)) else { return false };
    use calamine::Reader;
    let names = book.sheet_names();
    names.iter().any(|n| {
        crate::xlsx::cells(&mut book, n, |c| c == FIELD_COL as u32)
            .is_ok_and(|cells| cells.iter().any(|(r, _, v)| *r == 0 && Stamp::parse(&v.to_string()).is_some()))
    })
}

/// What a filled template of `sheets` unit sheets of `fields` rows may hold: one part per
/// sheet beside the workbook's own few, and about twice what this module writes once
/// inflated (a sheet of 120 fields is about 70 KB of XML). A national template (4,500
/// units, 120 fields: 4,510 parts, 310 MB inflated) passes; a zip bomb or a workbook of
/// other sheets is refused before it is read; never less than any workbook's limits.
pub fn limits(sheets: usize, fields: usize) -> crate::xlsx::Limits {
    let sheet = 32 * 1024 + fields as u64 * 1024;
    let own = crate::xlsx::Limits::ANY;
    crate::xlsx::Limits {
        parts: own.parts.max(sheets + 16),
        part: own.part,
        total: own.total.max(sheets as u64 * sheet + 4 * 1024 * 1024),
    }
}

/// A filled template, read and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Filled {
    /// One row per unit sheet (`submission: None` when the sheet was left empty).
    pub rows: Vec<ImportedRow>,
    /// The same, as typed: per unit, `(field, text)` for every field, in template order.
    pub cells: Vec<(UnitId, Vec<(String, String)>)>,
    /// The figures as the import's table (header: `unit`, then the fields).
    pub table: Vec<Vec<String>>,
}

/// A unit sheet as read: each field's row and input (trimmed) by the field's position in
/// [`fields`], the inputs one after another in one buffer (a national template's 540,000
/// inputs are a few megabytes, not a map of strings per sheet).
#[derive(Debug, Clone, PartialEq)]
struct Sheet {
    unit: UnitId,
    name: String,
    /// Per field, its 0-based row in the sheet.
    rows: Vec<u32>,
    text: String,
    /// Per field, where its input ends in `text`.
    ends: Vec<u32>,
}

impl Sheet {
    fn value(&self, field: usize) -> &str {
        let start = if field == 0 { 0 } else { self.ends[field - 1] as usize };
        &self.text[start..self.ends[field] as usize]
    }
}

/// The units of a filled template that hold figures, in sheet order, each with its inputs
/// as typed (trimmed), one per field in template order: what the platform saves, without
/// the template's submissions or table.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The fields' names ([`fields`]), the order of every unit's inputs.
    pub fields: Vec<String>,
    units: Vec<Sheet>,
}

impl Figures {
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn unit(&self, i: usize) -> &UnitId {
        &self.units[i].unit
    }

    /// Unit `i`'s `(field, input)` for every field, in template order.
    pub fn inputs(&self, i: usize) -> impl Iterator<Item = (&str, &str)> {
        let s = &self.units[i];
        self.fields.iter().enumerate().map(move |(f, name)| (name.as_str(), s.value(f)))
    }
}

/// The sheets read as the import's table (header `unit` then the fields; one row per
/// sheet: the unit's id, then its inputs), without making that table.
struct Sheets<'a> {
    file: &'a str,
    header: Vec<String>,
    sheets: Vec<Sheet>,
}

impl Sheets<'_> {
    fn cell_of(&self, r: usize, c: usize) -> Option<&str> {
        if r == 0 {
            return self.header.get(c).map(String::as_str);
        }
        let s = self.sheets.get(r - 1)?;
        match c {
            0 => Some(s.unit.0.as_str()),
            c if c < self.header.len() => Some(s.value(c - 1)),
            _ => None,
        }
    }

    /// Back from the table's errors to the sheet and cell where each was typed.
    fn locate(&self, errors: Vec<DataError>) -> Vec<DataError> {
        let index: HashMap<&str, usize> =
            self.header.iter().skip(1).enumerate().map(|(i, f)| (f.as_str(), i)).collect();
        errors
            .into_iter()
            .map(|mut e| {
                let sheet = e.location.line.and_then(|l| l.checked_sub(2)).and_then(|i| self.sheets.get(i));
                let field = e
                    .location
                    .column
                    .as_deref()
                    .and_then(|c| c.split_once(" ("))
                    .map(|(_, h)| h.trim_end_matches(')').to_string());
                if let Some(s) = sheet {
                    e.location.sheet = Some(s.name.clone());
                    match field.as_deref().and_then(|f| index.get(f).map(|&i| (f, s.rows[i]))) {
                        Some((f, r)) => {
                            e.location.line = Some(r as usize + 1);
                            e.location.column = Some(format!("{INPUT_LETTER} ({f})"));
                        }
                        None => {
                            e.location.line = None;
                            e.location.column = None;
                        }
                    }
                }
                e
            })
            .collect()
    }
}

impl Cells for Sheets<'_> {
    fn height(&self) -> usize {
        self.sheets.len() + 1
    }
    fn row(&self, r: usize) -> impl Iterator<Item = &str> {
        let width = if r < self.height() { self.header.len() } else { 0 };
        (0..width).map(move |c| self.cell_of(r, c).unwrap_or(""))
    }
    fn cell(&self, r: usize, c: usize) -> &str {
        self.cell_of(r, c).unwrap_or("")
    }
    fn at(&self, r: usize, c: usize) -> Location {
        // As `Table::at` of the same table.
        let header = self.header.get(c).map(String::as_str).unwrap_or("");
        Location {
            file: self.file.to_string(),
            sheet: None,
            line: Some(r + 1),
            column: Some(format!("{} ({})", crate::table::column_letter(c), header.trim())),
            value: self.cell_of(r, c).map(str::to_string),
        }
    }
}

/// Reads a filled template for a period. `only_unit`: the one unit the uploader may
/// report for. Returns every problem at once, located in the sheet and cell.
pub fn read(
    file: &str,
    bytes: &[u8],
    fw: &Framework,
    registry: &Registry,
    year: i32,
    only_unit: Option<&UnitId>,
) -> Result<Filled, Vec<DataError>> {
    let sheets = read_sheets_checked(file, bytes, fw, registry, year, only_unit)?;
    let rows = import::import(&sheets, fw, registry, year).map_err(|errs| sheets.locate(errs))?;
    let fields = &sheets.header[1..];
    let mut table = vec![sheets.header.clone()];
    let mut cells = Vec::with_capacity(sheets.sheets.len());
    for s in &sheets.sheets {
        let typed: Vec<(String, String)> =
            fields.iter().enumerate().map(|(i, f)| (f.clone(), s.value(i).to_string())).collect();
        let mut row = vec![s.unit.0.clone()];
        row.extend(typed.iter().map(|(_, t)| t.clone()));
        table.push(row);
        cells.push((s.unit.clone(), typed));
    }
    Ok(Filled { rows, cells, table })
}

/// As [`read`] (the same checks, the same errors), keeping only what is saved: the units
/// with figures and their inputs.
pub fn read_figures(
    file: &str,
    bytes: &[u8],
    fw: &Framework,
    registry: &Registry,
    year: i32,
    only_unit: Option<&UnitId>,
) -> Result<Figures, Vec<DataError>> {
    let sheets = read_sheets_checked(file, bytes, fw, registry, year, only_unit)?;
    let rows = import::import_map(&sheets, fw, registry, year, drop).map_err(|errs| sheets.locate(errs))?;
    // One row per sheet, in order (no sheet is empty of its unit's id).
    debug_assert_eq!(rows.len(), sheets.sheets.len());
    let mut with_data = rows.iter().map(|r| r.submission.is_some());
    let Sheets { mut header, sheets, .. } = sheets;
    let mut units: Vec<Sheet> = sheets.into_iter().filter(|_| with_data.next().unwrap_or(false)).collect();
    for s in &mut units {
        s.rows = Vec::new();
    }
    header.remove(0);
    Ok(Figures { fields: header, units })
}

/// Every unit sheet read and checked (stamp, unit, rows), not yet validated as figures.
fn read_sheets_checked<'a>(
    file: &'a str,
    bytes: &[u8],
    fw: &Framework,
    registry: &Registry,
    year: i32,
    only_unit: Option<&UnitId>,
) -> Result<Sheets<'a>, Vec<DataError>> {
    use calamine::Reader;
    let here = || Location::file(file);
    let fields = fields(fw);
    let by_name: HashMap<&str, usize> = fields.iter().enumerate().map(|(i, f)| (f.name.as_str(), i)).collect();
    let sheets = match only_unit {
        Some(_) => 1,
        None => registry.of_kind(&fw.unit_kind, year).count(),
    };
    let within = limits(sheets, fields.len());
    let mut book = crate::xlsx::open_within(bytes, within).map_err(|k| vec![DataError::new(here(), k)])?;
    let version = fingerprint(fw);
    let mut errors = Vec::new();
    let mut sheets: Vec<Sheet> = Vec::new();
    // Each unit's sheet (its index in `sheets`).
    let mut seen: HashMap<UnitId, usize> = HashMap::new();
    let names: Vec<String> = book.sheet_names().into_iter().filter(|n| n != INSTRUCTIONS).collect();
    // Only the field and input columns are kept; every cell counts against the limits.
    let keep = |c: u32| c == FIELD_COL as u32 || c == INPUT_COL as u32;
    let two = names.len() >= 2 * BATCH && cores() > 1;
    // The sheets are read by `xlsx_read` (one lookup per sheet); a workbook it does not
    // take as a whole (a date, a damaged part, a limit passed) is read again by calamine,
    // whose values and errors stay the reference.
    let mut fast = crate::xlsx_read::open(bytes, within.part).map(|b| {
        let other = two.then(|| b.clone());
        (b, other)
    });
    // A sheet's rows and inputs by field, reused from sheet to sheet.
    let mut found_fields: Vec<Option<(u32, Option<usize>)>> = vec![None; fields.len()];
    'read: loop {
        errors.clear();
        sheets.clear();
        seen.clear();
        // A second reader of the same (checked) bytes reads half of each batch of sheets.
        let mut other = if fast.is_none() && two { crate::xlsx::reopen(bytes).ok() } else { None };
        for batch in names.chunks(BATCH * 2) {
            let read = match fast.as_mut() {
                Some((mine, theirs)) => match read_sheets_fast(mine, theirs.as_mut(), batch, keep) {
                    Some(read) => read,
                    None => {
                        fast = None;
                        continue 'read;
                    }
                },
                None => read_sheets(&mut book, other.as_mut(), batch, keep),
            };
            for (name, found) in batch.iter().zip(read) {
                let at = |row: Option<u32>, col: Option<u16>, value: Option<String>| Location {
                    file: file.to_string(),
                    sheet: Some(name.clone()),
                    line: row.map(|r| r as usize + 1),
                    column: col.map(|c| crate::table::column_letter(c as usize)),
                    value,
                };
                let found = match found {
                    Ok(found) => found,
                    Err(kind) => {
                        errors.push(DataError::new(at(None, None, None), kind));
                        continue;
                    }
                };
                let height = found.iter().map(|(r, _, _)| r + 1).max().unwrap_or(0);
                // By row and column, a cell given twice counting once as given last.
                let mut found = found;
                found.sort_by_key(|(r, c, _)| (*r, *c));
                let mut cells: Read = Vec::with_capacity(found.len());
                for cell in found {
                    match cells.last_mut() {
                        Some(last) if (last.0, last.1) == (cell.0, cell.1) => *last = cell,
                        _ => cells.push(cell),
                    }
                }
                let find = |r: u32, c: u16| cells.binary_search_by_key(&(r, c as u32), |(r, c, _)| (*r, *c)).ok();
                let text_at = |i: Option<usize>| i.map_or(Cow::Borrowed(""), |i| text_of(&cells[i].2));
                let text = |r: u32, c: u16| text_at(find(r, c)).into_owned();
                let raw = text(0, FIELD_COL);
                let Some(stamp) = Stamp::parse(&raw) else {
                    let value = (!raw.is_empty()).then_some(raw);
                    errors.push(DataError::new(at(Some(0), Some(FIELD_COL), value), ErrorKind::TemplateStamp));
                    continue;
                };
                let stamp_at = || at(Some(0), Some(FIELD_COL), None);
                if stamp.framework != fw.id || stamp.version != version {
                    errors.push(DataError::new(
                        stamp_at(),
                        ErrorKind::TemplateFramework {
                            found: format!("{} ({})", stamp.framework, stamp.version),
                            expected: format!("{} ({version})", fw.id),
                        },
                    ));
                    continue;
                }
                if stamp.year != year || stamp.kind != fw.unit_kind {
                    errors.push(DataError::new(
                        stamp_at(),
                        ErrorKind::TemplatePeriod { found: format!("{} {}", stamp.kind, stamp.year), year },
                    ));
                    continue;
                }
                let unit = UnitId(stamp.unit.clone());
                let Some(u) = registry.get(&unit).filter(|u| u.kind == fw.unit_kind && u.active_in(year)) else {
                    errors.push(DataError::new(
                        stamp_at(),
                        ErrorKind::UnknownUnit { name: stamp.unit.clone(), suggestions: vec![] },
                    ));
                    continue;
                };
                if let Some(only) = only_unit
                    && *only != unit
                {
                    let expected = registry.get(only).map_or(only.0.clone(), |u| u.name.clone());
                    errors
                        .push(DataError::new(stamp_at(), ErrorKind::TemplateUnit { found: u.name.clone(), expected }));
                    continue;
                }
                if let Some(&first) = seen.get(&unit) {
                    let first = sheets[first].name.clone();
                    errors.push(DataError::new(stamp_at(), ErrorKind::TemplateDuplicateUnit { first }));
                    continue;
                }
                found_fields.iter_mut().for_each(|f| *f = None);
                for r in FIRST_ROW..height {
                    let field = text_at(find(r, FIELD_COL));
                    if field.trim().is_empty() {
                        continue;
                    }
                    let Some(&i) = by_name.get(field.as_ref()) else {
                        let field = field.into_owned();
                        errors.push(DataError::new(
                            at(Some(r), Some(FIELD_COL), Some(field.clone())),
                            ErrorKind::TemplateFramework { found: field, expected: format!("{} ({version})", fw.id) },
                        ));
                        continue;
                    };
                    // A field given twice: its last row counts.
                    found_fields[i] = Some((r, find(r, INPUT_COL)));
                }
                let mut sheet = Sheet {
                    unit: unit.clone(),
                    name: name.clone(),
                    rows: Vec::with_capacity(fields.len()),
                    text: String::new(),
                    ends: Vec::with_capacity(fields.len()),
                };
                for (f, got) in fields.iter().zip(&found_fields) {
                    match got {
                        Some((r, input)) => {
                            sheet.rows.push(*r);
                            sheet.text.push_str(text_at(*input).trim());
                        }
                        None => {
                            errors.push(DataError::new(
                                at(None, None, None),
                                ErrorKind::TemplateRowMissing { field: f.name.clone() },
                            ));
                            sheet.rows.push(0);
                        }
                    }
                    sheet.ends.push(sheet.text.len() as u32);
                }
                if !errors.is_empty() {
                    // Nothing of it is read further: only the sheet's name, for a duplicate.
                    sheet.text = String::new();
                    sheet.ends.iter_mut().for_each(|e| *e = 0);
                } else {
                    sheet.text.shrink_to_fit();
                }
                seen.insert(unit, sheets.len());
                sheets.push(sheet);
            }
        }
        break;
    }
    if sheets.is_empty() && errors.is_empty() {
        errors.push(DataError::new(here(), ErrorKind::TemplateStamp));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut header = vec!["unit".to_string()];
    header.extend(fields.into_iter().map(|f| f.name));
    Ok(Sheets { file, header, sheets })
}

/// Sheets a reader takes at a time (two readers: twice as many in a batch, kept in memory).
const BATCH: usize = 64;

type Read = Vec<(u32, u32, calamine::Data)>;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The cells of these sheets, in order: with a second reader, its half on another thread.
fn read_sheets(
    book: &mut crate::xlsx::Book<'_>,
    other: Option<&mut crate::xlsx::Book<'_>>,
    names: &[String],
    keep: impl Fn(u32) -> bool + Copy + Send + Sync,
) -> Vec<Result<Read, ErrorKind>> {
    let Some(other) = other else {
        return names.iter().map(|n| crate::xlsx::cells(book, n, keep)).collect();
    };
    let (mine, theirs) = names.split_at(names.len().div_ceil(2));
    std::thread::scope(|s| {
        let h = s.spawn(move || theirs.iter().map(|n| crate::xlsx::cells(other, n, keep)).collect::<Vec<_>>());
        let mut out: Vec<_> = mine.iter().map(|n| crate::xlsx::cells(book, n, keep)).collect();
        out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        out
    })
}

/// As [`read_sheets`], with `xlsx_read`; `None`: a sheet it does not take.
fn read_sheets_fast(
    book: &mut crate::xlsx_read::Book<'_>,
    other: Option<&mut crate::xlsx_read::Book<'_>>,
    names: &[String],
    keep: impl Fn(u32) -> bool + Copy + Send + Sync,
) -> Option<Vec<Result<Read, ErrorKind>>> {
    let Some(other) = other else {
        return names.iter().map(|n| book.cells(n, keep).map(Ok)).collect();
    };
    let (mine, theirs) = names.split_at(names.len().div_ceil(2));
    std::thread::scope(|s| {
        let h = s.spawn(move || theirs.iter().map(|n| other.cells(n, keep).map(Ok)).collect::<Option<Vec<_>>>());
        let mut out: Vec<_> = mine.iter().map(|n| book.cells(n, keep).map(Ok)).collect::<Option<Vec<_>>>()?;
        out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))?);
        Some(out)
    })
}

/// [`cell_text`], borrowed where the cell holds text.
fn text_of(d: &calamine::Data) -> Cow<'_, str> {
    match d {
        calamine::Data::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(cell_text(other)),
    }
}

fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "1" } else { "0" }.into(),
        other => other.to_string(),
    }
}
