use crate::error::ErrorKind;
use chiso_domain::framework::FrameworkError as F;
use chiso_domain::period::AnswerError as A;
use chiso_domain::unit::RegistryError as R;

pub(super) fn kind(k: &ErrorKind) -> String {
    use ErrorKind::*;
    match k {
        Io(e) => format!("không đọc được tệp ({e})"),
        Syntax(e) => format!("lỗi cú pháp: {e}"),
        Framework(e) => framework(e),
        Registry(e) => registry(e),
        Version(e) => format!("phiên bản trước: {}", version(e)),
        UnknownUnit { name, suggestions } if name.is_empty() => {
            format!("thiếu tên đơn vị{}", did_you_mean(suggestions))
        }
        UnknownUnit { name, suggestions } => format!("không có đơn vị “{name}”{}", did_you_mean(suggestions)),
        UnitNotInPeriod { name } => format!("đơn vị “{name}” không thuộc kỳ đánh giá này"),
        DuplicateUnit { first_row } => format!("đơn vị này đã có số liệu ở dòng {first_row}"),
        NoUnitColumn => "thiếu cột tên đơn vị (tiêu đề “Đơn vị” hoặc “unit”)".into(),
        UnknownColumn { suggestions } => {
            format!("cột không phải tiêu chí của bộ tiêu chí này; các cột hợp lệ gồm {}", suggestions.join(", "))
        }
        GroupColumn { criterion } => {
            format!(
                "{criterion} là nhóm tiêu chí, điểm được tính từ các tiêu chí thành phần; hãy nhập các tiêu chí thành phần"
            )
        }
        DuplicateColumn { first } => format!("tiêu chí này đã có ở cột {first}"),
        AmbiguousNumber => "không rõ dấu chấm/phẩy là phân cách hàng nghìn hay phần thập phân (ví dụ “1.000” là một nghìn hay một?): hãy viết 1000, hoặc 1 nếu là một".into(),
        NotANumber => "không phải là số (dùng chữ số với dấu phẩy hoặc dấu chấm thập phân, ví dụ 45,2)".into(),
        NotYesNo => "cần nhập “có” hoặc “không”".into(),
        MissingValue { criterion } => {
            format!("thiếu giá trị tiêu chí {criterion}; nếu đơn vị không cung cấp số liệu, để trống cả dòng")
        }
        MissingColumn { criterion } => format!("thiếu cột của tiêu chí {criterion}"),
        Answer { criterion, error } => format!("{criterion}: {}", answer(error)),
        UnknownFramework { id } => format!("không có bộ tiêu chí mã “{id}”"),
        KindMismatch { framework_kind, period_kind } => {
            format!("bộ tiêu chí dành cho loại đơn vị {framework_kind}, kỳ đánh giá dành cho {period_kind}")
        }
        YearOutsideFramework { year, from, to } => match to {
            Some(to) => format!("năm {year} nằm ngoài thời gian áp dụng của bộ tiêu chí ({from}–{to})"),
            None => format!("năm {year} trước năm bắt đầu áp dụng bộ tiêu chí ({from})"),
        },
        DuplicatePeriod { year, kind } => format!("kỳ đánh giá {kind} năm {year} bị khai báo hai lần"),
        NoSuchPeriod { year, kind } if kind.is_empty() => format!("không có kỳ đánh giá nào năm {year}"),
        NoSuchPeriod { year, kind } => format!("không có kỳ đánh giá {kind} năm {year}"),
        NoSheet => "không có trang tính này".into(),
        Empty => "bảng trống".into(),
        TemplateStamp => "không phải mẫu phiếu nhập số liệu của chiso, hoặc dấu xác nhận (ô ẩn H1) đã bị sửa".into(),
        TemplateFramework { found, expected } => format!(
            "mẫu phiếu của bộ tiêu chí hoặc phiên bản khác ({found}); kỳ đánh giá này dùng {expected}: hãy tải mẫu phiếu mới"
        ),
        TemplatePeriod { found, year } => format!("mẫu phiếu của kỳ đánh giá khác ({found}), không phải năm {year}"),
        TemplateUnit { found, expected } => {
            format!("mẫu phiếu của đơn vị “{found}”; chỉ được nhập số liệu cho đơn vị “{expected}”")
        }
        TemplateRowMissing { field } => format!("dòng của tiêu chí {field} đã bị xóa khỏi mẫu phiếu"),
        TemplateDuplicateUnit { first } => format!("đơn vị này đã có trang tính “{first}”"),
        TooLarge(t) => {
            let what = match t {
                crate::error::TooLarge::Part { name, max_mib } => format!("phần {name} giải nén ra hơn {max_mib} MiB"),
                crate::error::TooLarge::Total { max_mib } => format!("giải nén ra hơn {max_mib} MiB"),
                crate::error::TooLarge::Parts { found, max } => format!("có {found} phần, tối đa {max}"),
                crate::error::TooLarge::Cell { cell, rows, columns } => {
                    format!("có dữ liệu ở ô {cell}, ngoài {rows} dòng × {columns} cột được đọc")
                }
                crate::error::TooLarge::Cells { max } => format!("có hơn {max} ô"),
            };
            format!("tệp quá lớn, không đọc ({what}); hãy kiểm tra lại tệp")
        }
    }
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() { String::new() } else { format!("; có phải là: {}?", s.join(", ")) }
}

fn framework(e: &F) -> String {
    match e {
        F::NoCriteria => "bộ tiêu chí không có tiêu chí nào".into(),
        F::DuplicateId(id) => format!("mã tiêu chí “{id}” bị dùng hai lần"),
        F::BadId(id) => format!("mã tiêu chí “{id}” chỉ được gồm chữ cái, chữ số, “-” hoặc “_”"),
        F::NonPositiveMax { criterion, max } => format!("tiêu chí {criterion}: điểm tối đa {max} phải lớn hơn 0"),
        F::ParentMaxMismatch { criterion, max, sum } => {
            format!("tiêu chí {criterion}: điểm tối đa {max} khác tổng điểm tối đa của các tiêu chí thành phần ({sum})")
        }
        F::TotalMaxMismatch { max, sum } => {
            format!("tổng điểm tối đa {max} khác tổng điểm tối đa của các nhóm tiêu chí ({sum})")
        }
        F::RuleAndChildren { criterion } => {
            format!("tiêu chí {criterion}: chỉ được có cách tính điểm hoặc tiêu chí thành phần, không được có cả hai")
        }
        F::MissingRule { criterion } => format!("tiêu chí {criterion}: thiếu cách tính điểm (rule)"),
        F::BadRule { criterion, problem } => format!("tiêu chí {criterion}: cách tính điểm không hợp lệ ({problem})"),
        F::LevelsNotDescending { name, min, previous } => {
            format!("mức “{name}”: điểm tối thiểu {min} phải thấp hơn mức trước ({previous})")
        }
        F::LevelOutOfRange { name, min, max } => format!("mức “{name}”: điểm tối thiểu {min} nằm ngoài 0..{max}"),
        F::BadYears { from, to } => format!("năm bắt đầu {from} sau năm kết thúc {to}"),
        F::TooManyDecimals(d) => format!("số chữ số thập phân {d} vượt quá 10"),
        F::UnknownCriterion(id) => {
            format!("phương pháp tính chỉ số nhắc đến tiêu chí “{id}” không có trong bộ tiêu chí")
        }
        F::AggregationOnLeaf { criterion } => {
            format!("tiêu chí {criterion}: tiêu chí lá không có tiêu chí thành phần để tổng hợp hay gán trọng số")
        }
        F::WeightNotUsed { criterion } => {
            format!(
                "tiêu chí {criterion}: trọng số chỉ có tác dụng khi tiêu chí cha tổng hợp có trọng số, mà tiêu chí cha đang cộng điểm"
            )
        }
        F::MissingWeight { criterion } => {
            format!("tiêu chí {criterion}: tiêu chí cha tổng hợp có trọng số nên tiêu chí này cần có trọng số (weight)")
        }
        F::NegativeWeight { criterion, weight } => format!("tiêu chí {criterion}: trọng số {weight} không được âm"),
        F::WeightsSumMismatch { group, declared, sum } => {
            format!("{}: tổng các trọng số là {sum}, khác giá trị khai báo {declared}", place(group))
        }
        F::ZeroWeights { group } => format!("{}: tổng các trọng số bằng 0", place(group)),
        F::WeightedMaxMismatch { group, max, sum } => {
            format!(
                "{}: điểm tối đa {max} khác tổng có trọng số của điểm tối đa các tiêu chí thành phần ({sum})",
                place(group)
            )
        }
        F::MeanScaleMismatch { group, aggregation, max, child, child_max } => format!(
            "{}: phép {} giữ nguyên thang điểm của các tiêu chí thành phần, nhưng điểm tối đa của {child} là {child_max}, không phải {max}",
            place(group),
            aggregation_vi(aggregation)
        ),
        F::IndicatorWithoutNormalisation { criterion } => {
            format!("tiêu chí {criterion}: chỉ số thô (indicator) cần khai báo cách chuẩn hóa (normalise)")
        }
        F::BadTarget { criterion } => {
            format!(
                "tiêu chí {criterion}: chuẩn hóa theo mục tiêu (ratio-to-target) cần giá trị mục tiêu (target) lớn hơn 0"
            )
        }
        F::UnusedTarget { criterion } => {
            format!("tiêu chí {criterion}: chỉ cách chuẩn hóa theo mục tiêu (ratio-to-target) mới có giá trị mục tiêu")
        }
        F::UnboundedNotRescaled { criterion } => format!(
            "tiêu chí {criterion}: điểm z không bị chặn; tiêu chí cha phải cộng hoặc lấy trung bình (không dùng trung bình nhân hay tỷ lệ) và một tiêu chí cấp trên phải chuẩn hóa lại bằng min-max"
        ),
        F::UnboundedFullPoints { criterion } => {
            format!("tiêu chí {criterion}: điểm z không có “điểm tối đa” để cho khi không áp dụng (full-points)")
        }
    }
}

/// The group an error concerns: a criterion, or the total.
fn place(group: &Option<String>) -> String {
    match group {
        Some(c) => format!("tiêu chí {c}"),
        None => "điểm tổng".into(),
    }
}

fn aggregation_vi(name: &str) -> &'static str {
    match name {
        "weighted-sum" => "tổng có trọng số",
        "weighted-mean" => "trung bình có trọng số",
        "geometric-mean" => "trung bình nhân",
        _ => "cộng điểm",
    }
}

fn registry(e: &R) -> String {
    match e {
        R::DuplicateId(id) => format!("mã đơn vị “{id}” bị dùng hai lần"),
        R::UnknownLineageUnit { year, unit } => format!("thay đổi đơn vị năm {year} nhắc đến đơn vị không có “{unit}”"),
        R::AmbiguousName { name, a, b, year } => {
            format!("tên “{name}” thuộc cả “{a}” và “{b}” trong năm {year}")
        }
        R::BadId(id) => format!(
            "mã đơn vị “{id}” chỉ được gồm chữ cái không dấu, chữ số, “-” hoặc “_” (tối đa 64 ký tự, bắt đầu bằng chữ hoặc số)"
        ),
        R::Lineage { year, problem, .. } if *year == 0 => lineage(problem),
        R::Lineage { year, problem, .. } => format!("thay đổi đơn vị năm {year}: {}", lineage(problem)),
    }
}

fn version(e: &chiso_domain::versions::VersionProblem) -> String {
    use chiso_domain::versions::VersionProblem as V;
    match e {
        V::UnknownCriterion { id } => format!("“{id}” không phải tiêu chí của bộ tiêu chí này"),
        V::UnknownPrevious { id, previous } => format!("“{id}”: phiên bản trước không có tiêu chí “{previous}”"),
        V::MaxChanged { id, then, now, .. } => {
            format!("“{id}” được khai là không đổi nhưng điểm tối đa đổi từ {then} thành {now}: hãy khai “reweighted”")
        }
        V::RenamedWithoutPrevious { id } => {
            format!("“{id}” được khai là đổi tên nhưng thiếu mã tiêu chí cũ (previous)")
        }
        V::Twice { id } => format!("“{id}” được khai hai lần"),
        V::UnknownRemoved { id } => format!("“{id}” được khai là bỏ nhưng không phải tiêu chí của phiên bản trước"),
        V::RemovedButMapped { id } => format!("“{id}” được khai là bỏ nhưng có tiêu chí của phiên bản này kế tục"),
        V::SilentlyRemoved { id } => {
            format!("tiêu chí “{id}” của phiên bản trước không có tiêu chí kế tục và chưa được khai là bỏ (removed)")
        }
    }
}

fn lineage(p: &chiso_domain::lineage::LineageProblem) -> String {
    use chiso_domain::lineage::LineageProblem as L;
    match p {
        L::NotASuccessor { unit } => format!("“{unit}” không phải đơn vị hình thành từ thay đổi này (into)"),
        L::NotAPredecessor { unit, from } => {
            format!("“{unit}” được so sánh với “{from}”, nhưng “{from}” không phải đơn vị bị thay đổi (from)")
        }
        L::TwiceDeclared { unit } => format!("“{unit}” được khai báo cách so sánh hai lần"),
        L::NothingCombined { unit } => format!("“{unit}”: so sánh gộp (combined) cần ít nhất một đơn vị tiền thân"),
        L::WeightCount { unit, weights, units } => {
            format!("“{unit}”: có {weights} trọng số cho {units} đơn vị tiền thân")
        }
        L::BadWeight { unit, weight } => format!("“{unit}”: trọng số {weight} phải lớn hơn 0"),
        L::NoWeightBasis { unit } => {
            format!("“{unit}”: bình quân có trọng số cần ghi rõ trọng số là gì (weights_basis: biên chế, dân số…)")
        }
        L::Conflicting { unit } => format!("“{unit}”: “continues” và cách so sánh khai báo không khớp nhau"),
        L::SeveralSuccessors { unit: _, count } => format!(
            "“compare” khai báo chung chỉ dùng khi thay đổi tạo ra một đơn vị, ở đây có {count} đơn vị: khai báo từng đơn vị trong [[lineage.successor]]"
        ),
        L::ContinuesWhom { unit } => {
            format!(
                "“{unit}”: compare = \"continues\" cần ghi đơn vị tiền thân được kế tục (continues = … hoặc from = …)"
            )
        }
        L::WeightsWithoutWeightedMean { unit } => {
            format!("“{unit}”: trọng số (weights) chỉ dùng với combine = \"weighted-mean\"")
        }
    }
}

fn answer(e: &A) -> String {
    match e {
        A::OutOfRange { value, max } => format!("điểm {value} vượt điểm tối đa {max}"),
        A::Negative { value } => format!("số liệu {value} không được âm"),
        A::RatioAboveOne { numerator, denominator } => format!("tử số {numerator} lớn hơn mẫu số {denominator}"),
        A::NotWhole { value } => format!("số lượng phải là số nguyên, không phải {value}"),
        A::UnknownChoice { answer, allowed } => {
            format!("“{answer}” không phải một trong các phương án {}", allowed.join(", "))
        }
        A::NotApplicableForbidden => "tiêu chí này không được khai “không áp dụng”".into(),
        A::WrongShape { rule } => format!("tiêu chí tính điểm kiểu {rule} không nhận giá trị dạng này"),
        A::NotALeaf(id) => format!("{id} là nhóm tiêu chí; nhập vào các tiêu chí thành phần"),
    }
}
