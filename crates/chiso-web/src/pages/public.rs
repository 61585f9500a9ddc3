//! What everyone sees: published results and the official report.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::catalog::{self, Catalog};
use crate::error::{AppError, AppResult};
use crate::html::{esc, page};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chiso_domain::compare;
use serde_json::Value;

pub async fn home(State(s): State<AppState>, MaybeUser(user): MaybeUser) -> AppResult<Html<String>> {
    let mut body = String::from(
        "<h1>Kết quả đánh giá, xếp hạng chính quyền số</h1><table><thead><tr><th>Năm</th><th>Loại đơn vị</th><th>Trạng thái</th><th>Kết quả</th></tr></thead><tbody>",
    );
    let periods = s.store.periods().await?;
    let mut years: Vec<i32> = Vec::new();
    for p in &periods {
        let published = s.store.latest_snapshot(p.year, &p.kind).await?;
        let link = match &published {
            Some(v) => {
                format!("<a href=\"/ket-qua/{}/{}\">Bảng xếp hạng</a> (phiên bản {})", p.year, esc(&p.kind), v.version)
            }
            None => "Chưa công bố".into(),
        };
        body += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
            p.year,
            esc(&p.kind),
            esc(status_name(&p.status))
        );
        // A year's report needs its settings (issuing body, signatory …).
        let has_report = s.store.document(&format!("report/{}", p.year)).await?.is_some();
        if published.is_some() && has_report && !years.contains(&p.year) {
            years.push(p.year);
        }
    }
    body += "</tbody></table><h2>Báo cáo</h2><ul>";
    for y in years {
        body += &format!(
            "<li>Năm {y}: <a href=\"/bao-cao/bao-cao-{y}.docx\">DOCX</a> · <a href=\"/bao-cao/bao-cao-{y}.pdf\">PDF</a> · \
             <a href=\"/bao-cao/bao-cao-{y}.xlsx\">XLSX</a> · <a href=\"/bao-cao/bao-cao-{y}.html\">HTML</a></li>"
        );
    }
    body += "</ul>";
    Ok(page("Kết quả", user.as_ref(), &body))
}

pub fn status_name(s: &str) -> &str {
    match s {
        "open" => "đang nhận số liệu",
        "closed" => "đã đóng",
        "published" => "đã công bố",
        "draft" => "bản nháp",
        "submitted" => "đã nộp",
        "verified" => "đã thẩm định",
        other => other,
    }
}

/// The published ranking: the frozen snapshot, with its version.
pub async fn results(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let year = super::year(&year)?;
    let snap = s.store.latest_snapshot(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let period = s.store.period(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let cat = Catalog::load(&s.store).await?;
    let fw = cat.framework(&period.framework)?;
    let v: Value = serde_json::from_str(&snap.results).map_err(|e| AppError::bad_request(e.to_string()))?;
    let mut body = format!(
        "<h1>Kết quả năm {year}: {}</h1><p class=\"muted\">Phiên bản {} công bố lúc {} – {}</p><div class=\"wrap\"><table><thead><tr>\
         <th>Thứ tự</th><th>Đơn vị</th><th>Mức</th><th>Tổng điểm</th><th>Năm trước</th>",
        esc(&fw.name),
        snap.version,
        esc(&snap.at),
        esc(&snap.reason)
    );
    for c in &fw.criteria {
        body += &format!("<th>{}</th>", esc(c.label()));
    }
    body += "</tr></thead><tbody>";
    let vi = |x: &Value| x.as_str().map(|s| s.replace('.', ",")).unwrap_or_default();
    for r in v["results"].as_array().into_iter().flatten() {
        let status = r["status"].as_str().unwrap_or("");
        let level = match status {
            "no_data" => "Không xếp hạng do không cung cấp số liệu".to_string(),
            "below_levels" => "KXH".into(),
            _ => r["level"].as_str().unwrap_or("").to_string(),
        };
        body += &format!(
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\"><strong>{}</strong></td><td class=\"n\">{}</td>",
            r["rank"].as_u64().map(|x| x.to_string()).unwrap_or_default(),
            {
                let name = r["unit"].as_str().unwrap_or("");
                match cat.registry.resolve(name, &kind, year) {
                    Ok((x, _)) => format!("<a href=\"/don-vi/{}\">{}</a>", esc(&x.id.0), esc(name)),
                    Err(_) => esc(name),
                }
            },
            esc(&level),
            vi(&r["total"]),
            r["previous_rank"].as_u64().map(|x| x.to_string()).unwrap_or_default()
        );
        for c in &fw.criteria {
            body += &format!("<td class=\"n\">{}</td>", esc(&vi(&r["scores"][&c.id.0])));
        }
        body += "</tr>";
    }
    body += "</tbody></table></div>";
    // The charts of the report: level distribution and totals.
    let results = v["results"].as_array().cloned().unwrap_or_default();
    let mut categories: Vec<String> = fw.levels.iter().map(|l| l.name.clone()).collect();
    categories.push("KXH".into());
    categories.push("Không cung cấp số liệu".into());
    let mut counts = vec![0u32; categories.len()];
    for r in &results {
        let i = match (r["status"].as_str(), r["level"].as_str()) {
            (Some("no_data"), _) => categories.len() - 1,
            (_, Some(l)) => fw.levels.iter().position(|x| x.name == l).unwrap_or(categories.len() - 2),
            _ => categories.len() - 2,
        };
        counts[i] += 1;
    }
    let (categories, counts): (Vec<String>, Vec<u32>) =
        categories.into_iter().zip(counts).filter(|(_, n)| *n > 0).unzip();
    let pie = chiso_report::model::Chart::Pie { categories, values: counts };
    let ranked: Vec<&Value> = results.iter().filter(|r| r["total"].is_string()).collect();
    let bars = chiso_report::model::Chart::Bar {
        categories: ranked.iter().map(|r| r["unit"].as_str().unwrap_or("").to_string()).collect(),
        series: vec![chiso_report::model::Series {
            name: format!("Năm {year}"),
            values: ranked.iter().map(|r| r["total"].as_str().and_then(|t| t.parse().ok())).collect(),
        }],
        decimals: fw.total_rounding().decimals,
        max: fw.total_max(),
    };
    body += &format!(
        "<h2>Cơ cấu xếp hạng</h2><figure>{}</figure><h2>Tổng điểm</h2><figure>{}</figure>",
        chiso_report::chart_svg(&pie),
        chiso_report::chart_svg(&bars)
    );
    body += &format!(
        "<p><a href=\"/api/v1/periods/{year}/results?kind={0}\">JSON</a> · <a href=\"/ket-qua/{year}/{0}/csv\">CSV</a></p>",
        esc(&kind)
    );
    Ok(page(&format!("Kết quả {year}"), user.as_ref(), &body))
}

/// The official report of a year, from the platform's data; every kind must be published.
pub async fn report(State(s): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let (stem, ext) = file.rsplit_once('.').ok_or_else(AppError::not_found)?;
    let year = super::year(stem.strip_prefix("bao-cao-").ok_or_else(AppError::not_found)?)?;
    let cat = Catalog::load(&s.store).await?;
    let settings = match s.store.document(&format!("report/{year}")).await? {
        Some(text) => {
            chiso_data::report_toml::parse("report", &text).map_err(|e| AppError::bad_request(e.to_string()))?.1
        }
        None => return Err(AppError::not_found()),
    };
    let mut scored = Vec::new();
    for k in &settings.kinds {
        if s.store.latest_snapshot(year, &k.kind).await?.is_none() {
            return Err(AppError::not_found());
        }
        let now = catalog::scored(&s.store, &cat, year, &k.kind).await?.ok_or_else(AppError::not_found)?;
        let before = catalog::scored(&s.store, &cat, year - 1, &k.kind).await?;
        scored.push((k, now, before));
    }
    let mut inputs = Vec::new();
    for (k, now, before) in &scored {
        let fw = cat.framework(&now.row.framework)?;
        let previous = match before {
            Some(b) => {
                let pfw = cat.framework(&b.row.framework)?;
                Some(chiso_report::Previous {
                    year: year - 1,
                    framework: pfw,
                    results: &b.results,
                    comparisons: compare(&now.results, fw, &b.results, pfw, &cat.registry),
                })
            }
            None => None,
        };
        let analysis = Some(chiso_report::Analysis::compute(fw, &now.period, &now.results));
        inputs.push(chiso_report::KindInput {
            settings: k,
            framework: fw,
            period: &now.period,
            results: &now.results,
            previous,
            analysis,
        });
    }
    let doc = chiso_report::build(&settings, year, &inputs);
    let disposition = format!("attachment; filename=\"{file}\"");
    let (bytes, mime) = match ext {
        "docx" => (
            chiso_report::docx::render(&doc),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            chiso_report::xlsx::render(&doc).map_err(|e| AppError::bad_request(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "html" => (chiso_report::html::render(&doc).into_bytes(), "text/html; charset=utf-8"),
        "pdf" => {
            let docx = chiso_report::docx::render(&doc);
            let pdf = tokio::task::spawn_blocking(move || {
                chiso_report::pdf::convert(&docx, std::time::Duration::from_secs(120))
            })
            .await
            .map_err(|e| AppError::bad_request(e.to_string()))?
            .map_err(|e| {
                AppError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, format!("Không tạo được PDF: {e}"))
            })?;
            (pdf, "application/pdf")
        }
        _ => return Err(AppError::not_found()),
    };
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// A unit's page: its lineage, its published results across the years, and (for those
/// allowed to see the unit's data) its own audit trail.
pub async fn unit(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let cat = Catalog::load(&s.store).await?;
    let uid = chiso_domain::UnitId(id.clone());
    let u = cat.registry.get(&uid).ok_or_else(AppError::not_found)?;
    let mut b = format!("<h1>{}</h1>", esc(&u.name));
    if !u.aliases.is_empty() {
        b += &format!("<p class=\"muted\">Tên khác: {}</p>", esc(&u.aliases.join("; ")));
    }
    let lineage: Vec<String> = cat
        .registry
        .lineage()
        .iter()
        .filter(|l| l.into.contains(&uid) || l.from.contains(&uid))
        .map(|l| {
            let names =
                |ids: &[chiso_domain::UnitId]| ids.iter().map(|i| cat.unit_name(&i.0)).collect::<Vec<_>>().join(", ");
            format!("{}: {} → {}", l.year, names(&l.from), names(&l.into))
        })
        .collect();
    if !lineage.is_empty() {
        b += "<h2>Thay đổi đơn vị</h2><ul>";
        b += &lineage.iter().map(|l| format!("<li>{}</li>", esc(l))).collect::<String>();
        b += "</ul>";
    }
    b += "<h2>Kết quả qua các năm</h2><table><thead><tr><th>Năm</th><th>Tên khi đó</th><th>Thứ tự</th><th>Mức</th><th>Tổng điểm</th><th>Phiên bản</th></tr></thead><tbody>";
    let mut periods = s.store.periods().await?;
    periods.retain(|p| p.kind == u.kind);
    periods.sort_by_key(|p| p.year);
    for p in &periods {
        let Some(snap) = s.store.latest_snapshot(p.year, &p.kind).await? else { continue };
        let Some(then) = cat.registry.counterpart(&uid, p.year) else { continue };
        let v: Value = serde_json::from_str(&snap.results).unwrap_or_default();
        let Some(r) = v["results"].as_array().into_iter().flatten().find(|r| r["unit"] == then.name.as_str()) else {
            continue;
        };
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            p.year,
            esc(&then.name),
            r["rank"].as_u64().map(|x| x.to_string()).unwrap_or_default(),
            esc(r["level"].as_str().unwrap_or(if r["status"] == "no_data" { "không có số liệu" } else { "KXH" })),
            esc(&r["total"].as_str().unwrap_or("").replace('.', ",")),
            snap.version
        );
    }
    b += "</tbody></table>";
    // The latest published year: how solid the rank is, and what the next level takes.
    if let Some(p) = periods.iter().rev().find(|p| p.status == "published")
        && let Some(now) = catalog::scored(&s.store, &cat, p.year, &p.kind).await?
    {
        let fw = cat.framework(&now.row.framework)?;
        let a = chiso_report::Analysis::compute(fw, &now.period, &now.results);
        let stable = a.stability.units.iter().find(|x| x.unit == uid);
        let plan = a.plans.iter().find(|x| x.unit == uid);
        b += &format!("<h2>Phân tích năm {}</h2><ul>", p.year);
        if let Some(st) = stable {
            b += &format!(
                "<li>Thứ hạng {}; khoảng 5–95% khi thay đổi trọng số và ngưỡng: {}–{}; giữ nguyên thứ hạng trong {}% kịch bản.</li>",
                st.rank,
                st.rank_interval.0,
                st.rank_interval.1,
                chiso_domain::analysis::percent(st.keeps_rank)
            );
        }
        if let Some(plan) = plan {
            let d = fw.total_rounding().decimals;
            match (plan.next_level_name(fw), plan.points_needed) {
                (Some(next), Some(need)) if plan.reachable => {
                    let steps: Vec<String> = plan
                        .steps
                        .iter()
                        .map(|st| {
                            let label = fw
                                .index_of(&st.criterion.0)
                                .map_or(st.criterion.0.clone(), |i| fw.criterion(i).label().to_string());
                            format!("+{} {}", chiso_report::vi::number(st.points, fw.rounding.decimals), label)
                        })
                        .collect();
                    b += &format!(
                        "<li>Để đạt {}: cần thêm {} điểm ({}).</li>",
                        esc(next),
                        chiso_report::vi::number(need, d),
                        esc(&steps.join("; "))
                    );
                }
                (Some(next), _) => {
                    b += &format!(
                        "<li>Không thể đạt {} trong phạm vi điểm tối đa của các nhóm tiêu chí.</li>",
                        esc(next)
                    )
                }
                _ => b += "<li>Đã ở mức cao nhất.</li>",
            }
        }
        b += "</ul>";
    }
    if user.as_ref().is_some_and(|x| x.can_read_unit(&id)) {
        let needle = format!("/{id}");
        let events = s.store.audit_events("").await?;
        b += "<h2>Nhật ký của đơn vị</h2><table><thead><tr><th>Thời điểm</th><th>Người</th><th>Thao tác</th><th>Đối tượng</th><th>Cũ</th><th>Mới</th><th>Lý do</th></tr></thead><tbody>";
        for e in events.iter().filter(|e| e.entity.contains(&needle) && !e.entity.starts_with("document/")) {
            b += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.at),
                esc(&e.actor),
                esc(&e.action),
                esc(&e.entity),
                esc(&e.old_value),
                esc(&e.new_value),
                esc(&e.reason)
            );
        }
        b += "</tbody></table>";
    }
    Ok(page(&u.name, user.as_ref(), &b))
}

/// The published results as CSV (the columns of `chiso score --format csv`).
pub async fn results_csv(State(s): State<AppState>, Path((year, kind)): Path<(String, String)>) -> AppResult<Response> {
    let year = super::year(&year)?;
    let snap = s.store.latest_snapshot(year, &kind).await?.ok_or_else(AppError::not_found)?;
    let v: Value = serde_json::from_str(&snap.results).map_err(|e| AppError::bad_request(e.to_string()))?;
    let rows = v["results"].as_array().cloned().unwrap_or_default();
    let ids: Vec<String> =
        rows.first().and_then(|r| r["scores"].as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let quote =
        |s: &str| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    let mut out = format!("rank,unit,status,level,total,{},previous_rank\n", ids.join(","));
    for r in &rows {
        let text = |x: &Value| {
            x.as_str().map(str::to_string).or_else(|| x.as_u64().map(|n| n.to_string())).unwrap_or_default()
        };
        let mut cells = vec![
            text(&r["rank"]),
            quote(&text(&r["unit"])),
            text(&r["status"]),
            quote(&text(&r["level"])),
            text(&r["total"]),
        ];
        cells.extend(ids.iter().map(|i| text(&r["scores"][i])));
        cells.push(text(&r["previous_rank"]));
        out += &cells.join(",");
        out.push('\n');
    }
    let name = format!("attachment; filename=\"ket-qua-{year}-{kind}.csv\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], out)
        .into_response())
}
