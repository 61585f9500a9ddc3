//! The administrator: periods (open, deadline), users and roles, computing and publishing
//! results (a frozen, versioned snapshot with a reason), and the audit log.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, hash_password};
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_store::{PeriodRow, Role};

pub async fn home(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let cat = Catalog::load(&s.store).await?;
    let csrf = csrf_input(&u);
    let mut b = String::from(
        "<h1>Quản trị</h1><h2>Kỳ đánh giá</h2><table><thead><tr><th>Năm</th><th>Loại</th><th>Bộ tiêu chí</th><th>Hạn nộp</th><th>Trạng thái</th><th>Chưa nộp</th><th>Công bố</th></tr></thead><tbody>",
    );
    for p in s.store.periods().await? {
        let submitted: Vec<String> = s
            .store
            .submissions(p.year, &p.kind)
            .await?
            .into_iter()
            .filter(|x| x.status != "draft")
            .map(|x| x.unit)
            .collect();
        let missing: Vec<String> = cat
            .registry
            .of_kind(&p.kind, p.year)
            .filter(|u| !submitted.contains(&u.id.0))
            .map(|u| u.name.clone())
            .collect();
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/quan-tri/ky/{}/{}/excel\">Excel</a><form method=\"post\" action=\"/quan-tri/ky/{}/{}/cong-bo\">{csrf}\
             <label>Lý do <input name=\"reason\" required></label><button>Tính điểm và công bố</button></form></td></tr>",
            p.year,
            esc(&p.kind),
            esc(&p.framework),
            esc(p.deadline.as_deref().unwrap_or("")),
            esc(super::public::status_name(&p.status)),
            esc(&missing.join("; ")),
            p.year,
            esc(&p.kind),
            p.year,
            esc(&p.kind)
        );
    }
    b += "</tbody></table><h2>Mở kỳ đánh giá</h2><form method=\"post\" action=\"/quan-tri/ky\">";
    b += &csrf;
    b += "<label>Năm <input name=\"year\" inputmode=\"numeric\" required></label><label>Bộ tiêu chí <select name=\"framework\">";
    for fw in &cat.frameworks {
        b += &format!("<option value=\"{}\">{} ({})</option>", esc(&fw.id), esc(&fw.name), esc(&fw.unit_kind));
    }
    b += "</select></label><label>Hạn nộp <input name=\"deadline\" type=\"date\" required></label><button>Mở kỳ</button></form>";
    b += "<h2>Người dùng</h2><table><thead><tr><th>Tên</th><th>Vai trò</th><th>Đơn vị</th></tr></thead><tbody>";
    for x in s.store.users().await? {
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.username),
            esc(auth::role_name(x.role)),
            esc(&x.units.join(", "))
        );
    }
    b += "</tbody></table><form method=\"post\" action=\"/quan-tri/nguoi-dung\">";
    b += &csrf;
    b += "<label>Tên đăng nhập <input name=\"username\" required></label><label>Mật khẩu (ít nhất 10 ký tự) <input name=\"password\" type=\"password\" required minlength=\"10\"></label>\
          <label>Vai trò <select name=\"role\"><option value=\"reporter\">báo cáo viên</option><option value=\"assessor\">thẩm định</option>\
          <option value=\"viewer\">xem</option><option value=\"admin\">quản trị</option></select></label><label>Đơn vị (mã, cách nhau bởi dấu phẩy) <input name=\"units\"></label>\
          <button>Thêm người dùng</button></form><p><a href=\"/quan-tri/nhat-ky\">Nhật ký thay đổi</a> · <a href=\"/quan-tri/danh-muc\">Danh mục: bộ tiêu chí, đơn vị, thiết lập báo cáo, gia hạn</a></p>";
    Ok(page("Quản trị", Some(&u), &b))
}

pub async fn create_period(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let cat = Catalog::load(&s.store).await?;
    let year: i32 = field(&f, "year")
        .and_then(|y| y.trim().parse().ok())
        .ok_or_else(|| AppError::bad_request("Năm không hợp lệ."))?;
    let fw = cat.framework(field(&f, "framework").unwrap_or(""))?;
    let deadline = field(&f, "deadline").unwrap_or("").trim();
    let valid_date = deadline.len() == 10 && deadline.as_bytes()[4] == b'-' && deadline.as_bytes()[7] == b'-';
    if !valid_date {
        return Err(AppError::bad_request("Hạn nộp phải có dạng YYYY-MM-DD."));
    }
    if year < fw.years.0 || fw.years.1.is_some_and(|t| year > t) {
        return Err(AppError::bad_request("Năm nằm ngoài thời gian áp dụng của bộ tiêu chí."));
    }
    let row = PeriodRow {
        year,
        kind: fw.unit_kind.clone(),
        framework: fw.id.clone(),
        deadline: Some(deadline.into()),
        status: "open".into(),
    };
    s.store.create_period(&row, &u.row.username).await?;
    Ok(Redirect::to("/quan-tri").into_response())
}

/// Scores are computed by the engine, never typed: publishing freezes the computed results.
pub async fn publish(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let year = super::year(&year)?;
    let reason = field(&f, "reason").unwrap_or("").trim();
    if reason.is_empty() {
        return Err(AppError::bad_request("Cần ghi lý do (ví dụ: công bố kết quả, sửa số liệu …)."));
    }
    let cat = Catalog::load(&s.store).await?;
    let json = catalog::results_json(&s.store, &cat, year, &kind).await?;
    s.store.publish(year, &kind, &json, reason, &u.row.username).await?;
    Ok(Redirect::to(&format!("/ket-qua/{year}/{kind}")).into_response())
}

pub async fn create_user(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let username = field(&f, "username").unwrap_or("").trim();
    let password = field(&f, "password").unwrap_or("");
    let role =
        Role::parse(field(&f, "role").unwrap_or("")).ok_or_else(|| AppError::bad_request("Vai trò không hợp lệ."))?;
    if username.is_empty() || !username.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) {
        return Err(AppError::bad_request("Tên đăng nhập chỉ gồm chữ, số, dấu chấm, gạch ngang, gạch dưới."));
    }
    if password.chars().count() < 10 {
        return Err(AppError::bad_request("Mật khẩu cần ít nhất 10 ký tự."));
    }
    let cat = Catalog::load(&s.store).await?;
    let units: Vec<String> =
        field(&f, "units").unwrap_or("").split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    if let Some(bad) = units.iter().find(|x| cat.registry.get(&chiso_domain::UnitId((*x).clone())).is_none()) {
        return Err(AppError::bad_request(format!("Không có đơn vị mã “{bad}”.")));
    }
    s.store.create_user(username, &hash_password(password), role, &units, &u.row.username).await?;
    Ok(Redirect::to("/quan-tri").into_response())
}

pub async fn audit_log(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin, Role::Viewer])?;
    let chain = match s.store.verify_chain().await? {
        Ok(n) => format!("<p class=\"ok\">Chuỗi nhật ký toàn vẹn ({n} sự kiện).</p>"),
        Err(e) => format!("<p class=\"error\">Chuỗi nhật ký bị sửa đổi tại sự kiện {}: {}</p>", e.seq, esc(&e.problem)),
    };
    let mut b = format!(
        "<h1>Nhật ký thay đổi</h1>{chain}<div class=\"wrap\"><table><thead><tr><th>#</th><th>Thời điểm</th><th>Người</th><th>Thao tác</th><th>Đối tượng</th><th>Cũ</th><th>Mới</th><th>Lý do</th></tr></thead><tbody>"
    );
    let events = s.store.audit_events("").await?;
    for e in events.iter().rev().take(500) {
        let short = |v: &str| {
            if v.chars().count() > 80 {
                format!("{}…", v.chars().take(80).collect::<String>())
            } else {
                v.to_string()
            }
        };
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            esc(&e.at),
            esc(&e.actor),
            esc(&e.action),
            esc(&e.entity),
            esc(&short(&e.old_value)),
            esc(&short(&e.new_value)),
            esc(&e.reason)
        );
    }
    b += "</tbody></table></div>";
    Ok(page("Nhật ký", Some(&u), &b))
}
