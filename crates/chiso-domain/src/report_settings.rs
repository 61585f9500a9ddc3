//! What an official report needs beyond the results: who issues it, its number and
//! date, who signs it, who receives it, the province's own assessment and requirements,
//! and the thresholds of the judgement sentences generated from the data. Settings of a
//! year's report, given by the province.

use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ReportSettings {
    /// The body above the issuing body (cơ quan chủ quản), not bold; empty when the issuing
    /// body has none (a provincial People's Committee).
    pub parent_body: Vec<String>,
    /// Issuing body, one line each, as printed top left in bold ("ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG").
    pub issuing_body: Vec<String>,
    /// "Số: …/BC-UBND"; printed as given.
    pub number: String,
    /// Place in the date line ("Cao Bằng").
    pub place: String,
    /// (day, month, year); `None` prints "ngày … tháng … năm …" to be filled in by hand.
    pub date: Option<(u32, u32, i32)>,
    /// The subject under "BÁO CÁO".
    pub subject: String,
    /// Paragraphs of the purpose section.
    pub purpose: Vec<String>,
    /// One entry per unit kind, in the order the report presents them.
    pub kinds: Vec<KindSettings>,
    /// The province's overall assessment, first paragraphs of the conclusion.
    pub assessment: Vec<String>,
    /// Reminders (nhắc nhở) after the assessment and the generated sentences.
    pub reminders: Vec<String>,
    /// The line introducing the requirements ("… Chủ tịch UBND tỉnh yêu cầu:").
    pub requirements_intro: String,
    /// The requirements, one item each (printed with a leading dash).
    pub requirements: Vec<String>,
    /// Paragraphs of the conclusion, after the requirements.
    pub conclusion: Vec<String>,
    /// The last sentence before the recipients ("Trên đây là …").
    pub closing: String,
    pub recipients: Vec<String>,
    pub signatory: Signatory,
    /// Thresholds of the judgement sentences generated from the data.
    pub judgement: Judgement,
    /// Whether the analysis appendix (rank stability, paths to the next level) is attached.
    /// Off unless asked for: the official report publishes the ranking, not its sensitivity.
    pub appendix: bool,
    /// Whether each unit's rank move is explained in one sentence after the overall table
    /// (own change, others' changes, framework change). Off unless asked for.
    pub explain_moves: bool,
    /// Which units the per-unit tables and charts of the document show; the XLSX's data
    /// sheets always hold every unit.
    pub unit_rows: UnitRows,
    /// Which per-unit tables each kind's part of the document holds (`[tables]`).
    pub tables: Tables,
}

/// How many units a per-unit table of the document lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum UnitRows {
    /// Every unit up to [`UnitRows::AUTO_LIMIT`]; beyond, the first and last
    /// [`UnitRows::AUTO_ENDS`] (a document of thousands of rows is read by nobody).
    #[default]
    Auto,
    /// Every unit, however many.
    All,
    /// The first and the last N of each table.
    Ends(u32),
}

impl UnitRows {
    pub const AUTO_LIMIT: usize = 150;
    pub const AUTO_ENDS: usize = 20;

    /// For a table of `rows` units: `Some(n)` to print the first and last n only.
    pub fn ends(self, rows: usize) -> Option<usize> {
        let n = match self {
            UnitRows::All => return None,
            UnitRows::Auto if rows <= Self::AUTO_LIMIT => return None,
            UnitRows::Auto => Self::AUTO_ENDS,
            UnitRows::Ends(n) => n as usize,
        };
        (rows > 2 * n).then_some(n)
    }
}

/// Which per-unit tables a kind's part of the document holds (`[tables]` of the report
/// settings). A key left out (`None`) is chosen by the kind's size: a province's few dozen
/// units get their full tables as always; a kind of more than [`UnitRows::AUTO_LIMIT`]
/// units gets the summary and each group's first and last [`Tables::AUTO_ENDS`] instead,
/// the full tables going to the XLSX only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Tables {
    /// The count of units per level (and per ranking group).
    pub summary: Option<bool>,
    /// One table per level listing its units.
    pub levels: Option<LevelTables>,
    /// Each ranking group's first N units by rank.
    pub top: Option<u32>,
    /// Each ranking group's last N units by rank.
    pub bottom: Option<u32>,
    /// The full per-unit tables (the overall ranking, each criterion's comparison) in the
    /// document; they are in the XLSX either way.
    pub full: Option<bool>,
}

/// Which levels get a table of their units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub enum LevelTables {
    #[default]
    None,
    All,
    /// These levels, by name, in the framework's order.
    Named(Vec<String>),
}

impl LevelTables {
    /// Whether the level called `name` gets a table.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            LevelTables::None => false,
            LevelTables::All => true,
            LevelTables::Named(names) => names.iter().any(|n| n == name),
        }
    }
}

/// The tables a kind's part prints, every choice made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChosenTables {
    pub summary: bool,
    pub levels: LevelTables,
    pub top: u32,
    pub bottom: u32,
    pub full: bool,
}

impl Tables {
    /// Each group's first and last units a large kind prints when the settings say nothing.
    pub const AUTO_ENDS: u32 = 10;

    /// The tables of a kind of `units` units, with `unit_rows` as the settings give it (an
    /// explicit `unit_rows` asks for the full tables, printed by their ends).
    pub fn chosen(&self, units: usize, unit_rows: UnitRows) -> ChosenTables {
        let large = units > UnitRows::AUTO_LIMIT;
        let ends = if large { Self::AUTO_ENDS } else { 0 };
        ChosenTables {
            summary: self.summary.unwrap_or(large),
            levels: self.levels.clone().unwrap_or_default(),
            top: self.top.unwrap_or(ends),
            bottom: self.bottom.unwrap_or(ends),
            full: self.full.unwrap_or(!large || unit_rows != UnitRows::Auto),
        }
    }

    /// The named levels that are not levels of a framework with these level names.
    pub fn unknown_levels<'a>(&'a self, levels: &[&str]) -> Vec<&'a str> {
        match &self.levels {
            Some(LevelTables::Named(names)) => {
                names.iter().map(String::as_str).filter(|n| !levels.contains(n)).collect()
            }
            _ => Vec::new(),
        }
    }
}

impl ReportSettings {
    /// Settings for a year the province gave none for: neutral wording, one part per
    /// (kind, framework name), in that order.
    pub fn neutral(year: i32, kinds: impl IntoIterator<Item = (String, String)>) -> ReportSettings {
        let kinds = kinds
            .into_iter()
            .map(|(kind, name)| KindSettings {
                kind,
                heading: format!("KẾT QUẢ: {}", name.to_uppercase()),
                noun: "đơn vị".into(),
                subject: name,
                history: Vec::new(),
            })
            .collect();
        ReportSettings {
            number: "Số:      /BC".into(),
            subject: format!("Kết quả đánh giá, xếp hạng năm {year}"),
            kinds,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct KindSettings {
    pub kind: String,
    /// Section heading ("KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG … CỦA CÁC CƠ QUAN CHUYÊN MÔN THUỘC UBND TỈNH").
    pub heading: String,
    /// How the report calls one unit of this kind in sentences ("cơ quan", "đơn vị").
    pub noun: String,
    /// What is assessed, for the method paragraph ("mức độ ứng dụng CNTT").
    pub subject: String,
    /// Earlier years known only by their published ranks (no figures): they count for
    /// "N năm liên tiếp".
    pub history: Vec<PublishedRanks>,
}

/// The ranks a year's report published, by unit id or name.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct PublishedRanks {
    pub year: i32,
    pub ranks: Vec<(String, u32)>,
}

impl PublishedRanks {
    /// The published rank of a unit, found by its id or its name.
    pub fn rank_of(&self, id: &str, name: &str) -> Option<u32> {
        self.ranks.iter().find(|(u, _)| u == id || u == name).map(|(_, r)| *r)
    }
}

/// When a judgement sentence is said. `None` leaves that sentence out.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Judgement {
    /// "kết quả chưa đồng đều" when the gap between highest and lowest total is at least
    /// this percentage of the maximum.
    pub uneven_gap_percent: Option<Decimal>,
    /// Groups whose mean is below this percentage of their maximum are named the weakest.
    pub weak_group_percent: Option<Decimal>,
    /// Units that fell at least this many places (among comparable units) are named.
    pub fall_places: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Signatory {
    /// "KT. CHỦ TỊCH"
    pub authority: String,
    /// "PHÓ CHỦ TỊCH"
    pub title: String,
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::{ChosenTables, LevelTables, Tables, UnitRows};

    #[test]
    fn a_province_keeps_its_full_tables_and_a_nation_gets_a_readable_document() {
        let small = Tables::default().chosen(20, UnitRows::Auto);
        let none = ChosenTables { summary: false, levels: LevelTables::None, top: 0, bottom: 0, full: true };
        assert_eq!(small, none, "today's documents unchanged");
        let large = Tables::default().chosen(4_500, UnitRows::Auto);
        assert_eq!(large, ChosenTables { summary: true, levels: LevelTables::None, top: 10, bottom: 10, full: false });
        assert!(Tables::default().chosen(4_500, UnitRows::Ends(5)).full, "asking for rows asks for the tables");
        let given = Tables {
            summary: Some(false),
            levels: Some(LevelTables::Named(vec!["Tốt".into()])),
            top: Some(3),
            bottom: Some(0),
            full: Some(true),
        };
        let chosen = given.chosen(4_500, UnitRows::Auto);
        assert_eq!((chosen.summary, chosen.top, chosen.bottom, chosen.full), (false, 3, 0, true));
        assert!(chosen.levels.includes("Tốt") && !chosen.levels.includes("Khá"));
        assert_eq!(given.unknown_levels(&["Tốt", "Khá"]), Vec::<&str>::new());
        assert_eq!(given.unknown_levels(&["Khá"]), vec!["Tốt"]);
        assert!(LevelTables::All.includes("Khá"));
    }

    #[test]
    fn a_table_prints_its_ends_only_when_long_enough_to_leave_some_out() {
        assert_eq!(UnitRows::Auto.ends(150), None, "a province's communes are printed whole");
        assert_eq!(UnitRows::Auto.ends(151), Some(20));
        assert_eq!(UnitRows::Auto.ends(4_500), Some(20));
        assert_eq!(UnitRows::All.ends(4_500), None);
        assert_eq!(UnitRows::Ends(3).ends(20), Some(3));
        assert_eq!(UnitRows::Ends(10).ends(20), None, "first 10 and last 10 of 20 are all 20");
    }
}
