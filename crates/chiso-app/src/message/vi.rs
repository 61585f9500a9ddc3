use super::{Document, Field, Message, Problem};
use chiso_data::DataText;
use chiso_domain::Lang;

pub fn message(m: &Message) -> String {
    match m {
        Message::NotFound => "Không tìm thấy trang hoặc dữ liệu yêu cầu.".into(),
        Message::Forbidden => "Bạn không có quyền thực hiện thao tác này.".into(),
        Message::Conflict(m) => format!("Xung đột dữ liệu: {m}"),
        Message::Database => "Lỗi cơ sở dữ liệu; thao tác chưa được ghi. Vui lòng thử lại.".into(),
        Message::StorageFull => "Ổ đĩa máy chủ đã đầy; thao tác chưa được ghi. Vui lòng báo quản trị hệ thống giải phóng dung lượng rồi thử lại.".into(),
        Message::ReadOnly => "Cơ sở dữ liệu đang ở chế độ chỉ đọc; thao tác chưa được ghi. Bạn vẫn xem được dữ liệu; vui lòng báo quản trị hệ thống.".into(),
        Message::Unavailable => "Không kết nối được cơ sở dữ liệu; thao tác chưa được ghi. Vui lòng thử lại sau.".into(),
        Message::BadRole => "Vai trò không hợp lệ.".into(),
        Message::BadUsername => "Tên đăng nhập chỉ gồm chữ cái không dấu (a–z), chữ số, dấu chấm, gạch ngang, gạch dưới, bắt đầu bằng chữ hoặc số, tối đa 64 ký tự; chữ hoa được đổi thành chữ thường.".into(),
        Message::ShortPassword => format!("Mật khẩu cần ít nhất {} ký tự.", crate::MIN_PASSWORD),
        Message::PasswordHasUsername => "Mật khẩu không được là tên đăng nhập hoặc chứa tên đăng nhập.".into(),
        Message::CommonPassword => "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác (ví dụ một câu ngắn dễ nhớ).".into(),
        Message::ReporterNeedsUnit => "Người báo cáo phải gắn với ít nhất một đơn vị (mã đơn vị, cách nhau bằng dấu phẩy).".into(),
        Message::NoSuchUnit(code) => format!("Không có đơn vị mã hoặc tên “{code}”."),
        Message::AmbiguousUnit(typed, all) => format!("“{typed}” là tên của nhiều đơn vị: {all}. Gõ mã, hoặc tên đúng như trong danh mục."),
        Message::WrongPassword => "Mật khẩu hiện tại không đúng.".into(),
        Message::PasswordsDiffer => "Hai lần nhập mật khẩu mới không khớp nhau.".into(),
        Message::SamePassword => "Mật khẩu mới phải khác mật khẩu đang dùng.".into(),
        Message::CannotDisableSelf => "Không thể tự vô hiệu hóa tài khoản của mình.".into(),
        Message::UnitNameNeeded => "Cần nhập tên đơn vị.".into(),
        Message::UnitNotChosen => "Chưa chọn đơn vị có trong danh mục.".into(),
        Message::MergeNeedsTwo => "Sáp nhập cần ít nhất hai đơn vị, trong đó có đơn vị tiếp nối.".into(),
        Message::BadYear => "Năm không hợp lệ.".into(),
        Message::BadDeadline => "Hạn nộp phải có dạng YYYY-MM-DD.".into(),
        Message::DeadlineInPast => "Hạn nộp đã qua: hãy chọn một ngày từ hôm nay trở đi.".into(),
        Message::HistoryNotPast => {
            "Chỉ nhập được năm đã qua (năm trước trở về trước) làm kỳ lịch sử; kỳ của năm nay cần hạn nộp.".into()
        }
        Message::YearOutsideFramework => "Năm nằm ngoài thời gian áp dụng của bộ tiêu chí.".into(),
        Message::PublishEarly { missing, deadline } => format!(
            "Kỳ đánh giá còn nhận số liệu (hạn nộp {}; còn {missing} đơn vị chưa nộp). Muốn công bố ngay, hãy chọn “công bố trước hạn”: việc này được ghi vào nhật ký.",
            chiso_domain::date::Date::parse(deadline).map_or(deadline.clone(), |d| d.day_month_year())
        ),
        Message::PublishReasonNeeded => "Cần ghi lý do (ví dụ: công bố kết quả, sửa số liệu …).".into(),
        Message::TooLong { what, max } => format!("{} quá dài (tối đa {max} ký tự); chưa có gì được ghi.", field(*what)),
        Message::OnlySubmitted => "Chỉ thẩm định được báo cáo đã nộp.".into(),
        Message::BadCriterion => "Tiêu chí không hợp lệ.".into(),
        Message::EmptyQuestion => "Câu hỏi trống.".into(),
        Message::EmptyReply => "Nội dung trả lời trống.".into(),
        Message::PeriodClosed => "Kỳ đánh giá không còn nhận số liệu.".into(),
        Message::PastDeadline => "Đã quá hạn nộp báo cáo của kỳ đánh giá này.".into(),
        Message::EvidenceLocked => "Báo cáo đã nộp: minh chứng được giữ nguyên như tổ thẩm định đang xem.".into(),
        Message::EvidenceClosed => "Kỳ đánh giá không còn nhận minh chứng.".into(),
        Message::NoFile => "Chưa chọn tệp.".into(),
        Message::FileTooLarge => "Tệp quá lớn (tối đa 10 MiB).".into(),
        Message::BadFileType => "Chỉ nhận tệp PDF, PNG, JPEG, DOCX hoặc XLSX.".into(),
        Message::UnknownFields(f) => format!("Khung đánh giá không có các trường: {}; chưa có gì được ghi.", f.join(", ")),
        Message::ValuedAndNotApplicable(c) => {
            format!("Tiêu chí vừa có số liệu vừa được khai là không áp dụng: {}; chưa có gì được ghi.", c.join(", "))
        }
        Message::PdfPreparing => "Bản PDF của báo cáo đang được tạo sau lần công bố gần nhất; vui lòng thử lại sau ít phút (bản DOCX đã sẵn sàng).".into(),
        Message::PdfOff => "Máy chủ này không tạo bản PDF; vui lòng tải bản DOCX.".into(),
        Message::WorkbookTooLarge { max_mib } => format!("Tệp Excel quá lớn (tối đa {max_mib} MiB); chưa có gì được ghi."),
        Message::AlreadySubmitted => "Báo cáo đã nộp: không thể nhập lại số liệu từ tệp.".into(),
        Message::ChangeReasonNeeded => "Cần ghi lý do thay đổi.".into(),
        Message::NoSuchPeriod => "Không có kỳ đánh giá này.".into(),
        Message::PeriodInUse { submissions, evidence, published } => format!(
            "Không xoá được kỳ đánh giá đã có dữ liệu ({submissions} báo cáo, kể cả bản nháp; {evidence} minh chứng hoặc trao đổi; {published} phiên bản đã công bố). Chỉ xoá được kỳ chưa có gì."
        ),
        Message::BadNewDeadline => "Hạn mới phải có dạng YYYY-MM-DD.".into(),
        Message::ExceptionUnknownUnit => "Không có đơn vị này (mã đơn vị) trong loại đơn vị của kỳ đánh giá.".into(),
        Message::InvalidNotSaved(errors) => format!("Không hợp lệ, chưa lưu: {}", super::data_errors(errors, Lang::Vi)),
        Message::NotSaved(problems) => format!("Chưa lưu: {}", super::list(problems, Lang::Vi)),
        Message::Broken { what, errors } => format!("{}: {}", document(*what), super::data_errors(errors, Lang::Vi)),
    }
}

pub fn problem(p: &Problem) -> String {
    match p {
        Problem::EmptyWorkbook => "Tệp chưa có số liệu nào.".into(),
        Problem::PeriodFrameworkGone { year, kind, framework } => format!(
            "Kỳ {year} ({kind}) dùng bộ tiêu chí {framework}: sau thay đổi này bộ tiêu chí không còn (hoặc không còn áp dụng cho kỳ này)."
        ),
        Problem::PeriodCriteriaGone { year, kind, fields } => format!(
            "Kỳ {year} ({kind}) có số liệu đã lưu cho {}: các tiêu chí này sẽ không còn trong bộ tiêu chí.",
            fields.join(", ")
        ),
        Problem::UnitGone { unit, name, periods } => format!(
            "{name} ({unit}) có báo cáo hoặc kết quả đã lưu ở kỳ {}: đơn vị sẽ không còn trong danh mục cho các kỳ này.",
            periods.iter().map(|(y, k)| format!("{y} ({k})")).collect::<Vec<_>>().join(", ")
        ),
        Problem::PeriodUnreadable { year, kind } => {
            format!("Kỳ {year} ({kind}): số liệu hoặc kết quả đã lưu sẽ không còn đọc được sau thay đổi này.")
        }
        Problem::OnBehalfReasonNeeded => "Nộp thay các đơn vị cần ghi lý do (được ghi vào nhật ký).".into(),
        Problem::UnitAlreadySubmitted(name) => format!("{name}: báo cáo đã nộp, không thể nhập lại số liệu từ tệp."),
        Problem::NoReason { field } => format!("{}: cần ghi lý do điều chỉnh", field.vi),
        Problem::TooLong { field: f, what, max } => {
            format!("{}: {} quá dài (tối đa {max} ký tự)", f.vi, field(*what))
        }
        Problem::NothingEntered => "Chưa nhập số liệu nào.".into(),
        Problem::Value { field, kind } => super::value_problem(Lang::Vi, field, kind),
        Problem::Data(e) => Lang::Vi.error(e),
    }
}

fn field(f: Field) -> &'static str {
    match f {
        Field::Reason => "Lý do",
        Field::Question => "Câu hỏi",
        Field::Reply => "Trả lời thẩm định",
    }
}

fn document(d: Document) -> &'static str {
    match d {
        Document::UnitRegistry => "Danh mục đơn vị",
        Document::Framework => "Bộ tiêu chí",
        Document::PeriodFigures => "Số liệu kỳ đánh giá",
        Document::PublishedResults => "Kết quả đã công bố",
        Document::ReportSettings => "Thiết lập báo cáo",
    }
}
