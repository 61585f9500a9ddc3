//! Data-entry templates: generated, filled in, read back; every bad workbook refused
//! with its sheet, cell, value and reason; export → import changes nothing.

use calamine::{Data, Reader};
use chiso_data::DataText;
use chiso_data::table::Table;
use chiso_data::template::{self, INSTRUCTIONS};
use chiso_data::{Dataset, ErrorKind, Lang, export, import};
use chiso_domain::framework::Framework;
use chiso_domain::number::parse_decimal;
use chiso_domain::period::Period;
use chiso_domain::unit::{Unit, UnitId};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

fn example() -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example")).unwrap()
}

fn units<'a>(ds: &'a Dataset, period: &Period) -> Vec<&'a Unit> {
    period.units.iter().map(|u| ds.registry.get(&u.unit).unwrap()).collect()
}

/// A copy of a workbook, cell by cell, with `edit` deciding each cell (`None`: leave it
/// out). Sheets keep their names and order: the same layout, as someone filling it in
/// with a spreadsheet would leave it.
fn refill(bytes: &[u8], edit: impl Fn(&str, u32, u16, Data) -> Option<Data>) -> Vec<u8> {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let ws = wb.add_worksheet().set_name(&name).unwrap();
        let (h, w) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
        for r in 0..h {
            for c in 0..w {
                let d = range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
                match edit(&name, r, c as u16, d) {
                    Some(Data::String(s)) => drop(ws.write_string(r, c as u16, s).unwrap()),
                    Some(Data::Float(f)) => drop(ws.write_number(r, c as u16, f).unwrap()),
                    Some(Data::Int(i)) => drop(ws.write_number(r, c as u16, i as f64).unwrap()),
                    _ => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The field of a template row (hidden column H).
fn field_of(bytes: &[u8], sheet: &str, row: u32) -> String {
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.get_value((row, 7)).map(|d| d.to_string()).unwrap_or_default()
}

/// Fills every unit sheet with `values[unit name][field]`: numbers alternately as numbers
/// and as text with a decimal comma, words as text.
fn fill(bytes: &[u8], values: &HashMap<String, HashMap<String, String>>) -> Vec<u8> {
    let fields: HashMap<(String, u32), String> = {
        let mut book = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        let mut m = HashMap::new();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            for r in 4..range.end().unwrap().0 + 1 {
                m.insert((name.clone(), r), range.get_value((r, 7)).map(|d| d.to_string()).unwrap_or_default());
            }
        }
        m
    };
    refill(bytes, |sheet, r, c, d| {
        if c != 6 || r < 4 || sheet == INSTRUCTIONS {
            return Some(d);
        }
        let field = &fields[&(sheet.to_string(), r)];
        let v = values.get(sheet)?.get(field)?.clone();
        if v.is_empty() {
            return None;
        }
        Some(match parse_decimal(&v) {
            Some(n) if r % 2 == 0 => Data::Float(n.to_string().parse().unwrap()),
            Some(n) => Data::String(n.to_string().replace('.', ",")),
            None => Data::String(v),
        })
    })
}

/// The period's figures by sheet name (= unit name) and field.
fn figures(fw: &Framework, period: &Period) -> HashMap<String, HashMap<String, String>> {
    let rows = export::figures(fw, period);
    rows[1..].iter().map(|r| (r[0].clone(), rows[0].iter().cloned().zip(r.iter().cloned()).collect())).collect()
}

fn vi(errors: &[chiso_data::DataError]) -> String {
    errors.iter().map(|e| Lang::Vi.error(e)).collect::<Vec<_>>().join("\n")
}

#[test]
fn template_round_trip_changes_nothing() {
    let ds = example();
    let (fw, period) = ds.period(2024, "agency").unwrap();
    let bytes = template::write(fw, 2024, &units(&ds, period)).unwrap();
    assert_eq!(bytes, template::write(fw, 2024, &units(&ds, period)).unwrap(), "deterministic");
    assert!(template::is_template(&bytes));

    // Filled in with the period's figures, numbers as numbers and as "49,5" text.
    let filled = fill(&bytes, &figures(fw, period));
    let got = template::read("t.xlsx", &filled, fw, &ds.registry, 2024, None).map_err(|e| vi(&e)).unwrap();
    assert_eq!(got.rows.len(), period.units.len());
    for row in &got.rows {
        let want = period.units.iter().find(|u| u.unit == row.unit).unwrap();
        assert_eq!(row.submission, want.submission, "{}", want.name);
    }
    let an = &got.cells.iter().find(|(u, _)| u.0 == "a").unwrap().1;
    assert!(
        an.contains(&("computers.numerator".into(), "49,5".into()))
            || an.contains(&("computers.numerator".into(), "49.5".into()))
    );

    // Stored → exported (CSV and XLSX) → imported again: the same submissions.
    let mut again = chiso_data::dataset::assemble(fw, &ds.registry, 2024, got.rows, None);
    // The template carries figures only; ranking groups stay as the period has them.
    for (u, p) in again.units.iter_mut().zip(&period.units) {
        assert_eq!((&u.unit, &u.submission), (&p.unit, &p.submission));
        u.group = p.group.clone();
    }
    let results = chiso_domain::engine::score(fw, &again);
    let rows = export::table(fw, &again, &results);
    assert!(rows[0].iter().any(|h| h == "[tổng điểm]"));
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("out.csv");
    std::fs::write(&csv, export::csv(&rows)).unwrap();
    let xlsx = dir.path().join("out.xlsx");
    std::fs::write(&xlsx, export::xlsx(&rows, "x").unwrap()).unwrap();
    for path in [&csv, &xlsx] {
        let t = export::strip_results(chiso_data::table::read(path, None).unwrap());
        let imported = import::import(&t, fw, &ds.registry, 2024).map_err(|e| vi(&e)).unwrap();
        let p = chiso_data::dataset::assemble(fw, &ds.registry, 2024, imported, None);
        assert_eq!(p.units, period.units, "{}", path.display());
        assert_eq!(export::table(fw, &p, &chiso_domain::engine::score(fw, &p)), rows);
    }
}

#[test]
fn an_empty_sheet_is_a_unit_without_data() {
    let ds = example();
    let (fw, period) = ds.period(2024, "agency").unwrap();
    let bytes = template::write(fw, 2024, &units(&ds, period)[..1]).unwrap();
    let got = template::read("t.xlsx", &bytes, fw, &ds.registry, 2024, None).unwrap();
    assert_eq!(got.rows.len(), 1);
    assert_eq!(got.rows[0].submission, None);
}

fn one_unit(ds: &Dataset) -> (Vec<u8>, HashMap<String, HashMap<String, String>>, &Framework) {
    let (fw, period) = ds.period(2024, "agency").unwrap();
    let unit = ds.registry.get(&UnitId("a".into())).unwrap();
    (template::write(fw, 2024, &[unit]).unwrap(), figures(fw, period), fw)
}

#[test]
fn wrong_unit_period_and_framework_version_are_refused() {
    let ds = example();
    let (bytes, values, fw) = one_unit(&ds);
    let filled = fill(&bytes, &values);
    let binh = UnitId("b".into());
    let e = template::read("t.xlsx", &filled, fw, &ds.registry, 2024, Some(&binh)).unwrap_err();
    assert!(matches!(e[0].kind, ErrorKind::TemplateUnit { .. }), "{e:?}");
    assert!(vi(&e).contains("chỉ được nhập số liệu cho đơn vị “Cơ quan mẫu Bình”"), "{}", vi(&e));

    let e = template::read("t.xlsx", &filled, fw, &ds.registry, 2023, None).unwrap_err();
    assert!(vi(&e).contains("mẫu phiếu của kỳ đánh giá khác (agency 2024), không phải năm 2023"), "{}", vi(&e));

    let mut other = fw.clone();
    other.criteria[1].not_applicable = chiso_domain::framework::NotApplicable::Zero;
    let old = fill(&template::write(&other, 2024, &[ds.registry.get(&binh).unwrap()]).unwrap(), &values);
    let e = template::read("t.xlsx", &old, fw, &ds.registry, 2024, None).unwrap_err();
    assert!(vi(&e).contains("hãy tải mẫu phiếu mới"), "{}", vi(&e));

    // The same unit twice.
    let an = ds.registry.get(&UnitId("a".into())).unwrap();
    let twice = fill(&template::write(fw, 2024, &[an, an]).unwrap(), &values);
    let e = template::read("t.xlsx", &twice, fw, &ds.registry, 2024, None).unwrap_err();
    assert!(
        vi(&e)
            .contains("trang tính \"Cơ quan mẫu An (2)\", dòng 1, cột H: đơn vị này đã có trang tính “Cơ quan mẫu An”"),
        "{}",
        vi(&e)
    );

    // A stamp edited by hand fails its check.
    let edited = refill(&filled, |_, r, c, d| match (r, c, d) {
        (0, 7, Data::String(s)) => Some(Data::String(s.replace("a", "b"))),
        (_, _, d) => Some(d),
    });
    let e = template::read("t.xlsx", &edited, fw, &ds.registry, 2024, None).unwrap_err();
    assert_eq!(e[0].kind, ErrorKind::TemplateStamp);
    assert!(vi(&e).contains("ô ẩn H1"), "{}", vi(&e));
}

#[test]
fn every_bad_cell_is_reported_at_once_with_sheet_cell_value_and_reason() {
    let ds = example();
    let (bytes, mut values, fw) = one_unit(&ds);
    let an = values.get_mut("Cơ quan mẫu An").unwrap();
    an.insert("trained_staff".into(), "mười lăm".into()); // text in a number cell
    an.insert("network".into(), "có lẽ".into()); // not yes/no
    an.insert("computers.numerator".into(), "60".into()); // above its denominator
    an.insert("survey".into(), "Z".into()); // not an answer of the scale
    let e = template::read("t.xlsx", &fill(&bytes, &values), fw, &ds.registry, 2024, None).unwrap_err();
    let text = vi(&e);
    assert_eq!(e.len(), 4, "{text}");
    assert!(
        text.contains("t.xlsx, trang tính \"Cơ quan mẫu An\", dòng 14, cột G (trained_staff), giá trị \"mười lăm\": không phải là số"),
        "{text}"
    );
    assert!(text.contains("cột G (network), giá trị \"có lẽ\": cần nhập “có” hoặc “không”"), "{text}");
    assert!(text.contains("tử số 60 lớn hơn mẫu số 50"), "{text}");
    assert!(text.contains("“Z” không phải một trong các phương án"), "{text}");
    assert_eq!(field_of(&bytes, "Cơ quan mẫu An", 13), "trained_staff");
}

#[test]
fn a_deleted_row_and_a_partly_filled_sheet_are_refused() {
    let ds = example();
    let (bytes, mut values, fw) = one_unit(&ds);
    let filled = fill(&bytes, &values);
    let deleted = refill(&filled, |s, r, _, d| (s == INSTRUCTIONS || r != 8).then_some(d));
    let e = template::read("t.xlsx", &deleted, fw, &ds.registry, 2024, None).unwrap_err();
    let gone = field_of(&bytes, "Cơ quan mẫu An", 8);
    assert!(vi(&e).contains(&format!("dòng của tiêu chí {gone} đã bị xóa khỏi mẫu phiếu")), "{}", vi(&e));

    values.get_mut("Cơ quan mẫu An").unwrap().insert("survey".into(), String::new());
    let e = template::read("t.xlsx", &fill(&bytes, &values), fw, &ds.registry, 2024, None).unwrap_err();
    assert!(vi(&e).contains("dòng 15, cột G (survey), giá trị \"\": thiếu giá trị tiêu chí survey"), "{}", vi(&e));
}

#[test]
fn a_plain_table_is_not_a_template() {
    let rows = vec![vec!["unit".to_string()], vec!["x".to_string()]];
    let bytes = export::xlsx(&rows, "x").unwrap();
    assert!(!template::is_template(&bytes));
    let ds = example();
    let (fw, _) = ds.period(2024, "agency").unwrap();
    let e = template::read("t.xlsx", &bytes, fw, &ds.registry, 2024, None).unwrap_err();
    assert_eq!(e[0].kind, ErrorKind::TemplateStamp);
    let t =
        export::strip_results(Table {
            file: "f".into(), sheet: None, rows: vec![vec!["unit".into(), "[mức]".into()]]
        });
    assert_eq!(t.rows, vec![vec!["unit".to_string()]]);
}

/// A template of many sheets (more parts than any other workbook may hold) is known as a
/// template and read by two readers at once; its problems still come in sheet order.
#[test]
fn many_sheets_are_read_in_sheet_order() {
    let ds = example();
    let period = &ds.periods[0];
    let fw = ds.framework(&period.framework).unwrap();
    let an = ds.registry.get(&UnitId("a".into())).unwrap();
    assert!(template::is_template(&template::write(fw, 2024, &vec![an; 1_050]).unwrap()));
    let bytes = template::write(fw, 2024, &vec![an; 200]).unwrap();
    let e = template::read("t.xlsx", &bytes, fw, &ds.registry, 2024, None).unwrap_err();
    let sheets: Vec<String> = e.iter().map(|e| e.location.sheet.clone().unwrap()).collect();
    let expected: Vec<String> = (2..=200).map(|n| format!("Cơ quan mẫu An ({n})")).collect();
    assert_eq!(sheets, expected);
}

/// Consecutive rows with the same check share one validation range, and every input cell
/// has exactly one.
#[test]
fn every_input_cell_is_validated_once() {
    use std::io::Read;
    let ds = example();
    let period = &ds.periods[0];
    let fw = ds.framework(&period.framework).unwrap();
    let bytes = template::write(fw, 2024, &units(&ds, period)[..1]).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet2.xml").unwrap().read_to_string(&mut xml).unwrap();
    let mut rows = Vec::new();
    for part in xml.split("sqref=\"").skip(1) {
        let sqref = &part[..part.find('"').unwrap()];
        let (a, b) = sqref.split_once(':').unwrap_or((sqref, sqref));
        let (a, b): (u32, u32) = (a[1..].parse().unwrap(), b[1..].parse().unwrap());
        assert!(sqref.starts_with('G'), "{sqref}");
        rows.extend(a..=b);
    }
    let n = template::fields(fw).len() as u32;
    assert_eq!(rows, (5..5 + n).collect::<Vec<_>>());
}

/// Streamed into a file, the template is the same bytes as made in memory.
#[test]
fn a_template_streamed_into_a_file_is_the_same_workbook() {
    let ds = example();
    let period = &ds.periods[0];
    let fw = ds.framework(&period.framework).unwrap();
    let all = units(&ds, period);
    let value = |_: &UnitId, f: &str| (f == "infra").then(|| "7.5".to_string());
    let file = tempfile::tempfile().unwrap();
    let mut file = template::write_filled_to(file, fw, 2024, &all, &value).unwrap();
    let mut streamed = Vec::new();
    use std::io::{Read, Seek};
    file.rewind().unwrap();
    file.read_to_end(&mut streamed).unwrap();
    assert_eq!(streamed, template::write_filled(fw, 2024, &all, &value).unwrap());
    let mut rows = Vec::new();
    export::xlsx_to(Cursor::new(&mut rows), &[vec!["unit".into()], vec!["a".into()]], "x").unwrap();
    assert_eq!(rows, export::xlsx(&[vec!["unit".into()], vec!["a".into()]], "x").unwrap());
}

#[test]
fn figures_are_the_cells_of_the_units_with_data_and_refusals_are_the_same() {
    let ds = example();
    let (fw, period) = ds.period(2024, "agency").unwrap();
    let all = units(&ds, period);
    let bytes = template::write(fw, 2024, &all).unwrap();
    // Every unit filled but the last, whose sheet stays empty.
    let mut values = figures(fw, period);
    values.remove(&all.last().unwrap().name);
    let filled = fill(&bytes, &values);
    let read = template::read("t.xlsx", &filled, fw, &ds.registry, 2024, None).unwrap();
    let got = template::read_figures("t.xlsx", &filled, fw, &ds.registry, 2024, None).unwrap();
    let with_data: Vec<&(UnitId, Vec<(String, String)>)> =
        read.cells.iter().filter(|(u, _)| read.rows.iter().any(|r| r.unit == *u && r.submission.is_some())).collect();
    assert_eq!(with_data.len(), all.len() - 1);
    assert_eq!(got.len(), with_data.len());
    for (i, (unit, cells)) in with_data.iter().enumerate() {
        assert_eq!(got.unit(i), unit);
        let inputs: Vec<(String, String)> = got.inputs(i).map(|(f, v)| (f.to_string(), v.to_string())).collect();
        assert_eq!(&inputs, cells, "{}", unit.0);
    }
    assert_eq!(got.fields, template::fields(fw).into_iter().map(|f| f.name).collect::<Vec<_>>());

    // A bad cell: the same errors, at the same sheet and cell.
    let an = values.get_mut("Cơ quan mẫu An").unwrap();
    an.insert("trained_staff".into(), "mười lăm".into());
    let bad = fill(&bytes, &values);
    let e = template::read_figures("t.xlsx", &bad, fw, &ds.registry, 2024, None).unwrap_err();
    assert_eq!(e, template::read("t.xlsx", &bad, fw, &ds.registry, 2024, None).unwrap_err());
    assert!(vi(&e).contains("trang tính \"Cơ quan mẫu An\", dòng 14, cột G (trained_staff)"), "{}", vi(&e));
}
