//! The Cao Bằng 2020 report, read back from what the renderers wrote.

use chiso_data::Dataset;
use chiso_domain::engine::Results;
use chiso_domain::{Period, compare};
use chiso_report::model::{Block, Document};
use chiso_report::{KindInput, Previous};
use std::io::Read;
use std::path::PathBuf;

#[path = "report/tables.rs"]
mod tables;

/// A kind's results this year, and last year's if compared.
type KindResults = (String, Results, Option<(i32, Results)>);

struct Year {
    data: Dataset,
    kinds: Vec<KindResults>,
}

fn load(dir: &str, year: i32, previous: Option<i32>, kinds: &[&str]) -> Year {
    load_from(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join(dir), year, previous, kinds)
}

fn load_from(dir: &std::path::Path, year: i32, previous: Option<i32>, kinds: &[&str]) -> Year {
    let data = Dataset::load(dir).unwrap();
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
        self.document_with(year, false)
    }

    fn document_with(&self, year: i32, appendix: bool) -> Document {
        self.document_rows(year, appendix, chiso_domain::UnitRows::Auto)
    }

    fn document_rows(&self, year: i32, appendix: bool, unit_rows: chiso_domain::UnitRows) -> Document {
        self.document_tuned(year, |s| {
            s.appendix = appendix;
            s.unit_rows = unit_rows;
        })
    }

    /// The document with the year's settings changed by `tune`.
    fn document_tuned(&self, year: i32, tune: impl FnOnce(&mut chiso_domain::ReportSettings)) -> Document {
        self.inputs(year, tune, |settings, inputs| chiso_report::build(settings, year, inputs))
    }

    /// `f` of the year's settings, changed by `tune`, and the report's inputs.
    fn inputs<R>(
        &self,
        year: i32,
        tune: impl FnOnce(&mut chiso_domain::ReportSettings),
        f: impl FnOnce(&chiso_domain::ReportSettings, &[KindInput]) -> R,
    ) -> R {
        let mut settings = self.data.report_settings(year).unwrap().unwrap_or_else(|| chiso_domain::ReportSettings {
            kinds: self
                .kinds
                .iter()
                .map(|(k, _, _)| chiso_domain::KindSettings {
                    kind: k.clone(),
                    heading: "KẾT QUẢ".into(),
                    noun: "đơn vị".into(),
                    subject: "mức độ chuyển đổi số".into(),
                    history: Vec::new(),
                })
                .collect(),
            ..Default::default()
        });
        tune(&mut settings);
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
                // Only the appendix shows it (10,000 draws: slow at national size in a debug build).
                let analysis = settings.appendix.then(|| chiso_report::Analysis::compute(fw, period, r));
                KindInput { settings: ks, framework: fw, period, results: r, previous, analysis }
            })
            .collect();
        f(&settings, &inputs)
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
        // Three years running: 2018 is known only by its published rank (report settings).
        "Sở Giáo dục và Đào tạo đạt 56,3 điểm (Mức I, đạt 93,8% điểm tối đa) là cơ quan xếp thứ nhất 03 năm liên tiếp (2018, 2019, 2020)",
        "trong 20 cơ quan có thứ hạng so sánh được với năm 2019, cơ quan có bước tiến lớn nhất, tăng 13 bậc: Sở Lao động, Thương binh và Xã hội (từ vị trí thứ 19 năm 2019 lên vị trí thứ 6 năm 2020, 46,3 điểm)",
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
        "Huyện Thạch An không cung cấp số liệu đánh giá.",
    ] {
        assert!(text.contains(expected), "missing: {expected}\n---\n{text}");
    }
    assert!(!text.contains("tất cả các cơ quan đều tăng"));
    // Not "all units" while Thạch An sent nothing: the nine scored units.
    assert!(text.contains("Cả 09 đơn vị được chấm điểm đều đạt 1,00 điểm ở tiêu chí Mức độ chuyển đổi"), "{text}");
    assert!(!text.contains("Tất cả các đơn vị đều đạt"));
}

#[test]
fn claims_are_made_only_among_units_they_are_true_of() {
    let text = paragraphs(&cao_bang()).join("\n");
    let sentence = |start: &str| -> String {
        let i = text.find(start).unwrap_or_else(|| panic!("missing: {start}\n{text}"));
        text[i..].split('\n').next().unwrap().to_string()
    };
    // The Provincial Office got online services' 6,0 from the not-applicable policy: not the best.
    assert_eq!(
        sentence("Ở tiêu chí Cung cấp dịch vụ công trực tuyến"),
        "Ở tiêu chí Cung cấp dịch vụ công trực tuyến mức độ 3, 4, Sở Giao thông vận tải, Sở Kế hoạch và Đầu tư và Sở \
         Khoa học và Công nghệ cùng có điểm cao nhất (3,9 điểm, đạt 65,0% điểm tối đa); Thanh tra tỉnh có điểm thấp nhất \
         (0,2 điểm, đạt 3,3% điểm tối đa). Chênh lệch giữa cơ quan có điểm số cao nhất và cơ quan có điểm số thấp nhất là 3,7 điểm."
    );
    assert!(text.contains(
        "Văn phòng Ủy ban nhân dân tỉnh được tính điểm theo quy định đối với trường hợp nội dung không áp dụng, không so \
         sánh với các cơ quan khác ở tiêu chí này."
    ));
    // District ranks: the nine are compared as their lineage declares (Quảng Hòa with Quảng
    // Uyên, whose 13th place it carries), places counted among them, and it says so.
    assert!(text.contains(
        "trong 09 đơn vị có thứ hạng so sánh được với năm 2019 (Huyện Hà Quảng so với Huyện Hà Quảng trước sắp xếp; \
         Huyện Trùng Khánh so với Huyện Trùng Khánh trước sắp xếp; Huyện Quảng Hòa so với Huyện Quảng Uyên), đơn vị có \
         bước tiến lớn nhất, tăng 4 bậc trong nhóm so sánh được: Huyện Trùng Khánh (từ vị trí thứ 9 năm 2019 lên vị \
         trí thứ 3 năm 2020, 70,43 điểm)"
    ));
    assert!(text.contains(
        "Huyện Quảng Hòa (sáp nhập Huyện Quảng Uyên và Huyện Phục Hòa; so sánh với Huyện Quảng Uyên năm 2019)"
    ));
    // Quảng Hòa did not exist in 2019: last this year, not "two years running" (Quảng Uyên was last).
    assert!(text.contains("là đơn vị xếp vị trí thấp nhất (9/9)."));
    assert!(!text.contains("(9/9) hai năm liên tiếp"));
    // Bảng 8 prints the 2019 rank of the unit each district is compared with, as the
    // hand-made report did, and says whose it is.
    let doc = cao_bang();
    let b8 = doc
        .body
        .iter()
        .find_map(|b| match b {
            Block::Table(t) if t.number == 8 => Some(t),
            _ => None,
        })
        .unwrap();
    let row = |name: &str| b8.rows.iter().find(|r| r.cells[1].printed() == name).unwrap();
    assert_eq!(row("Huyện Quảng Hòa").cells[3..5].iter().map(|c| c.printed()).collect::<Vec<_>>(), ["9", "13"]);
    assert_eq!(row("Huyện Bảo Lạc").cells[3..5].iter().map(|c| c.printed()).collect::<Vec<_>>(), ["6", "12"]);
    let notes: Vec<String> = b8.notes.iter().map(|n| n.plain()).collect();
    assert!(
        notes.iter().any(|n| n.contains(
            "Huyện Quảng Hòa (sáp nhập Huyện Quảng Uyên và Huyện Phục Hòa) hình thành năm 2020 do sáp nhập; cột năm 2019 \
             là kết quả của Huyện Quảng Uyên"
        )),
        "{notes:?}"
    );
    // No note repeats its header ("Hiện diện: Mức độ hiện diện"); abbreviations are explained.
    assert!(!notes.iter().any(|n| n.starts_with("Hiện diện:")), "{notes:?}");
    assert!(notes.iter().any(|n| n == "ĐKSS CQĐT: Điều kiện sẵn sàng Chính quyền điện tử."), "{notes:?}");
    // Transformation: the six that rose all rose by the same: no "tăng nhiều nhất".
    let transformation = sentence("Cả 09 đơn vị được chấm điểm đều đạt 1,00 điểm");
    let changes = text[text.find(&transformation).unwrap()..].lines().nth(1).unwrap();
    assert!(changes.starts_with("So với năm 2019, trong 09 đơn vị so sánh được: 06 đơn vị tăng điểm"), "{changes}");
    assert!(!changes.contains("tăng nhiều nhất"), "{changes}");
}

#[test]
fn conclusion_holds_the_assessment_and_the_chairmans_requirements() {
    let text = paragraphs(&cao_bang()).join("\n");
    let conclusion = &text[text.find("chưa cao và chưa đồng đều").expect("the assessment")..];
    for expected in [
        "Chủ tịch UBND tỉnh nhắc nhở UBND huyện Thạch An",
        "Quyết định số 46/2019/QĐ-UBND ngày 29/10/2019",
        "Trên cơ sở kết quả đánh giá, xếp hạng mức độ ứng dụng CNTT năm 2020, Chủ tịch UBND tỉnh yêu cầu:",
        "- Chủ tịch UBND huyện Thạch An có trách nhiệm chỉ đạo",
        "- Trong năm 2021 và các năm tiếp theo",
        // Judgement sentences, past the thresholds of the settings (25 %, 50 %, 3 places).
        "Kết quả giữa các cơ quan chưa đồng đều: chênh lệch giữa cơ quan có tổng điểm cao nhất và thấp nhất là 23,4 \
         điểm, bằng 39,0% điểm tối đa.",
        "Mức độ giao dịch (bình quân đạt 15,1% điểm tối đa)",
        "Sở Tài nguyên và Môi trường (từ thứ 13 năm 2019 xuống thứ 18 năm 2020)",
    ] {
        assert!(conclusion.contains(expected), "missing: {expected}\n---\n{conclusion}");
    }
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
    // The issuing body bold, each block with a drawn rule under it (not underlined text).
    assert!(doc.contains("<w:rPr><w:b/><w:bCs/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">ỦY BAN NHÂN DÂN<"));
    assert!(doc.contains("<w:rPr><w:b/><w:bCs/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">Độc lập - Tự do - Hạnh phúc<"));
    let header_table = doc.split("</w:tbl>").next().unwrap();
    assert_eq!(header_table.matches("<w:pBdr><w:top w:val=\"single\"").count(), 2);
    assert!(!header_table.contains("<w:u "));
    assert!(head[1][1].starts_with("Cao Bằng, ngày"));
    // The signatory from the settings; heading styles; document properties.
    assert!(doc.contains(">Lê Hải Hòa<"));
    assert!(styles.contains("w:styleId=\"Heading1\"") && styles.contains("<w:outlineLvl w:val=\"0\"/>"));
    assert!(doc.contains("<w:pStyle w:val=\"Heading1\"/>"));
    let core = unzip(&bytes, "docProps/core.xml");
    assert!(
        core.contains("<dc:creator>ỦY BAN NHÂN DÂN TỈNH CAO BẰNG</dc:creator>") && core.contains("<dc:title>BÁO CÁO")
    );
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
    // Charts are real Word charts, labelled with a decimal comma, carrying their data.
    let pie = unzip(&bytes, "word/charts/chart1.xml");
    assert!(pie.contains("<c:pieChart>") && pie.contains("<a:t>01 (5,0%)</a:t>"), "{pie}");
    let bars = unzip(&bytes, "word/charts/chart2.xml");
    assert!(bars.contains("<a:t>56,3</a:t>") && !bars.contains("<a:t>56.3</a:t>"));
    assert!(unzip(&bytes, "[Content_Types].xml").contains("drawingml.chart+xml"));
    assert!(bars.contains("<c:externalData r:id=\"rIdData\">"));
    assert!(
        unzip(&bytes, "word/charts/_rels/chart2.xml.rels").contains("../embeddings/Microsoft_Excel_Worksheet2.xlsx")
    );
    {
        use calamine::{Data, Reader, Xlsx};
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut workbook = Vec::new();
        zip.by_name("word/embeddings/Microsoft_Excel_Worksheet2.xlsx").unwrap().read_to_end(&mut workbook).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(workbook)).unwrap();
        let sheet = book.worksheet_range("Sheet1").unwrap();
        assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("Sở Giáo dục và Đào tạo".into())));
        assert_eq!(sheet.get_value((1, 1)), Some(&Data::Float(56.3)));
        assert_eq!(sheet.get_value((0, 2)), Some(&Data::String("Năm 2019".into())));
    }
    // The districts' level pie would be nine "KXH" and one "no data": no chart says that.
    assert!(!unzip(&bytes, "word/charts/chart3.xml").contains("<c:pieChart>"));
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
fn a_long_ranking_prints_its_ends_in_the_document_and_every_unit_in_the_xlsx() {
    use calamine::{Reader, Xlsx};
    // The 20 departments with the first and last 3 asked for: the DOCX and HTML print
    // 3 + a row counting the 14 between + 3; the XLSX keeps all 20 rows of the same table.
    let doc =
        load("cao-bang", 2020, Some(2019), &["department"]).document_rows(2020, false, chiso_domain::UnitRows::Ends(3));
    let html = chiso_report::html::render(&doc);
    let b1 = &html[html.find("Bảng 1").unwrap()..];
    let b1 = &b1[..b1.find("</table>").unwrap()];
    assert!(b1.contains("Sở Giáo dục và Đào tạo") && b1.contains("Sở Xây dựng"), "first and last");
    assert!(!b1.contains("Sở Tư pháp"), "7th of 20: left out of the document");
    assert!(b1.contains("… 14 đơn vị khác, xem đầy đủ trong tệp XLSX kèm theo"));
    assert!(html.contains("Bảng in 3 cơ quan đầu bảng và 3 cơ quan cuối bảng trong số 20 cơ quan"), "a note says so");
    let docx = chiso_report::docx::render(&doc);
    // Two header rows, the maximum, 3, the gap, 3.
    assert_eq!(docx_table(&unzip(&docx, "word/document.xml"), 1).len(), 2 + 1 + 3 + 1 + 3);
    let xlsx = chiso_report::xlsx::render(&doc).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Bảng 1").unwrap();
    let names: Vec<String> = sheet.rows().skip(5).map(|r| r[1].to_string()).collect();
    assert_eq!(names.len(), 20, "{names:?}");
    assert!(names.contains(&"Sở Tư pháp".to_string()));
    // The total chart shows the same ends.
    let figure = doc.body.iter().find_map(|b| match b {
        Block::Figure(f) if f.caption.starts_with("Tổng điểm") => Some(f),
        _ => None,
    });
    assert!(figure.unwrap().caption.ends_with("(3 cơ quan đầu bảng và 3 cơ quan cuối bảng)"));
    // By default 20 departments are printed whole.
    assert!(!chiso_report::html::render(&cao_bang()).contains("đơn vị khác, xem đầy đủ"));
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
fn files_made_side_by_side_are_the_files_made_one_after_the_other() {
    use chiso_report::files::{Wanted, render};
    let doc = cao_bang();
    let all = render(&doc, Wanted { docx: true, xlsx: true, html: true });
    assert_eq!(all.docx.unwrap(), chiso_report::docx::render(&doc));
    assert_eq!(all.xlsx.unwrap().unwrap(), chiso_report::xlsx::render(&doc).unwrap());
    assert_eq!(all.html.unwrap(), chiso_report::html::render(&doc));
    let html_only = render(&doc, Wanted { html: true, ..Wanted::default() });
    assert!(html_only.docx.is_none() && html_only.xlsx.is_none() && html_only.html.is_some());
}

/// The report's files with the workbook's own sheets made as they are written are the files of
/// the whole document, byte for byte: the full tables in the document (the seed), in the
/// XLSX only (the seed asked so), and compared with the previous year or not.
#[test]
fn the_reports_files_are_the_whole_documents_files() {
    use chiso_domain::report_settings::Tables;
    use chiso_report::files::{Wanted, render, render_report};
    let all = Wanted { docx: true, xlsx: true, html: true };
    let same = |year: &Year, y: i32, tune: &dyn Fn(&mut chiso_domain::ReportSettings)| {
        let whole = year.document_tuned(y, tune);
        let expected = render(&whole, all);
        year.inputs(y, tune, |settings, inputs| {
            let report = chiso_report::build_report(settings, y, inputs);
            assert!(report.document.data.is_empty(), "the figures are the workbook's, made when written");
            let made = render_report(&report, all);
            assert_eq!(made.docx, expected.docx);
            assert_eq!(made.html, expected.html);
            assert_eq!(made.xlsx.unwrap().unwrap(), expected.xlsx.as_ref().unwrap().as_ref().unwrap()[..]);
            assert_eq!(report.into_document(), whole, "the same document");
        });
    };
    let compared = load("cao-bang", 2020, Some(2019), &["department", "district"]);
    same(&compared, 2020, &|_| {});
    let xlsx_only = |s: &mut chiso_domain::ReportSettings| {
        s.tables = Tables { summary: Some(true), levels: None, top: Some(3), bottom: Some(2), full: Some(false) }
    };
    same(&compared, 2020, &xlsx_only);
    same(&compared, 2020, &|s| {
        xlsx_only(s);
        s.appendix = true;
    });
    let alone = load("cao-bang", 2019, None, &["department", "district"]);
    same(&alone, 2019, &xlsx_only);
}

#[test]
fn html_is_one_self_contained_escaped_page() {
    let html = chiso_report::html::render(&cao_bang());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    assert_eq!(html.matches("<svg").count(), 3); // levels and totals of departments, totals of districts
    assert!(html.contains("<td class=\"name\">Sở Lao động, Thương binh và Xã hội</td>"));
    // The header block per Nghị định 30, and the same sentences as the DOCX.
    assert!(
        html.contains("<p class=\"body\">ỦY BAN NHÂN DÂN</p><p class=\"body\">TỈNH CAO BẰNG</p><div class=\"short\">")
    );
    assert!(html.contains("<strong class=\"rule\">Độc lập - Tự do - Hạnh phúc</strong>"));
    assert!(html.contains("Cả 09 đơn vị được chấm điểm đều đạt 1,00 điểm ở tiêu chí Mức độ chuyển đổi"));
    assert!(html.contains("trong 09 đơn vị có thứ hạng so sánh được với năm 2019"));
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

/// Every word of a DOCX (document, headers, charts), as Word would show it.
fn docx_words(bytes: &[u8]) -> std::collections::HashSet<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut words = std::collections::HashSet::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if !f.name().ends_with(".xml") {
            continue;
        }
        let mut xml = String::new();
        f.read_to_string(&mut xml).unwrap();
        // Text between tags; a tag separates words only where Word would (paragraphs, cells).
        let mut text = String::new();
        let mut tag = String::new();
        let mut inside = false;
        for c in xml.chars() {
            match (c, inside) {
                ('<', _) => {
                    inside = true;
                    tag.clear();
                }
                ('>', true) => {
                    inside = false;
                    if tag.starts_with("/w:p")
                        || tag.starts_with("/w:tc")
                        || tag.starts_with("/c:v")
                        || tag.starts_with("/a:p")
                    {
                        text.push(' ');
                    }
                }
                (c, true) => tag.push(c),
                (c, false) => text.push(c),
            }
        }
        let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
        words.extend(text.split_whitespace().map(str::to_string));
    }
    words
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// The DOCX through LibreOffice, read back as a reader would: every word printed is a whole
/// word of the document (no "Nă m", "ST T" from a column narrower than its longest word), and
/// no number has a decimal point, charts included. Returns the PDF's text on one line.
fn reads_back(docx: &[u8]) -> String {
    let pdf = chiso_report::pdf::convert(docx, std::time::Duration::from_secs(180)).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    let words = docx_words(docx);
    // pdftotext joins a word broken after its hyphen at a line end ("1513/QĐ-" "UBND").
    let unhyphenated: std::collections::HashSet<String> = words.iter().map(|w| w.replace('-', "")).collect();
    let broken: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !words.contains(*w) && !unhyphenated.contains(*w) && w.parse::<u32>().is_err())
        .collect();
    assert!(broken.is_empty(), "words not in the DOCX (broken in a cell?): {broken:?}");
    // Headings "2.1." are numbering, not numbers.
    let dotted: Vec<&str> = text
        .lines()
        .filter(|l| {
            let b = l.as_bytes();
            let numbering = l
                .split(' ')
                .next()
                .is_some_and(|n| n.ends_with('.') && n.chars().all(|c| c.is_ascii_digit() || c == '.'));
            !numbering && b.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
        })
        .collect();
    assert!(dotted.is_empty(), "decimal points: {dotted:?}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pdf_is_the_docx_converted_by_libreoffice_or_a_clear_error() {
    let docx = chiso_report::docx::render(&cao_bang());
    if chiso_report::pdf::soffice().is_none() {
        let e = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(5)).unwrap_err();
        assert!(e.to_string().contains("libreoffice-writer-nogui"));
        return;
    }
    let flat = reads_back(&docx);
    assert!(flat.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && flat.contains("56,3"));
    // The conclusion with the Chairman's requirements, the signatory, no appendix.
    assert!(flat.contains("Chủ tịch UBND tỉnh yêu cầu:") && flat.contains("Lê Hải Hòa"));
    assert!(!flat.contains("PHỤ LỤC") && !flat.contains("Kèm theo"));
    assert!(flat.contains("Bảng 8. Xếp hạng mức độ phát triển Chính quyền điện tử"));
    // Chart labels with a decimal comma, in the PDF whatever LibreOffice's locale.
    assert!(flat.contains("01 (5,0%)") && flat.contains("78,17"), "{flat}");
    // Its pages counted (the platform's work page shows them): the seed's report is several.
    let pdf = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).unwrap();
    let pages = chiso_report::pdf::pages(&pdf);
    assert!((5..60).contains(&pages), "{pages} pages");
    // The same DOCX again (a second download of a published version): no new conversion.
    let start = std::time::Instant::now();
    let again = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).unwrap();
    assert!(start.elapsed() < std::time::Duration::from_millis(500), "{:?}", start.elapsed());
    assert_eq!(pdf_text(&again).split_whitespace().collect::<Vec<_>>().join(" "), flat);
}

#[test]
fn other_reports_read_back_whole_too_the_example_and_the_appendix() {
    if chiso_report::pdf::soffice().is_none() {
        return;
    }
    // A framework and units the report code has never seen.
    let example = load("example", 2024, Some(2023), &["agency"]).document(2024);
    let flat = reads_back(&chiso_report::docx::render(&example));
    assert!(flat.contains("Cơ quan mẫu Đông"));
    // The appendix, when asked for, after the signature with its "Kèm theo" line.
    let doc = load("cao-bang", 2020, Some(2019), &["department", "district"]).document_with(2020, true);
    let flat = reads_back(&chiso_report::docx::render(&doc));
    let signature = flat.find("Lê Hải Hòa").unwrap();
    let annex = flat.find("PHỤ LỤC").unwrap();
    assert!(
        signature < annex && flat[annex..].contains("(Kèm theo Báo cáo số /BC-UBND ngày tháng năm )"),
        "{}",
        &flat[annex..]
    );
}

#[test]
fn the_appendix_is_off_unless_asked_and_then_attached_by_number_naming_every_unit() {
    assert!(cao_bang().appendix.is_empty());
    let doc = load("cao-bang", 2020, Some(2019), &["department", "district"]).document_with(2020, true);
    let text: Vec<String> = doc
        .appendix
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => Some(p.plain()),
            Block::Heading { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(text[0], "PHỤ LỤC");
    let squeezed: Vec<String> = text.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert!(squeezed.contains(&"(Kèm theo Báo cáo số /BC-UBND ngày tháng năm )".to_string()), "{text:?}");
    assert!(
        text.iter().any(|t| t.starts_with("(Kèm theo Báo cáo số      /BC-UBND")),
        "the number left blank: {text:?}"
    );
    let all = text.join("\n");
    for gone in ["kịch bản", "hạt giống", "5–95", "hoán đổi", "đơn vị khác"] {
        assert!(!all.contains(gone), "{gone}: {all}");
    }
    let tables: Vec<&chiso_report::model::Table> = doc
        .appendix
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    let next = tables.iter().find(|t| t.caption.contains("mức độ ứng dụng CNTT")).unwrap();
    // Sở Lao động, TB&XH at 46,3 needs 1,7 points for Mức II, all in online services (0,4 → 2,1).
    let ld = next.rows.iter().find(|r| r.cells[1].printed() == "Sở Lao động, Thương binh và Xã hội").unwrap();
    let printed: Vec<String> = ld.cells.iter().map(|c| c.printed()).collect();
    assert_eq!(printed[2..], ["46,3", "Mức II", "1,7", "Cung cấp dịch vụ công trực tuyến mức độ 3, 4: thêm 1,7 điểm"]);
    // Every unit with a level above it is in the table, or named as already at the top.
    assert!(all.contains("Sở Giáo dục và Đào tạo đã đạt mức xếp hạng cao nhất"));
    assert_eq!(next.rows.len(), 19);
    let html = chiso_report::html::render(&doc);
    assert!(html.contains("PHỤ LỤC") && html.contains("Kèm theo Báo cáo số"));
}

#[test]
fn xlsx_data_sheets_speak_the_readers_language_and_print_on_a_page_width() {
    use calamine::{Data, Reader, Xlsx};
    let bytes = chiso_report::xlsx::render(&cao_bang()).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let data = book.worksheet_range("Số liệu department").unwrap();
    let header: Vec<String> = data.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "Đơn vị");
    assert!(!header.contains(&"Nhóm".to_string()), "no empty group column: {header:?}");
    assert!(header.iter().any(|h| h.starts_with("Cung cấp dịch vụ công trực tuyến")), "{header:?}");
    assert!(!header.iter().any(|h| h == "online_services" || h == "infra"), "{header:?}");
    // The Provincial Office has no procedures: "Không áp dụng", never "N/A".
    let office = data.rows().find(|r| r[0] == Data::String("Văn phòng Ủy ban nhân dân tỉnh".into())).unwrap();
    assert!(office.iter().any(|c| c == &Data::String("Không áp dụng".into())), "{office:?}");
    assert!(!data.rows().flatten().any(|c| c == &Data::String("N/A".into())));
    // Every sheet prints landscape, one page wide, its header rows repeated.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet1 = {
        let mut s = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    };
    assert!(sheet1.contains("orientation=\"landscape\"") && sheet1.contains("fitToHeight=\"0\""), "{sheet1}");
    let workbook = {
        let mut s = String::new();
        zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    };
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
}

#[test]
fn a_table_too_wide_for_a_portrait_page_gets_its_own_landscape_section() {
    use chiso_report::model::{Cell, HeaderCell, Paragraph, ParagraphStyle, Row, RowKind, Run, Table};
    let head = |t: &str| HeaderCell { text: t.into(), colspan: 1, rowspan: 1 };
    let mut header = vec![head("TT"), head("Đơn vị")];
    header.extend((0..22).map(|i| head(&format!("Năm {}", 2000 + i))));
    let mut cells = vec![Cell::int(1), Cell::text("Thành phố Cao Bằng")];
    cells.extend((0..22).map(|_| Cell::number("78.17".parse().unwrap(), 2)));
    let mut doc = cao_bang();
    let caption = Paragraph {
        runs: vec![Run { text: "Bảng 99. Tổng điểm qua các năm".into(), bold: true, ..Default::default() }],
        style: ParagraphStyle::Caption,
    };
    doc.body.push(Block::Paragraph(caption));
    doc.body.push(Block::Table(Table {
        number: 99,
        caption: "Tổng điểm qua các năm".into(),
        header: vec![header],
        rows: vec![Row { kind: RowKind::Unit, cells }],
        notes: vec![],
        widths: vec![],
        ends: None,
        workbook_only: false,
    }));
    doc.body.push(Block::Paragraph(Paragraph::text("Sau bảng, trang dọc trở lại.")));
    let docx = chiso_report::docx::render(&doc);
    let xml = unzip(&docx, "word/document.xml");
    assert_eq!(xml.matches("w:orient=\"landscape\"").count(), 1);
    assert_eq!(xml.matches("<w:sectPr>").count(), 3, "portrait, landscape, portrait");
    // The landscape section starts before the caption and ends after the table.
    let caption_at = xml.find("Bảng 99. Tổng điểm qua các năm").unwrap();
    let sections: Vec<usize> = xml.match_indices("<w:sectPr>").map(|(i, _)| i).collect();
    assert!(sections[0] < caption_at && caption_at < sections[1]);
    assert!(xml[sections[1]..].contains("w:orient=\"landscape\"") && xml.find("Sau bảng").unwrap() > sections[1]);
    // Only the first section has the title page without a number.
    assert_eq!(xml.matches("<w:titlePg/>").count(), 1);
    // LibreOffice turns that page, and only that one; no word of the table is broken.
    if chiso_report::pdf::soffice().is_some() {
        let pdf = chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(180)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let info = std::process::Command::new("pdfinfo").args(["-f", "1", "-l", "99"]).arg(&path).output().unwrap();
        let info = String::from_utf8(info.stdout).unwrap();
        let sizes: Vec<&str> = info.lines().filter(|l| l.starts_with("Page") && l.contains("size:")).collect();
        let landscape = sizes.iter().filter(|l| l.contains("841.") && l.contains("x 595")).count();
        assert_eq!(landscape, 1, "{sizes:?}");
        assert!(sizes.last().unwrap().contains("595.") && sizes.last().unwrap().contains("x 841"), "{sizes:?}");
        let words: Vec<String> = pdf_text(&pdf).split_whitespace().map(str::to_string).collect();
        let at = words.iter().position(|w| w == "99.").expect("the caption");
        // The 22 year headers, each whole ("Năm" then "20xx").
        let years =
            words[at..].windows(2).filter(|w| w[0] == "Năm" && w[1].len() == 4 && w[1].starts_with("20")).count();
        assert_eq!(years, 22, "{:?}", &words[at..]);
    }
}
