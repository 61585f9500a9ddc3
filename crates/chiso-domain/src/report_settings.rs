//! What an official report needs beyond the results: who issues it, its number and
//! date, who signs it, who receives it. Settings of a year's report, given by the province.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ReportSettings {
    /// Issuing body, one line each, as printed top left ("ỦY BAN NHÂN DÂN", "TỈNH CAO BẰNG").
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
    /// Paragraphs of the conclusion, after the generated ones.
    pub conclusion: Vec<String>,
    /// The last sentence before the recipients ("Trên đây là …").
    pub closing: String,
    pub recipients: Vec<String>,
    pub signatory: Signatory,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Signatory {
    /// "KT. CHỦ TỊCH"
    pub authority: String,
    /// "PHÓ CHỦ TỊCH"
    pub title: String,
    pub name: Option<String>,
}
