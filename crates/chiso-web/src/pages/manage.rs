//! The administrator's catalogue: frameworks (upload, validate, activate), the unit
//! registry, a year's report settings, deadline exceptions. All stored as their file
//! formats and validated by the same parsers as the CLI; every change on the record.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_data::{Lang, framework_toml, report_toml, units_toml};
use chiso_store::Role;

pub async fn home(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let csrf = csrf_input(&u);
    let mut b = String::from("<h1>Danh mục</h1><h2>Bộ tiêu chí</h2><ul>");
    for (name, _) in s.store.documents("framework/").await? {
        b += &format!("<li>{}</li>", esc(name.trim_start_matches("framework/")));
    }
    b += &format!(
        "</ul><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"framework\">\
         <label>Bộ tiêu chí (TOML, xem docs/FRAMEWORK-FORMAT.md) <textarea name=\"body\" rows=\"12\" cols=\"90\" required></textarea></label>\
         <label>Lý do <input name=\"reason\" required></label><button>Kiểm tra và kích hoạt</button></form>"
    );
    let units = s.store.document("units.toml").await?.unwrap_or_default();
    b += &format!(
        "<h2>Danh mục đơn vị và thay đổi (units.toml)</h2><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}\
         <input type=\"hidden\" name=\"what\" value=\"units\"><label>Danh mục <textarea name=\"body\" rows=\"14\" cols=\"90\">{}</textarea></label>\
         <label>Lý do <input name=\"reason\" required></label><button>Kiểm tra và lưu</button></form>",
        esc(&units)
    );
    b += &format!(
        "<h2>Thiết lập báo cáo của một năm</h2><p class=\"muted\">Số văn bản, cơ quan ban hành, người ký, nơi nhận, kết luận (TOML như data/cao-bang/reports/2020.toml).</p>\
         <form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"report\">\
         <label>Thiết lập <textarea name=\"body\" rows=\"12\" cols=\"90\" required></textarea></label><label>Lý do <input name=\"reason\" required></label>\
         <button>Kiểm tra và lưu</button></form>"
    );
    b += &format!(
        "<h2>Gia hạn nộp cho một đơn vị</h2><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"exception\">\
         <label>Năm <input name=\"year\" required></label><label>Loại đơn vị <input name=\"kind\" required></label>\
         <label>Mã đơn vị <input name=\"unit\" required></label><label>Hạn mới <input name=\"until\" type=\"date\" required></label>\
         <label>Lý do <input name=\"reason\" required></label><button>Gia hạn</button></form>"
    );
    Ok(page("Danh mục", Some(&u), &b))
}

fn invalid(errors: Vec<chiso_data::DataError>) -> AppError {
    let list: Vec<String> = errors.iter().map(|e| Lang::Vi.error(e)).collect();
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, format!("Không hợp lệ, chưa lưu: {}", list.join("; ")))
}

pub async fn save(State(s): State<AppState>, MaybeUser(user): MaybeUser, Form(f): Form<Fields>) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let body = field(&f, "body").unwrap_or("").replace("\r\n", "\n");
    let reason = field(&f, "reason").unwrap_or("").trim();
    if reason.is_empty() {
        return Err(AppError::bad_request("Cần ghi lý do thay đổi."));
    }
    let who = &u.row.username;
    match field(&f, "what") {
        Some("framework") => {
            let fw = framework_toml::parse("bo-tieu-chi.toml", &body).map_err(invalid)?;
            s.store.put_document(&format!("framework/{}", fw.id), &body, who, reason).await?;
        }
        Some("units") => {
            units_toml::parse("units.toml", &body).map_err(invalid)?;
            s.store.put_document("units.toml", &body, who, reason).await?;
        }
        Some("report") => {
            let (year, _) = report_toml::parse("bao-cao.toml", &body).map_err(|e| invalid(vec![e]))?;
            s.store.put_document(&format!("report/{year}"), &body, who, reason).await?;
        }
        Some("exception") => {
            let (year, kind, unit, until) = (
                field(&f, "year").unwrap_or(""),
                field(&f, "kind").unwrap_or(""),
                field(&f, "unit").unwrap_or(""),
                field(&f, "until").unwrap_or(""),
            );
            let year: i32 = year.trim().parse().map_err(|_| AppError::bad_request("Năm không hợp lệ."))?;
            if s.store.period(year, kind).await?.is_none() {
                return Err(AppError::bad_request("Không có kỳ đánh giá này."));
            }
            let ok_date = until.len() == 10 && until.as_bytes()[4] == b'-' && until.as_bytes()[7] == b'-';
            if !ok_date || unit.is_empty() {
                return Err(AppError::bad_request("Hạn mới phải có dạng YYYY-MM-DD."));
            }
            s.store.put_document(&format!("exception/{year}/{kind}/{unit}"), until, who, reason).await?;
        }
        _ => return Err(AppError::bad_request("Thao tác không hợp lệ.")),
    }
    Ok(Redirect::to("/quan-tri/danh-muc").into_response())
}
