//! The per-unit tables the report settings choose (`[tables]`): with the seed's real units,
//! and at national size (4,500 units) where the document stays bounded and the XLSX whole.

use super::{docx_table, load, load_from, unzip};
use chiso_domain::report_settings::{LevelTables, Tables};
use chiso_report::model::{Block, Document, Table};

fn printed(doc: &Document) -> Vec<&Table> {
    doc.body.iter().filter_map(|b| if let Block::Table(t) = b { Some(t) } else { None }).collect()
}

fn captions(doc: &Document) -> Vec<String> {
    doc.body
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) if p.style == chiso_report::model::ParagraphStyle::Caption => Some(p.plain()),
            _ => None,
        })
        .collect()
}

fn names(t: &Table) -> Vec<String> {
    t.document_rows().iter().filter(|r| r.cells.len() >= 2).map(|r| r.cells[1].printed()).collect()
}

#[test]
fn the_seeds_level_tables_list_its_real_units_and_the_full_tables_go_to_the_xlsx_only() {
    use calamine::{Reader, Xlsx};
    let year = load("cao-bang", 2020, Some(2019), &["department"]);
    let doc = year.document_tuned(2020, |s| {
        s.tables = Tables {
            summary: Some(true),
            levels: Some(LevelTables::Named(vec!["Mức I".into(), "Mức II".into()])),
            top: Some(3),
            bottom: Some(2),
            full: Some(false),
        }
    });
    let tables = printed(&doc);
    let shown: Vec<&&Table> = tables.iter().filter(|t| !t.workbook_only).collect();
    // The totals chart shows the departments the ends table does.
    let chart = doc.body.iter().find_map(|b| match b {
        Block::Figure(f) if f.caption.starts_with("Tổng điểm") => Some(f),
        _ => None,
    });
    let chart = chart.unwrap();
    assert!(chart.caption.ends_with("(3 cơ quan đầu bảng và 2 cơ quan cuối bảng)"), "{}", chart.caption);
    match &chart.chart {
        chiso_report::model::Chart::Bar { categories, .. } => assert_eq!(
            categories,
            &["Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tài chính", "Thanh tra tỉnh", "Sở Xây dựng"].map(String::from)
        ),
        other => panic!("{other:?}"),
    }
    // Numbered 1, 2, … in the document's order; the full tables after them, XLSX only.
    assert_eq!(shown.iter().map(|t| t.number).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    let caps = captions(&doc);
    assert!(caps[0].starts_with("Bảng 1. Số cơ quan theo mức xếp hạng"), "{caps:?}");
    assert!(caps[1].starts_with("Bảng 2. 3 cơ quan đứng đầu và 2 cơ quan đứng cuối bảng xếp hạng"), "{caps:?}");
    assert_eq!(caps[2], "Bảng 3. Các cơ quan đạt Mức I năm 2020");
    assert_eq!(caps[3], "Bảng 4. Các cơ quan đạt Mức II năm 2020");
    assert_eq!(caps.len(), 4 + 2, "and the two figures: {caps:?}");
    // The summary: 1 + 4 + 6 + 6 by level, 3 KXH, 20 in all.
    let total: Vec<String> = shown[0].rows.last().unwrap().cells.iter().map(|c| c.printed()).collect();
    assert_eq!(total[1..], ["Tổng cộng", "1", "4", "6", "6", "3", "0", "20"]);
    // The ends: the first three and the last two departments by rank.
    assert_eq!(
        names(shown[1]),
        ["Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tài chính", "… 15 cơ quan khác", "Thanh tra tỉnh", "Sở Xây dựng"]
    );
    // Level tables: the seed's real units (published report, Bảng 1).
    assert_eq!(names(shown[2]), ["Sở Giáo dục và Đào tạo"]);
    assert_eq!(names(shown[3]), ["Sở Y tế", "Sở Tài chính", "Sở Nội vụ", "Sở Công thương"]);
    // Each table says what it shows and where every unit is.
    for t in &shown {
        let note = t.notes.iter().map(|n| n.plain()).collect::<String>();
        assert!(note.contains("ở tệp XLSX kèm theo"), "{note}");
    }
    let html = chiso_report::html::render(&doc);
    assert!(html.contains("Bảng xếp hạng đầy đủ của 20 cơ quan"));
    assert!(!html.contains("Bảng 5") && !html.contains("Kết quả so sánh điểm"), "the full tables are not printed");
    let docx = chiso_report::docx::render(&doc);
    let xml = unzip(&docx, "word/document.xml");
    // The header and signature blocks, and the four tables only.
    assert_eq!(xml.matches("<w:tbl>").count(), 2 + 4);
    assert_eq!(docx_table(&xml, 4).len(), 1 + 4, "Bảng 4: its header and four units");
    // The XLSX holds every table, the full ones whole.
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(chiso_report::xlsx::render(&doc).unwrap())).unwrap();
    let full = tables.iter().find(|t| t.workbook_only && t.caption.starts_with("Xếp hạng")).unwrap();
    assert_eq!(full.number, 5, "numbered after the document's tables");
    let sheet = book.worksheet_range("Bảng 5").unwrap();
    let listed = sheet.rows().filter(|r| r.iter().any(|c| *c == "Sở Tư pháp")).count();
    assert_eq!(listed, 1, "every unit in the XLSX");
    assert_eq!(tables.iter().filter(|t| t.workbook_only).count(), 1 + 6, "the overall and each group's table");
}

#[test]
fn by_default_the_seeds_document_is_unchanged() {
    let year = load("cao-bang", 2020, Some(2019), &["department", "district"]);
    let default = year.document(2020);
    assert!(printed(&default).iter().all(|t| !t.workbook_only));
    let same = year.document_tuned(2020, |s| {
        s.tables = Tables { summary: Some(false), levels: None, top: Some(0), bottom: Some(0), full: Some(true) }
    });
    assert_eq!(chiso_report::docx::render(&default), chiso_report::docx::render(&same));
}

/// A dataset of `units` departments (the seed's framework, ranked in three groups), figures
/// cycling through the framework's range.
fn national(units: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang");
    std::fs::create_dir_all(dir.path().join("frameworks")).unwrap();
    std::fs::create_dir_all(dir.path().join("periods")).unwrap();
    let fw = std::fs::read_to_string(root.join("frameworks/department.toml")).unwrap();
    let fw = fw.replacen("max = 60\n", "max = 60\ngroups = [\"mien-bac\", \"mien-trung\", \"mien-nam\"]\n", 1);
    std::fs::write(dir.path().join("frameworks/department.toml"), fw).unwrap();
    let mut registry = String::new();
    let mut csv = String::from("unit,group,infra,app,web,online_services,staff,policy\n");
    for i in 0..units {
        let name = format!("Đơn vị số {:04}", i + 1);
        registry.push_str(&format!("[[unit]]\nid = \"dv-{i}\"\nname = \"{name}\"\nkind = \"department\"\n\n"));
        let group = ["mien-bac", "mien-trung", "mien-nam"][i % 3];
        let v = |m: usize, max: usize| (i * m + i / 7) % (max + 1);
        csv.push_str(&format!(
            "{name},{group},{},{},{},{},{},{}\n",
            v(3, 8),
            v(7, 16),
            v(11, 20),
            v(5, 6),
            v(1, 5),
            v(13, 5)
        ));
    }
    std::fs::write(dir.path().join("units.toml"), registry).unwrap();
    std::fs::write(dir.path().join("periods/2024-department.csv"), csv).unwrap();
    std::fs::write(
        dir.path().join("periods/2024-department.toml"),
        "year = 2024\nkind = \"department\"\nframework = \"cao-bang-1513-department\"\ndata = \"2024-department.csv\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn at_national_size_the_document_stays_bounded_and_the_xlsx_holds_every_unit() {
    use calamine::{Reader, Xlsx};
    let dir = national(4_500);
    let year = load_from(dir.path(), 2024, None, &["department"]);
    let doc = year.document_tuned(2024, |_| {});
    let tables = printed(&doc);
    let shown: Vec<&&Table> = tables.iter().filter(|t| !t.workbook_only).collect();
    // The summary (three groups and the total) and each group's first and last ten.
    assert_eq!(shown.len(), 2, "{:?}", shown.iter().map(|t| &t.caption).collect::<Vec<_>>());
    assert_eq!(shown[0].rows.len(), 3 + 1);
    let rows: usize = shown.iter().map(|t| t.document_rows().len()).sum();
    assert!(rows <= 4 + 3 * (1 + 10 + 1 + 10), "{rows} rows printed");
    assert!(names(shown[1]).iter().any(|n| n == "… 1480 đơn vị khác"), "{:?}", names(shown[1]));
    let docx = chiso_report::docx::render(&doc);
    let xml = unzip(&docx, "word/document.xml");
    assert!(xml.matches("<w:tr>").count() < 120, "{} rows in the DOCX", xml.matches("<w:tr>").count());
    assert!(!chiso_report::html::render(&doc).contains("Đơn vị số 2250<"), "a middle unit is not printed");
    // The totals chart shows the units the table does (three groups: the ranking's ends).
    let chart = doc.body.iter().find_map(|b| match b {
        Block::Figure(f) if f.caption.starts_with("Tổng điểm") => Some(f),
        _ => None,
    });
    assert!(chart.unwrap().caption.ends_with("(20 đơn vị đầu bảng và 20 đơn vị cuối bảng)"), "grouped: unit_rows");
    // Levels asked for: one table each, printed by its ends.
    let doc = year.document_tuned(2024, |s| s.tables.levels = Some(LevelTables::All));
    let level_tables: Vec<&Table> =
        printed(&doc).into_iter().filter(|t| !t.workbook_only && t.caption.starts_with("Các đơn vị đạt")).collect();
    assert!(!level_tables.is_empty());
    // Whole up to 150 units, else the first and last 20 (`unit_rows`).
    assert!(level_tables.iter().all(|t| t.document_rows().len() <= 150), "bounded by unit_rows");
    assert!(level_tables.iter().any(|t| t.ends == Some(20) && t.document_rows().len() == 41));
    // The XLSX: the full ranking of all 4,500.
    let xlsx = chiso_report::xlsx::render(&doc).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(&xlsx[..])).unwrap();
    let full = printed(&doc).into_iter().find(|t| t.workbook_only && t.caption.starts_with("Xếp hạng")).unwrap();
    let sheet = book.worksheet_range(&format!("Bảng {}", full.number)).unwrap();
    let units = sheet.rows().filter(|r| r.get(1).is_some_and(|c| c.to_string().starts_with("Đơn vị số"))).count();
    assert_eq!(units, 4_500);
    // Made by the report, the full tables only as the XLSX writes them: the same workbook,
    // every unit's row in every full table with the same values.
    let made = year.inputs(
        2024,
        |s| s.tables.levels = Some(LevelTables::All),
        |settings, inputs| {
            let report = chiso_report::build_report(settings, 2024, inputs);
            assert!(printed(&report.document).iter().all(|t| !t.workbook_only), "no full table held");
            assert_eq!(report.workbook_tables(), printed(&doc).iter().filter(|t| t.workbook_only).count());
            chiso_report::xlsx::render_report(&report).unwrap()
        },
    );
    assert!(made == xlsx, "the same bytes");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(made)).unwrap();
    for t in printed(&doc).into_iter().filter(|t| t.workbook_only) {
        let sheet = book.worksheet_range(&format!("Bảng {}", t.number)).unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .filter(|r| r.get(1).is_some_and(|c| c.to_string().starts_with("Đơn vị số")))
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows.len(), 4_500, "{}", t.caption);
        let expected: Vec<Vec<String>> = t
            .rows
            .iter()
            .filter(|r| r.cells.get(1).is_some_and(|c| c.printed().starts_with("Đơn vị số")))
            .map(|r| {
                r.cells
                    .iter()
                    .flat_map(|c| {
                        let value = match &c.value {
                            chiso_report::model::Value::Number { value, .. } => value.normalize().to_string(),
                            _ => c.printed(),
                        };
                        std::iter::once(value).chain(std::iter::repeat_n(String::new(), c.colspan.max(1) as usize - 1))
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows, expected, "{}: every unit's row, the same values", t.caption);
    }
}

#[test]
fn a_level_nobody_reached_is_said_in_a_sentence() {
    // No district reached a level in 2020 (the seed's Bảng 8: nine KXH, Thạch An without data).
    let year = load("cao-bang", 2020, Some(2019), &["district"]);
    let doc = year.document_tuned(2020, |s| s.tables.levels = Some(LevelTables::All));
    let text: Vec<String> =
        doc.body.iter().filter_map(|b| if let Block::Paragraph(p) = b { Some(p.plain()) } else { None }).collect();
    for level in ["Mức I", "Mức II", "Mức III", "Mức IV"] {
        assert!(text.contains(&format!("Năm 2020, không có đơn vị nào đạt {level}.")), "{level}: {text:?}");
    }
    assert!(!captions(&doc).iter().any(|c| c.contains("đạt Mức")), "no empty table");
}
