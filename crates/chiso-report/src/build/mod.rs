//! From results to the document: structure, numbering, method and conclusion.
//! Sentences live in `narrative.rs`, tables and charts in `tables.rs`.

mod appendix;
mod conclusion;
mod facts;
mod moves;
mod narrative;
mod tables;
mod unit_tables;

pub use tables::DataRows;
pub(crate) use tables::Made;

use crate::model::{Block, Document, Header, Paragraph, Run};
use crate::vi;
use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use chiso_domain::{Comparison, KindSettings, Period, ReportSettings};

/// Last year's results of the same kind, and the comparison with them.
pub struct Previous<'a> {
    pub year: i32,
    pub framework: &'a Framework,
    pub results: &'a Results,
    /// One per unit of the current results, in the same order.
    pub comparisons: Vec<Comparison>,
}

/// One unit kind of the report.
pub struct KindInput<'a> {
    pub settings: &'a KindSettings,
    pub framework: &'a Framework,
    pub period: &'a Period,
    pub results: &'a Results,
    pub previous: Option<Previous<'a>>,
    /// Rank stability and paths to the next level, for the appendix.
    pub analysis: Option<Analysis>,
}

/// What the appendix shows of a kind: `chiso_domain::analysis` results.
pub struct Analysis {
    pub stability: chiso_domain::analysis::Stability,
    pub plans: Vec<chiso_domain::analysis::Plan>,
}

impl Analysis {
    /// The analysis with its defaults (10,000 draws, seed 1, weights ±20 %, thresholds ±2 %).
    pub fn compute(framework: &Framework, period: &Period, results: &Results) -> Analysis {
        Analysis::compute_with(framework, period, results, &chiso_domain::progress::Quiet)
    }

    /// [`Analysis::compute`], telling `progress` the draws done.
    pub fn compute_with(
        framework: &Framework,
        period: &Period,
        results: &Results,
        progress: &dyn chiso_domain::progress::Progress,
    ) -> Analysis {
        let options = chiso_domain::analysis::Options::for_framework(framework);
        Analysis {
            stability: chiso_domain::analysis::stability_with(framework, results, &options, progress),
            plans: chiso_domain::analysis::next_level(framework, results, period),
        }
    }
}

impl KindInput<'_> {
    pub(crate) fn decimals(&self) -> u32 {
        self.framework.rounding.decimals
    }

    pub(crate) fn comparison(&self, unit_index: usize) -> Option<&Comparison> {
        self.previous.as_ref().map(|p| &p.comparisons[unit_index])
    }

    pub(crate) fn with_data(&self) -> impl Iterator<Item = (usize, &chiso_domain::UnitResult)> {
        self.results.units.iter().enumerate().filter(|(_, u)| u.status != Status::NoData)
    }
}

/// Numbering of tables and figures across the whole document.
pub(crate) struct Counters {
    pub table: u32,
    pub figure: u32,
}

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// A kind being written: its input, and each result's submission found once (a
/// national period has thousands of units, and sentences ask per unit and criterion).
pub(crate) struct Kind<'a> {
    input: &'a KindInput<'a>,
    submissions: Vec<Option<&'a chiso_domain::period::Submission>>,
    /// Last year's result of the unit each result is compared with (itself or the
    /// predecessor it continues).
    compared_with: Vec<Option<&'a chiso_domain::UnitResult>>,
    /// Which units the per-unit tables and charts show.
    pub(crate) unit_rows: chiso_domain::UnitRows,
    /// Which per-unit tables the kind's part holds, chosen for its number of units.
    pub(crate) tables: chiso_domain::report_settings::ChosenTables,
}

impl<'a> Kind<'a> {
    fn new(input: &'a KindInput<'a>, settings: &ReportSettings) -> Kind<'a> {
        let unit_rows = settings.unit_rows;
        let tables = settings.tables.chosen(input.results.units.len(), unit_rows);
        let by_id: std::collections::HashMap<&chiso_domain::UnitId, &chiso_domain::period::Submission> =
            input.period.units.iter().filter_map(|p| Some((&p.unit, p.submission.as_ref()?))).collect();
        let submissions = input.results.units.iter().map(|u| by_id.get(&u.unit).copied()).collect();
        let compared_with = match &input.previous {
            Some(p) => {
                let by_id: std::collections::HashMap<&chiso_domain::UnitId, &chiso_domain::UnitResult> =
                    p.results.units.iter().map(|u| (&u.unit, u)).collect();
                p.comparisons.iter().map(|c| c.previous_unit.as_ref().and_then(|id| by_id.get(id).copied())).collect()
            }
            None => Vec::new(),
        };
        Kind { input, submissions, compared_with, unit_rows, tables }
    }

    /// Last year's result of the unit the result at `unit` is compared with.
    pub(crate) fn previous_result(&self, unit: usize) -> Option<&'a chiso_domain::UnitResult> {
        self.compared_with.get(unit).copied().flatten()
    }

    /// The submission of the unit at `unit` in the results.
    pub(crate) fn submission(&self, unit: usize) -> Option<&'a chiso_domain::period::Submission> {
        self.submissions.get(unit).copied().flatten()
    }
}

impl<'a> std::ops::Deref for Kind<'a> {
    type Target = KindInput<'a>;
    fn deref(&self) -> &KindInput<'a> {
        self.input
    }
}

/// A sheet of the workbook only, made from the results when the XLSX writes it: a full
/// per-unit table the settings keep out of the document, or a kind's figures. At national
/// size each is megabytes (every unit's row), and nothing else reads them.
#[derive(Clone, Copy, Debug)]
enum Deferred {
    /// The kind's overall ranking with every criterion.
    Overall { kind: usize },
    /// The comparison table of one criterion of the kind.
    Criterion { kind: usize, index: usize },
}

/// The report as built: the document (DOCX, HTML; its own tables) and the workbook's sheets
/// the document leaves out, each made when it is written ([`Report::workbook_table`],
/// [`Report::data_sheet`]), so that the full tables are never all held at once.
pub struct Report<'a> {
    /// The document without the workbook's own sheets (its `data` is empty).
    pub document: Document,
    kinds: Vec<Kind<'a>>,
    /// The workbook-only tables in their order, each with its number.
    workbook: Vec<(u32, Deferred)>,
    illustrative: bool,
}

impl Report<'_> {
    /// How many tables only the workbook holds (after the document's body tables, before
    /// the appendix's).
    pub fn workbook_tables(&self) -> usize {
        self.workbook.len()
    }

    /// The `i`th workbook-only table, made now.
    pub fn workbook_table(&self, i: usize) -> crate::model::Table {
        self.workbook_rows(i).whole()
    }

    /// The `i`th workbook-only table, its unit rows made when asked (as the XLSX writes them).
    pub(crate) fn workbook_rows(&self, i: usize) -> tables::Made<'_> {
        let (number, what) = self.workbook[i];
        let mut scratch = Counters { table: 0, figure: 0 };
        let mut made = match what {
            Deferred::Overall { kind } => tables::overall_rows(&self.kinds[kind], &mut scratch),
            Deferred::Criterion { kind, index } => tables::criterion_rows(&self.kinds[kind], index, &mut scratch),
        };
        let t = &mut made.frame;
        t.workbook_only = true;
        t.ends = None;
        t.number = number;
        if self.illustrative {
            t.caption = format!("{} ({})", t.caption, moves::ILLUSTRATIVE);
        }
        made
    }

    /// How many data sheets (one per kind).
    pub fn data_sheets(&self) -> usize {
        self.kinds.len()
    }

    /// The `i`th kind's figures as entered, made now.
    pub fn data_sheet(&self, i: usize) -> crate::model::DataSheet {
        tables::data_sheet(&self.kinds[i])
    }

    /// The `i`th kind's figures as entered, a row at a time.
    pub fn data_rows(&self, i: usize) -> DataRows<'_> {
        DataRows::of(&self.kinds[i])
    }

    /// The whole document, the workbook's sheets included (what [`build`] returns).
    pub fn into_document(self) -> Document {
        let tables: Vec<Block> = (0..self.workbook.len()).map(|i| Block::Table(self.workbook_table(i))).collect();
        let data = (0..self.kinds.len()).map(|i| self.data_sheet(i)).collect();
        let mut doc = self.document;
        doc.body.extend(tables);
        doc.data = data;
        doc
    }
}

/// The whole document: its text, its tables and the workbook's sheets.
pub fn build(settings: &ReportSettings, year: i32, inputs: &[KindInput]) -> Document {
    build_report(settings, year, inputs).into_document()
}

/// The report with the workbook's own sheets left to be made as they are written.
pub fn build_report<'a>(settings: &ReportSettings, year: i32, inputs: &'a [KindInput<'a>]) -> Report<'a> {
    let kinds: Vec<Kind> = inputs.iter().map(|k| Kind::new(k, settings)).collect();
    let mut body = Vec::new();
    let mut counters = Counters { table: 0, figure: 0 };
    // The full tables the settings keep out of the document: in the XLSX only, numbered
    // after the document's own tables, made when the XLSX is written.
    let mut workbook: Vec<Deferred> = Vec::new();
    let mut section = 0;
    let mut heading = |body: &mut Vec<Block>, text: String| {
        body.push(Block::Heading { level: 1, text: format!("{}. {text}", ROMAN[section.min(9)]) });
        section += 1;
    };

    if kinds.iter().any(|k| k.results.illustrative) {
        body.push(Block::Paragraph(moves::banner()));
    }
    heading(&mut body, "TỔNG QUAN BÁO CÁO".into());
    body.push(Block::Heading { level: 2, text: "1. Mục đích đánh giá".into() });
    body.extend(settings.purpose.iter().map(|p| Block::Paragraph(Paragraph::text(p))));
    body.push(Block::Heading { level: 2, text: "2. Nội dung, phương pháp đánh giá".into() });
    for (i, k) in kinds.iter().enumerate() {
        body.extend(method(k, i).into_iter().map(Block::Paragraph));
    }

    for (n, k) in kinds.iter().enumerate() {
        heading(&mut body, k.settings.heading.clone());
        body.push(Block::Heading { level: 2, text: "1. Kết quả tổng hợp".into() });
        body.extend(narrative::summary(k).into_iter().map(Block::Paragraph));
        if k.tables.summary {
            body.extend(unit_tables::summary(k, &mut counters));
        }
        if k.tables.full {
            body.extend(tables::overall(k, &mut counters));
        } else {
            workbook.push(Deferred::Overall { kind: n });
            body.push(Block::Paragraph(Paragraph::text(format!(
                "Bảng xếp hạng đầy đủ của {} {} (mức xếp hạng, thứ hạng, tổng điểm và điểm từng tiêu chí) ở tệp XLSX \
                 kèm theo.",
                vi::number(rust_decimal::Decimal::from(k.results.units.len()), 0),
                k.settings.noun
            ))));
        }
        body.extend(unit_tables::ends(k, &mut counters));
        body.extend(unit_tables::levels(k, &mut counters));
        if settings.explain_moves {
            body.extend(moves::sentences(k).into_iter().map(Block::Paragraph));
        }
        body.extend(tables::level_chart(k, &mut counters));
        body.extend(tables::total_chart(k, &mut counters));
        body.push(Block::Heading { level: 2, text: "2. Kết quả đánh giá theo từng nhóm tiêu chí".into() });
        if !k.tables.full {
            body.push(Block::Paragraph(Paragraph::text(format!(
                "Điểm từng nhóm tiêu chí, tiêu chí của tất cả các {} (năm {}{}) ở tệp XLSX kèm theo, mỗi tiêu chí một \
                 bảng.",
                k.settings.noun,
                k.results.year,
                k.previous.as_ref().map(|p| format!(" so với năm {}", p.year)).unwrap_or_default()
            ))));
            let mut scratch = Counters { table: 0, figure: counters.figure };
            let (blocks, indices) = groups(k, &mut scratch, false);
            // The sections' headings and sentences; their tables are the workbook's.
            body.extend(
                blocks
                    .into_iter()
                    .filter(|b| !matches!(b, Block::Paragraph(p) if p.style == crate::model::ParagraphStyle::Caption)),
            );
            workbook.extend(indices.into_iter().map(|index| Deferred::Criterion { kind: n, index }));
        } else {
            body.extend(groups(k, &mut counters, true).0);
        }
    }

    heading(&mut body, "KẾT LUẬN".into());
    body.extend(conclusion::paragraphs(settings, &kinds).into_iter().map(Block::Paragraph));
    if !settings.closing.is_empty() {
        body.push(Block::Paragraph(Paragraph::text(&settings.closing)));
    }
    let annex = if settings.appendix && kinds.iter().any(|k| k.analysis.is_some()) {
        appendix::annex(settings, &kinds, &mut counters)
    } else {
        Vec::new()
    };
    let _ = year;
    let workbook = workbook
        .into_iter()
        .map(|d| {
            counters.table += 1;
            (counters.table, d)
        })
        .collect();
    // Invented figures: every table says so too (tables become the workbook's sheets).
    let illustrative = kinds.iter().any(|k| k.results.illustrative);
    if illustrative {
        for b in body.iter_mut() {
            if let Block::Table(t) = b {
                t.caption = format!("{} ({})", t.caption, moves::ILLUSTRATIVE);
            }
        }
    }

    let document = Document {
        header: Header {
            parent_body: settings.parent_body.clone(),
            issuing_body: settings.issuing_body.clone(),
            number: settings.number.clone(),
            motto: ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(), "Độc lập - Tự do - Hạnh phúc".into()],
            date_line: vi::date_line(&settings.place, settings.date),
        },
        title: "BÁO CÁO".into(),
        subject: settings.subject.clone(),
        body,
        recipients: settings.recipients.clone(),
        signatory: settings.signatory.clone(),
        appendix: annex,
        data: Vec::new(),
    };
    Report { document, kinds, workbook, illustrative }
}

/// One section per top-level criterion; its children get sub-sections. Sections are
/// independent but for their table numbers (one table each, in order): they are written
/// on two threads, each numbering its tables from its place in the order. Without
/// `with_tables`, the sections' headings and sentences only, and the criteria whose tables
/// the workbook makes (in the sections' order).
fn groups(k: &Kind, counters: &mut Counters, with_tables: bool) -> (Vec<Block>, Vec<usize>) {
    let fw = k.framework;
    let nested = fw.roots.iter().any(|&r| !fw.criterion(r).children.is_empty());
    let letters = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n"];
    // (heading, criterion) in the document's order.
    let mut sections: Vec<(Block, usize)> = Vec::new();
    for (n, &root) in fw.roots.iter().enumerate() {
        let c = fw.criterion(root);
        let title = if nested {
            format!("2.{}. Nhóm tiêu chí {}", n + 1, c.name)
        } else {
            format!("{}) Tiêu chí {}", letters[n % letters.len()], c.name)
        };
        sections.push((Block::Heading { level: 3, text: title }, root));
        for (m, &child) in c.children.iter().enumerate() {
            let cc = fw.criterion(child);
            let text = format!("{}) {}", letters[m % letters.len()], cc.name);
            sections.push((Block::Heading { level: 4, text }, child));
        }
    }
    let (start, figure) = (counters.table, counters.figure);
    let section = |i: usize, (heading, index): &(Block, usize)| -> Vec<Block> {
        // The section's table is the (i + 1)-th from `start`.
        let mut own = Counters { table: start + i as u32, figure };
        let mut out = vec![heading.clone()];
        out.extend(narrative::criterion(k, *index).into_iter().map(Block::Paragraph));
        if with_tables {
            out.extend(tables::criterion(k, *index, &mut own));
            debug_assert_eq!(own.table, start + i as u32 + 1, "one table per section");
        }
        out
    };
    let half = sections.len().div_ceil(2);
    let (first, second) = sections.split_at(half);
    let (mut out, rest) = std::thread::scope(|s| {
        let later = s.spawn(|| second.iter().enumerate().flat_map(|(i, x)| section(half + i, x)).collect::<Vec<_>>());
        let out: Vec<Block> = first.iter().enumerate().flat_map(|(i, x)| section(i, x)).collect();
        (out, later.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    out.extend(rest);
    counters.table = start + sections.len() as u32;
    (out, sections.iter().map(|(_, index)| *index).collect())
}

fn method(k: &Kind, index: usize) -> Vec<Paragraph> {
    let fw = k.framework;
    let letter = ["a", "b", "c", "d", "đ", "e"][index % 6];
    let pts = vi::exact;
    let parts: Vec<String> = fw
        .roots
        .iter()
        .map(|&r| {
            let c = fw.criterion(r);
            let children: Vec<String> = c
                .children
                .iter()
                .map(|&k| format!("{} ({} điểm)", fw.criterion(k).name, pts(fw.criterion(k).max)))
                .collect();
            if children.is_empty() {
                format!("{} ({} điểm)", c.name, pts(c.max))
            } else {
                format!("{} ({} điểm, gồm: {})", c.name, pts(c.max), children.join("; "))
            }
        })
        .collect();
    let mut first = Paragraph::default();
    first.runs.push(Run {
        text: format!("{letter}) Về đánh giá, xếp hạng {}", k.settings.subject),
        italic: true,
        ..Default::default()
    });
    first.runs.push(Run {
        text: format!(
            ": thực hiện bằng phương pháp chấm điểm theo {} ({}), tổng điểm tối đa {} điểm, gồm {} nhóm tiêu chí: {}.",
            lower_first(&fw.name),
            fw.legal_basis,
            pts(fw.max),
            vi::count(fw.roots.len()),
            parts.join("; ")
        ),
        ..Default::default()
    });
    let levels: Vec<String> =
        fw.levels.iter().map(|l| format!("{} (điểm tối thiểu đạt {})", l.name, pts(l.min))).collect();
    let lowest = fw.levels.last().map(|l| l.name.clone()).unwrap_or_default();
    let second = if fw.levels.is_empty() {
        Paragraph::text(format!("Các {} được xếp thứ tự theo tổng điểm đánh giá.", k.settings.noun))
    } else {
        Paragraph::text(format!(
            "Trên cơ sở tổng điểm đánh giá, tiến hành xếp hạng theo {} mức từ cao đến thấp: {}. Các {noun} không đạt \
             điểm tối thiểu ở mức thấp nhất ({lowest}) thì không được xếp hạng mức (KXH); {noun} không cung cấp số liệu \
             thì không được đánh giá, xếp hạng.",
            vi::count(fw.levels.len()),
            levels.join(", "),
            noun = k.settings.noun
        ))
    };
    vec![first, second]
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
