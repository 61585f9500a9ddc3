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
    use super::UnitRows;

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
