//! The command line's own words, per language.

use chiso_data::Lang;

pub struct Text {
    pub rank_no: &'static str,
    pub unit: &'static str,
    pub level: &'static str,
    pub rank: &'static str,
    pub total: &'static str,
    pub max_points: &'static str,
    pub not_ranked: &'static str,
    pub no_data: &'static str,
    pub framework_ok: &'static str,
    pub imported: &'static str,
    pub conflicts: &'static str,
    pub no_conflicts: &'static str,
    pub renamed: &'static str,
    pub wrote: &'static str,
}

pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

static VI: Text = Text {
    rank_no: "TT",
    unit: "Đơn vị",
    level: "Mức xếp hạng",
    rank: "Thứ tự xếp hạng",
    total: "Tổng điểm",
    max_points: "Điểm tối đa",
    not_ranked: "KXH",
    no_data: "Không xếp hạng do không cung cấp số liệu.",
    framework_ok: "Bộ tiêu chí hợp lệ",
    imported: "Đã nhập số liệu",
    conflicts: "Giá trị in khác nhau ở các bảng",
    no_conflicts: "Không có giá trị nào in khác nhau giữa các bảng.",
    renamed: "Tên in là tên cũ/khác của đơn vị",
    wrote: "Đã ghi",
};

static EN: Text = Text {
    rank_no: "No.",
    unit: "Unit",
    level: "Level",
    rank: "Rank",
    total: "Total",
    max_points: "Maximum",
    not_ranked: "KXH",
    no_data: "Not ranked: supplied no data.",
    framework_ok: "Framework is valid",
    imported: "Imported figures",
    conflicts: "Values printed differently in different tables",
    no_conflicts: "No value is printed differently in two tables.",
    renamed: "Printed under another (former) name",
    wrote: "Wrote",
};
