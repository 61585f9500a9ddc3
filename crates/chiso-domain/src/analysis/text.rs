//! The summary sentences of a stability analysis, per language. The report, the web
//! platform and the command line print these; nothing else in the analysis writes
//! sentences.

use super::stability::{HOLD, INTERCHANGEABLE, Share, Summary};
use crate::framework::Framework;
use crate::number::format_fixed;

pub use crate::Lang;

/// A share as a whole percentage, rounded down (a share just under 1 never reads 100 %).
pub fn percent(share: Share) -> u32 {
    if share >= 1.0 { 100 } else { (share * 100.0 + 1e-9).floor() as u32 }
}

fn ranks(runs: &[(u32, u32)], lang: Lang) -> String {
    let one = |&(a, b): &(u32, u32)| if a == b { a.to_string() } else { format!("{a}–{b}") };
    let items: Vec<String> = runs.iter().map(one).collect();
    let and = match lang {
        Lang::Vi => " và ",
        Lang::En => " and ",
    };
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{and}{last}", rest.join(", ")),
    }
}

fn names(list: &[String], lang: Lang) -> String {
    const SHOWN: usize = 5;
    let mut s = list.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if list.len() > SHOWN {
        s += &match lang {
            Lang::Vi => format!(" và {} đơn vị khác", list.len() - SHOWN),
            Lang::En => format!(" and {} more", list.len() - SHOWN),
        };
    }
    s
}

impl Summary {
    /// One sentence, in `lang`, with the framework's number format.
    pub fn sentence(&self, fw: &Framework, lang: Lang) -> String {
        let sep = if lang == Lang::Vi { ',' } else { '.' };
        let hold = percent(HOLD);
        match self {
            Summary::Weights {
                ranking_group,
                units,
                spread,
                top_kept,
                top_kept_share,
                leader_share,
                interchangeable,
            } => {
                let spread = (spread * 100.0).round() as u32;
                let top = percent(*top_kept_share);
                let flips = percent(INTERCHANGEABLE);
                let (group, head) = match lang {
                    Lang::Vi => (
                        ranking_group.as_ref().map(|g| format!("Nhóm xếp hạng {g}: ")).unwrap_or_default(),
                        format!("Khi trọng số mỗi nhóm tiêu chí thay đổi ±{spread} %, "),
                    ),
                    Lang::En => (
                        ranking_group.as_ref().map(|g| format!("Ranking group {g}: ")).unwrap_or_default(),
                        format!("With each group's weight varied by ±{spread} %, "),
                    ),
                };
                let kept = match (lang, *top_kept) {
                    (Lang::Vi, 0) => {
                        format!("đơn vị đứng đầu chỉ giữ vị trí trong {} % kịch bản", percent(*leader_share))
                    }
                    (Lang::En, 0) => {
                        format!("the leader keeps first place in only {} % of scenarios", percent(*leader_share))
                    }
                    (Lang::Vi, k) if k == *units => format!("cả {k} đơn vị giữ nguyên thứ hạng trong {top} % kịch bản"),
                    (Lang::En, k) if k == *units => format!("all {k} units keep their ranks in {top} % of scenarios"),
                    (Lang::Vi, 1) => format!("đơn vị đứng đầu giữ vị trí trong {top} % kịch bản"),
                    (Lang::En, 1) => format!("the leader keeps first place in {top} % of scenarios"),
                    (Lang::Vi, k) => format!("{k} đơn vị đứng đầu giữ nguyên vị trí trong {top} % kịch bản"),
                    (Lang::En, k) => format!("the top {k} hold their places in {top} % of scenarios"),
                };
                let swaps = match (lang, interchangeable.is_empty()) {
                    (Lang::Vi, true) => {
                        format!("không có cặp đơn vị liền kề nào đổi chỗ trong từ {flips} % kịch bản trở lên")
                    }
                    (Lang::En, true) => format!("no two neighbours swap places in {flips} % of scenarios or more"),
                    (Lang::Vi, false) => {
                        format!("các hạng {} có thể hoán đổi cho nhau", ranks(interchangeable, lang))
                    }
                    (Lang::En, false) => format!("ranks {} are interchangeable", ranks(interchangeable, lang)),
                };
                format!("{group}{head}{kept}; {swaps}.")
            }
            Summary::Thresholds { step, units, kept, near } => {
                let r = fw.total_rounding();
                let step = format_fixed(r.round(*step), r.decimals, sep);
                let unit = if fw.index.is_some() {
                    ""
                } else if lang == Lang::Vi {
                    " điểm"
                } else {
                    " points"
                };
                match (lang, near.is_empty()) {
                    (Lang::Vi, true) => format!(
                        "Khi ngưỡng các mức dịch chuyển ±{step}{unit}, cả {units} đơn vị giữ nguyên mức trong ít nhất {hold} % kịch bản."
                    ),
                    (Lang::En, true) => format!(
                        "With the level thresholds moved by up to ±{step}{unit}, all {units} units keep their level in at least {hold} % of scenarios."
                    ),
                    (Lang::Vi, false) => format!(
                        "Khi ngưỡng các mức dịch chuyển ±{step}{unit}, {kept}/{units} đơn vị giữ nguyên mức trong ít nhất {hold} % kịch bản; sát ngưỡng: {}.",
                        names(near, lang)
                    ),
                    (Lang::En, false) => format!(
                        "With the level thresholds moved by up to ±{step}{unit}, {kept} of {units} units keep their level in at least {hold} % of scenarios; close to a threshold: {}.",
                        names(near, lang)
                    ),
                }
            }
            Summary::LeaveOneOut { groups, most, leader_kept } => {
                let leader = match (lang, leader_kept) {
                    (Lang::Vi, true) => "đơn vị đứng đầu giữ vị trí dù bỏ nhóm nào",
                    (Lang::Vi, false) => "đơn vị đứng đầu thay đổi khi bỏ một số nhóm",
                    (Lang::En, true) => "the leader stays first whichever group is left out",
                    (Lang::En, false) => "the leader changes when some groups are left out",
                };
                match (lang, most) {
                    (Lang::Vi, Some((_, label, changed, shift))) => format!(
                        "Bỏ lần lượt từng nhóm trong {groups} nhóm tiêu chí: bỏ nhóm “{label}” làm thay đổi nhiều nhất ({changed} đơn vị đổi hạng, lệch tối đa {shift} bậc); {leader}."
                    ),
                    (Lang::En, Some((_, label, changed, shift))) => format!(
                        "Leaving out each of the {groups} groups in turn: leaving out “{label}” changes most ({changed} units change rank, by up to {shift} places); {leader}."
                    ),
                    (Lang::Vi, None) => {
                        format!("Bỏ lần lượt từng nhóm trong {groups} nhóm tiêu chí không làm thay đổi thứ hạng nào.")
                    }
                    (Lang::En, None) => format!("Leaving out any one of the {groups} groups changes no rank."),
                }
            }
        }
    }
}
