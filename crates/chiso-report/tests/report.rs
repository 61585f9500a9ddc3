//! The Cao Bằng 2020 report, read back from what the renderers wrote.

use chiso_data::Dataset;
use chiso_domain::engine::Results;
use chiso_domain::{Period, compare};
use chiso_report::model::{Block, Document};
use chiso_report::{KindInput, Previous};
use std::io::Read;
use std::path::PathBuf;

/// A kind's results this year, and last year's if compared.
type KindResults = (String, Results, Option<(i32, Results)>);

struct Year {
    data: Dataset,
    kinds: Vec<KindResults>,
}

fn load(dir: &str, year: i32, previous: Option<i32>, kinds: &[&str]) -> Year {
    let data = Dataset::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join(dir)).unwrap();
    let kinds = kinds
        .iter()
        .map(|k| {
            let (_, r) = data.results(year, k).unwrap();
            let p = previous.map(|y| (y, data.results(y, k).unwrap().1));
            (k.to_string(), r, p)
        })
        .collect();
    Year { data, kinds }
}

impl Year {
    fn document(&self, year: i32) -> Document {
        let settings = self.data.report_settings(year).unwrap().unwrap_or_else(|| chiso_domain::ReportSettings {
            kinds: self
                .kinds
                .iter()
                .map(|(k, _, _)| chiso_domain::KindSettings {
                    kind: k.clone(),
                    heading: "KẾT QUẢ".into(),
                    noun: "đơn vị".into(),
                    subject: "mức độ chuyển đổi số".into(),
                })
                .collect(),
            ..Default::default()
        });
        let inputs: Vec<KindInput> = self
            .kinds
            .iter()
            .map(|(k, r, p)| {
                let (fw, period): (_, &Period) = self.data.period(year, k).unwrap();
                let ks = settings.kinds.iter().find(|s| &s.kind == k).unwrap();
                let previous = p.as_ref().map(|(y, pr)| {
                    let pfw = self.data.period(*y, k).unwrap().0;
                    Previous {
                        year: *y,
                        framework: pfw,
                        results: pr,
                        comparisons: compare(r, fw, pr, pfw, &self.data.registry),
                    }
                });
                // The settings live as long as the test; leak them into the input's lifetime.
                let ks: &'static chiso_domain::KindSettings = Box::leak(Box::new(ks.clone()));
                let analysis = Some(chiso_report::Analysis::compute(fw, period, r));
                KindInput { settings: ks, framework: fw, period, results: r, previous, analysis }
            })
            .collect();
        chiso_report::build(&settings, year, &inputs)
    }
}

fn cao_bang() -> Document {
    load("cao-bang", 2020, Some(2019), &["department", "district"]).document(2020)
}

fn paragraphs(doc: &Document) -> Vec<String> {
    doc.body
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.plain()),
            _ => None,
        })
        .collect()
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text of every cell of every row of the n-th table (0 = the header block).
fn docx_table(xml: &str, n: usize) -> Vec<Vec<String>> {
    let table = xml.split("<w:tbl>").nth(n + 1).unwrap().split("</w:tbl>").next().unwrap();
    table
        .split("<w:tr>")
        .skip(1)
        .map(|row| {
            row.split("<w:tc>")
                .skip(1)
                .map(|cell| {
                    let mut text = String::new();
                    for part in cell.split("<w:t xml:space=\"preserve\">").skip(1) {
                        text.push_str(part.split("</w:t>").next().unwrap());
                    }
                    text.replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

#[test]
fn narrative_states_the_engine_statistics_with_the_seed_numbers() {
    let doc = cao_bang();
    let text = paragraphs(&doc).join("\n");
    for expected in [
        "Về mức độ xếp hạng: Có 01 cơ quan đạt Mức I; 04 cơ quan đạt Mức II; 06 cơ quan đạt Mức III; 06 cơ quan đạt Mức IV; \
         03 cơ quan không được xếp hạng do điểm số không đạt theo yêu cầu.",
        "Chênh lệch giữa cơ quan có điểm số cao nhất và cơ quan có điểm số thấp nhất là 23,4 điểm.",
        "Sở Giáo dục và Đào tạo đạt 56,3 điểm (Mức I, đạt 93,8% điểm tối đa) là cơ quan xếp thứ nhất 02 năm liên tiếp (2019, 2020)",
        "tăng 13 bậc: Sở Lao động, Thương binh và Xã hội (từ vị trí thứ 19 năm 2019 lên vị trí thứ 6 năm 2020, 46,3 điểm)",
        "Sở Xây dựng đạt 32,9 điểm, đạt 54,8% điểm tối đa, là cơ quan xếp vị trí thấp nhất (20/20) hai năm liên tiếp (2019, 2020)",
        // Districts: no level reached, Thạch An without data, the gap of the printed parts.
        "Về mức độ xếp hạng: Không có đơn vị nào đạt điểm xếp hạng Mức IV (mức thấp nhất); 09 đơn vị không được xếp hạng do điểm \
         số không đạt theo yêu cầu; 01 đơn vị không được đánh giá, xếp hạng do không cung cấp số liệu (Huyện Thạch An).",
        "Chênh lệch giữa đơn vị có điểm số cao nhất và đơn vị có điểm số thấp nhất là 33,80 điểm.",
        // Every tied unit is named.
        "Ở tiêu chí Hạ tầng kỹ thuật CNTT, Sở Giáo dục và Đào tạo, Sở Y tế và Sở Lao động, Thương binh và Xã hội cùng có điểm cao nhất (8,0 điểm, đạt 100,0% điểm tối đa)",
        "Ở tiêu chí Mức độ giao dịch, Thành phố Cao Bằng và Huyện Hòa An cùng có điểm cao nhất (2,26 điểm",
        "Huyện Bảo Lâm và Huyện Quảng Hòa cùng có điểm thấp nhất (0,26 điểm",
        // Not "all units improved": 16 rose, 4 fell.
        "So với năm 2019, trong 20 cơ quan có số liệu cả hai năm, tổng điểm đánh giá có 16 cơ quan tăng và 04 cơ quan giảm.",
        "Huyện Thạch An không thực hiện báo cáo, cung cấp số liệu đánh giá",
    ] {
        assert!(text.contains(expected), "missing: {expected}\n---\n{text}");
    }
    assert!(!text.contains("tất cả các cơ quan đều tăng"));
    // Every "Tất cả … đều đạt" sentence (all equal) is true: transformation 2020, all nine at 1,00.
    assert!(text.contains("Tất cả các đơn vị đều đạt 1,00 điểm ở tiêu chí Mức độ chuyển đổi"), "{text}");
}

#[test]
fn docx_follows_decree_30_and_its_tables_hold_the_results() {
    let bytes = chiso_report::docx::render(&cao_bang());
    let doc = unzip(&bytes, "word/document.xml");
    let styles = unzip(&bytes, "word/styles.xml");
    // A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; page numbers from page 2.
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(doc.contains("w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\""));
    assert!(doc.contains("<w:titlePg/>") && doc.contains("w:type=\"first\""));
    assert!(unzip(&bytes, "word/header1.xml").contains(" PAGE "));
    assert!(!unzip(&bytes, "word/header2.xml").contains("PAGE"));
    assert!(styles.contains("w:ascii=\"Times New Roman\"") && styles.contains("<w:sz w:val=\"28\"/>"));
    // Header block: issuing body left, motto right, bold and underlined.
    let head = docx_table(&doc, 0);
    assert_eq!(head[0][0], "ỦY BAN NHÂN DÂNTỈNH CAO BẰNG");
    assert_eq!(head[0][1], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAMĐộc lập - Tự do - Hạnh phúc");
    assert!(doc.contains("<w:b/><w:bCs/><w:u w:val=\"single\"/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">Độc lập - Tự do - Hạnh phúc"));
    assert!(head[1][1].starts_with("Cao Bằng, ngày"));
    // Repeated header rows on each page.
    assert!(doc.contains("<w:tblHeader/>"));
    // Bảng 1: header rows, the max row, then the units in rank order.
    let t = docx_table(&doc, 1);
    assert_eq!(&t[0][..6], ["TT", "Đơn vị", "Mức xếp hạng", "Thứ tự xếp hạng", "Tổng điểm", "Hạ tầng kỹ thuật"]);
    assert_eq!(
        t[2][1..].iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>(),
        ["Điểm tối đa", "60,0", "8,0", "16,0", "20,0", "6,0", "5,0", "5,0"]
    );
    assert_eq!(
        t[3],
        ["1", "Sở Giáo dục và Đào tạo", "Mức I", "1", "1", "56,3", "8,0", "15,9", "19,0", "3,4", "5,0", "5,0"]
    );
    assert_eq!(
        t[10],
        [
            "8",
            "Văn phòng Ủy ban nhân dân tỉnh",
            "Mức III",
            "7",
            "8",
            "45,2",
            "5,0",
            "13,2",
            "12,0",
            "6,0",
            "4,0",
            "5,0"
        ]
    );
    assert_eq!(t[22][..6], ["20", "Sở Xây dựng", "KXH", "20", "20", "32,9"]);
    // Bảng 8 (districts): Thạch An's row is one merged cell.
    let tables = doc.matches("<w:tbl>").count();
    let district = (1..tables)
        .map(|n| docx_table(&doc, n))
        .find(|t| t.iter().any(|r| r.iter().any(|c| c == "Huyện Thạch An")))
        .unwrap();
    let thach_an = district.iter().find(|r| r.get(1).is_some_and(|c| c == "Huyện Thạch An")).unwrap();
    assert_eq!(thach_an, &["10", "Huyện Thạch An", "Không xếp hạng do không cung cấp số liệu."]);
    assert!(doc.contains("<w:gridSpan w:val=\"13\"/>"));
    // Charts are real Word charts.
    assert!(unzip(&bytes, "word/charts/chart1.xml").contains("<c:pieChart>"));
    assert!(unzip(&bytes, "[Content_Types].xml").contains("drawingml.chart+xml"));
}

#[test]
fn xlsx_totals_are_formulas_equal_to_their_parts_and_ranks_follow_totals() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = chiso_report::xlsx::render(&cao_bang()).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert!(names.contains(&"Bảng 1".to_string()) && names.contains(&"Số liệu department".to_string()));
    let values = book.worksheet_range("Bảng 1").unwrap();
    let formulas = book.worksheet_formula("Bảng 1").unwrap();
    // Header rows 3–4, the max row 5, units from row 6 (1-based); columns: F total, G–L groups.
    let num = |r: usize, c: usize| match values.get_value((r as u32, c as u32)) {
        Some(Data::Float(f)) => *f,
        other => panic!("({r},{c}) {other:?}"),
    };
    let mut last_total = f64::MAX;
    let mut last_rank = 0.0;
    for r in 5..25 {
        let total = num(r, 5);
        let parts: f64 = (6..12).map(|c| num(r, c)).sum();
        assert!((total - parts).abs() < 1e-9, "row {r}: {total} vs {parts}");
        let f = formulas.get_value((r as u32, 5)).unwrap();
        assert_eq!(f, &format!("ROUND(SUM(G{0},H{0},I{0},J{0},K{0},L{0}),1)", r + 1));
        // Rank follows the total; equal totals share a rank.
        let rank = num(r, 3);
        assert!(total <= last_total && (rank > last_rank || total == last_total));
        let level = values.get_value((r as u32, 2)).unwrap().to_string();
        let expected = if total >= 54.0 {
            "Mức I"
        } else if total >= 48.0 {
            "Mức II"
        } else if total >= 42.0 {
            "Mức III"
        } else if total >= 36.0 {
            "Mức IV"
        } else {
            "KXH"
        };
        assert_eq!(level, expected);
        last_total = total;
        last_rank = rank;
    }
    // Districts: readiness and results are formulas of their parts too.
    let b8 = book.worksheet_formula("Bảng 8").unwrap();
    assert!(
        b8.used_cells().any(|(_, _, f)| f.starts_with("ROUND(SUM(H6,I6,J6),2)")),
        "{:?}",
        b8.used_cells().take(5).collect::<Vec<_>>()
    );
}

#[test]
fn the_same_data_gives_the_same_bytes() {
    let a = cao_bang();
    let b = cao_bang();
    assert_eq!(chiso_report::docx::render(&a), chiso_report::docx::render(&b));
    assert_eq!(chiso_report::xlsx::render(&a).unwrap(), chiso_report::xlsx::render(&b).unwrap());
    assert_eq!(chiso_report::html::render(&a), chiso_report::html::render(&b));
}

#[test]
fn html_is_one_self_contained_escaped_page() {
    let html = chiso_report::html::render(&cao_bang());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    assert_eq!(html.matches("<svg").count(), 6); // 2 per kind, plus the appendix's rank intervals
    assert!(html.contains("<td class=\"name\">Sở Lao động, Thương binh và Xã hội</td>"));
    // A name with markup characters is escaped, never interpreted.
    let mut doc = cao_bang();
    doc.subject = "<script>alert(1)</script> & co".into();
    let html = chiso_report::html::render(&doc);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") && !html.contains("<script>"));
}

#[test]
fn not_applicable_full_points_is_noted_under_its_table() {
    let text = cao_bang()
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.notes.iter().map(|n| n.plain()).collect::<Vec<_>>().join("\n")),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains(
        "Văn phòng Ủy ban nhân dân tỉnh được tính điểm tối đa ở tiêu chí này do nội dung không áp dụng đối với đơn vị."
    ));
}

#[test]
fn any_framework_gets_a_report_the_example_with_every_rule() {
    let y = load("example", 2024, Some(2023), &["agency"]);
    let doc = y.document(2024);
    let html = chiso_report::html::render(&doc);
    assert!(html.contains("Cơ quan mẫu Đông"));
    assert!(chiso_report::xlsx::render(&doc).is_ok());
    assert!(!chiso_report::docx::render(&doc).is_empty());
}

#[test]
fn pdf_is_the_docx_converted_by_libreoffice_or_a_clear_error() {
    let docx = chiso_report::docx::render(&cao_bang());
    match chiso_report::pdf::soffice() {
        Some(_) => {
            let pdf = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).unwrap();
            assert!(pdf.starts_with(b"%PDF"));
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("r.pdf");
            std::fs::write(&path, &pdf).unwrap();
            let text = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
            let text = String::from_utf8(text.stdout).unwrap();
            assert!(text.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && text.contains("56,3"), "{text}");
        }
        None => {
            let e = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(5)).unwrap_err();
            assert!(e.to_string().contains("libreoffice-writer-nogui"));
        }
    }
}

#[test]
fn the_appendix_gives_rank_intervals_and_the_path_to_the_next_level() {
    let doc = cao_bang();
    let tables: Vec<&chiso_report::model::Table> = doc
        .appendix
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    let next = tables
        .iter()
        .find(|t| t.caption.starts_with("Điểm cần thêm để lên mức tiếp theo (mức độ ứng dụng CNTT"))
        .unwrap();
    // Sở Lao động, TB&XH at 46,3 needs 1,7 points for Mức II, all in online services (0,4 → 2,1).
    let ld = next.rows.iter().find(|r| r.cells[1].printed() == "Sở Lao động, Thương binh và Xã hội").unwrap();
    let printed: Vec<String> = ld.cells.iter().map(|c| c.printed()).collect();
    assert_eq!(printed[4..], ["Mức II", "1,7", "+1,7 Cung cấp DVCTT"]);
    let html = chiso_report::html::render(&doc);
    assert!(html.contains("PHỤ LỤC: ĐỘ VỮNG CỦA THỨ HẠNG VÀ LỘ TRÌNH LÊN MỨC"));
    assert!(
        unzip(&chiso_report::docx::render(&doc), "word/charts/chart5.xml").contains("<c:grouping val=\"stacked\"/>")
    );
}
