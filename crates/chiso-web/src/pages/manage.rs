//! The administrator's catalogue: the units found by name or code (diacritics aside) and
//! kind, 50 a page in Vietnamese order, the forms renaming (with lineage), merging into and
//! retiring the unit chosen from that list (a merger's other units typed by code or name),
//! adding one; each framework as a readable tree; the frameworks', registry's (on a page of
//! its own) and report settings' files (validated by the CLI's parsers), deadline
//! exceptions. Nothing on the page lists every unit. Every change on the record; a refused
//! one shown in place with what was typed.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_domain::framework::Framework;
use chiso_domain::unit::{LineageKind, Registry};
use chiso_store::Role;

/// What the units' part of the page shows (GET, so a search can be linked to): units whose
/// name, other names or code contain every word of `ten` (case and diacritics aside), of
/// kind `loai`, page `trang` of 50; `don-vi`: the unit whose forms are open; `tep=don-vi`:
/// the registry's file instead.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct View {
    #[serde(default)]
    pub ten: String,
    #[serde(default)]
    pub loai: String,
    #[serde(default)]
    pub trang: Option<usize>,
    #[serde(default, rename = "don-vi")]
    pub don_vi: String,
    #[serde(default)]
    pub tep: String,
}

impl View {
    /// The view a refused form came from (its hidden fields), with the unit it concerned.
    fn of_form(f: &Fields) -> View {
        let get = |k: &str| field(f, k).unwrap_or("").to_string();
        View {
            ten: get("ten"),
            loai: get("loai"),
            trang: field(f, "trang").and_then(|x| x.parse().ok()),
            don_vi: field(f, "unit").or_else(|| field(f, "into")).unwrap_or("").to_string(),
            tep: if field(f, "what") == Some("units") { "don-vi".into() } else { String::new() },
        }
    }

    /// This view's address with another page (`None`: without the page) and unit.
    fn address(&self, trang: Option<usize>, don_vi: &str) -> String {
        let mut q: Vec<String> = Vec::new();
        for (k, v) in [("ten", self.ten.trim()), ("loai", self.loai.as_str())] {
            if !v.is_empty() {
                q.push(format!("{k}={}", crate::html::query_value(v)));
            }
        }
        if let Some(n) = trang.filter(|&n| n > 1) {
            q.push(format!("trang={n}"));
        }
        if !don_vi.is_empty() {
            q.push(format!("don-vi={}", crate::html::query_value(don_vi)));
        }
        if q.is_empty() { BASE.to_string() } else { format!("{BASE}?{}", q.join("&")) }
    }

    /// The search kept in a form that changes a unit (a refusal shows the same list).
    fn hidden(&self) -> String {
        let mut out = String::new();
        for (k, v) in [("ten", self.ten.as_str()), ("loai", self.loai.as_str())] {
            if !v.is_empty() {
                out += &format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v));
            }
        }
        if let Some(n) = self.trang.filter(|&n| n > 1) {
            out += &format!("<input type=\"hidden\" name=\"trang\" value=\"{n}\">");
        }
        out
    }
}

const BASE: &str = "/quan-tri/danh-muc";
/// Units a page.
pub const UNITS_PAGE: usize = 50;

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    axum::extract::Query(view): axum::extract::Query<View>,
    notice: crate::done::Notice,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let body = if view.tep == "don-vi" {
        units_file(&s, lang, &u, notice.html(lang), None).await?
    } else {
        render(&s, lang, &u, &view, notice.html(lang), None).await?
    };
    Ok(page(lang, lang.t().catalogue_title, Some(&u), &body))
}

/// The registry's file on a page of its own (a national one is a few hundred kB): its text,
/// or what was typed when refused.
async fn units_file(s: &AppState, lang: Lang, u: &User, top: String, typed: Option<&Fields>) -> AppResult<String> {
    let t = lang.t();
    let csrf = csrf_input(u);
    let typed = typed.filter(|f| field(f, "what") == Some("units"));
    let body = match typed.and_then(|f| field(f, "body")) {
        Some(b) => b.to_string(),
        None => s.app.catalogue_documents(&u.actor()).await?.1,
    };
    let reason = typed.and_then(|f| field(f, "reason")).map(esc).unwrap_or_default();
    Ok(top
        + &format!(
            "<p><a href=\"{BASE}\">{}</a></p><h1>{}</h1><form method=\"post\" action=\"{BASE}\">{csrf}\
             <input type=\"hidden\" name=\"what\" value=\"units\"><label>{} <textarea name=\"body\" rows=\"14\" cols=\"90\">{}</textarea></label>\
             <label>{} <input name=\"reason\" value=\"{reason}\" required></label><button>{}</button></form>",
            t.back_to_units,
            t.units_file_link,
            t.units_label,
            esc(&body),
            t.reason,
            t.check_and_save
        ))
}

/// A unit's name by its id (the id itself only for one the registry lost).
fn name(reg: &Registry, id: &str) -> String {
    reg.get(&chiso_domain::UnitId(id.to_string())).map_or_else(|| id.to_string(), |u| u.name.clone())
}

/// What changed of a unit, in words: where it came from, what it became.
fn lineage_text(lang: Lang, reg: &Registry, id: &str) -> String {
    let t = lang.t();
    let mut out = Vec::new();
    for l in reg.lineage() {
        let names = |ids: &[chiso_domain::UnitId]| {
            ids.iter().filter(|u| u.0 != id).map(|u| name(reg, &u.0)).collect::<Vec<_>>().join(", ")
        };
        if l.into.iter().any(|u| u.0 == id) {
            let from = names(&l.from);
            if !from.is_empty() {
                out.push(match l.kind {
                    LineageKind::Renamed => (t.lineage_renamed_from)(&from, l.year),
                    _ => (t.lineage_merged_from)(&from, l.year),
                });
            }
        } else if l.from.iter().any(|u| u.0 == id) {
            out.push((t.lineage_became)(&names(&l.into), l.year));
        }
    }
    out.join("; ")
}

fn framework_tree(lang: Lang, fw: &Framework) -> String {
    let t = lang.t();
    let num = |d: &chiso_domain::Decimal| lang.decimal_text(&d.normalize().to_string());
    fn items(lang: Lang, fw: &Framework, children: &[usize], num: &dyn Fn(&chiso_domain::Decimal) -> String) -> String {
        let t = lang.t();
        let mut b = String::from("<ul>");
        for &i in children {
            let c = fw.criterion(i);
            b += &format!("<li>{} ({})", esc(&c.name), esc(&(t.max)(&num(&c.max))));
            if !c.children.is_empty() {
                b += &items(lang, fw, &c.children, num);
            }
            b += "</li>";
        }
        b + "</ul>"
    }
    let mut b = format!(
        "<details><summary>{} ({})</summary><p class=\"muted\">{}</p>",
        esc(&(t.framework_tree_heading)(&fw.name)),
        esc(&(t.max)(&num(&fw.max))),
        esc(&fw.legal_basis)
    );
    b += &items(lang, fw, &fw.roots, &num);
    b += &format!("<p><strong>{}</strong></p><ul>", t.levels_heading);
    for l in &fw.levels {
        b += &format!("<li>{}</li>", esc(&(t.level_from)(&l.name, &num(&l.min))));
    }
    b + "</ul></details>"
}

/// The page; above it `top` (a notice or what was refused), in the refused form's fields
/// what was typed. The units a page at a time as `view` says, the forms changing one unit
/// only for the unit chosen from them: nothing on the page lists every unit.
async fn render(
    s: &AppState,
    lang: Lang,
    u: &User,
    view: &View,
    top: String,
    typed: Option<&Fields>,
) -> AppResult<String> {
    let t = lang.t();
    let csrf = csrf_input(u);
    let cat = s.app.catalog().await?;
    let reg = &cat.registry;
    let kept = |what: &str, name: &str| -> String {
        typed.filter(|f| field(f, "what") == Some(what)).and_then(|f| field(f, name)).map(esc).unwrap_or_default()
    };
    let mut b = top + &format!("<h1>{}</h1><h2 id=\"don-vi\">{}</h2>", t.catalogue_title, t.units_table_heading);
    // The search: a name typed as on any keyboard, a kind.
    let kinds: String = cat
        .unit_kinds()
        .iter()
        .map(|k| {
            let sel = if *k == view.loai { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(k), esc(&lang.kind(k)))
        })
        .collect();
    b += &format!(
        "<form method=\"get\" action=\"{BASE}\" class=\"filters\" role=\"search\"><fieldset><legend>{}</legend>\
         <label>{} <input type=\"search\" name=\"ten\" value=\"{}\"></label>\
         <label>{} <select name=\"loai\"><option value=\"\">{}</option>{kinds}</select></label>\
         <button>{}</button> <a href=\"{BASE}\">{}</a></fieldset></form>",
        t.unit_search_heading,
        t.unit_search_name,
        esc(&view.ten),
        t.col_kind,
        t.unit_search_all_kinds,
        t.unit_search_button,
        t.filter_reset
    );
    let units = reg.units();
    let found = cat.find_units(&view.ten, &view.loai);
    let pages = found.len().div_ceil(UNITS_PAGE).max(1);
    let page_no = view.trang.unwrap_or(1).clamp(1, pages);
    b += &format!("<p role=\"status\">{}</p>", esc(&(t.unit_search_shown)(found.len(), units.len())));
    if found.is_empty() {
        b += &format!("<p>{}</p>", t.unit_search_none);
    } else {
        b += &format!(
            "<div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t.unit_name, t.col_code, t.col_kind, t.col_from, t.col_until, t.col_aliases, t.col_lineage
        );
        for &i in found.iter().skip((page_no - 1) * UNITS_PAGE).take(UNITS_PAGE) {
            let x = &units[i];
            let choose = if x.until.is_none() {
                format!(
                    "<a href=\"{}#thay-doi\" aria-label=\"{}\">{}</a>",
                    esc(&view.address(Some(page_no), &x.id.0)),
                    esc(&(t.unit_choose_label)(&x.name)),
                    t.unit_choose
                )
            } else {
                String::new()
            };
            b += &format!(
                // "Chọn" beside the name: on a phone the columns after it scroll out of sight.
                "<tr><td>{}</td><td>{choose}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                esc(&x.name),
                esc(&x.id.0),
                esc(&lang.kind(&x.kind)),
                x.from.map(|y| y.to_string()).unwrap_or_default(),
                x.until.map(|y| y.to_string()).unwrap_or_default(),
                esc(&x.aliases.join(", ")),
                esc(&lineage_text(lang, reg, &x.id.0))
            );
        }
        b += "</tbody></table></div>";
    }
    b += &super::views::pager(t, t.units_pages_label, page_no, pages, |n| view.address(Some(n), ""));
    let view = &View { trang: Some(page_no), ..view.clone() };
    let reason = |what: &str| {
        format!("<label>{} <input name=\"reason\" value=\"{}\" required></label>", t.reason, kept(what, "reason"))
    };
    let form = |what: &str, heading: &str, inner: String| {
        format!(
            "<h3>{heading}</h3><form method=\"post\" action=\"/quan-tri/danh-muc/don-vi\">{csrf}<input type=\"hidden\" name=\"what\" value=\"{what}\">{}{inner}{}<button>{}</button></form>",
            view.hidden(),
            reason(what),
            t.check_and_save
        )
    };
    // The forms of the unit chosen from the list.
    b += &format!("<h2 id=\"thay-doi\">{}</h2>", t.unit_change_heading);
    match reg.get(&chiso_domain::UnitId(view.don_vi.clone())) {
        None => b += &format!("<p class=\"muted\">{}</p>", t.unit_change_hint),
        Some(x) => {
            b += &format!(
                "<p><strong>{}</strong> · <a href=\"{}\">{}</a></p>",
                esc(&(t.unit_change_of)(&x.name, &x.id.0)),
                esc(&view.address(view.trang, "")),
                t.unit_choose_other
            );
            let id = esc(&x.id.0);
            let unit = format!("<input type=\"hidden\" name=\"unit\" value=\"{id}\">");
            if let Some(until) = x.until {
                b += &format!("<p>{}</p>", esc(&(t.unit_change_retired)(until)));
            } else {
                b += &form(
                    "rename",
                    t.unit_rename_heading,
                    format!(
                        "{unit}<label>{} <input name=\"name\" value=\"{}\" required></label>\
                         <label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
                        t.new_name,
                        kept("rename", "name"),
                        t.from_year,
                        kept("rename", "year")
                    ),
                );
                b += &form(
                    "merge",
                    &esc(&(t.unit_merge_into)(&x.name)),
                    format!(
                        "<input type=\"hidden\" name=\"into\" value=\"{id}\"><input type=\"hidden\" name=\"units\" value=\"{id}\">\
                         <label>{} <textarea name=\"others\" rows=\"4\" cols=\"40\" required aria-describedby=\"goi-y-sap-nhap\">{}</textarea></label>\
                         <span class=\"hint\" id=\"goi-y-sap-nhap\">{}</span>\
                         <label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
                        t.merged_units_typed,
                        kept("merge", "others"),
                        t.merged_units_hint,
                        t.from_year,
                        kept("merge", "year")
                    ),
                );
                b += &form(
                    "retire",
                    t.unit_retire_heading,
                    format!(
                        "{unit}<label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
                        t.last_year,
                        kept("retire", "year")
                    ),
                );
            }
        }
    }
    let kind_options: String = cat
        .unit_kinds()
        .iter()
        .map(|k| {
            let sel = if typed.and_then(|f| field(f, "kind")) == Some(k.as_str()) { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(k), esc(&lang.kind(k)))
        })
        .collect();
    b += &form(
        "add",
        t.unit_add_heading,
        format!(
            "<label>{} <input name=\"name\" value=\"{}\" required></label><label>{} <select name=\"kind\">{kind_options}</select></label>\
             <label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\"></label>",
            t.unit_name,
            kept("add", "name"),
            t.col_kind,
            t.from_year,
            kept("add", "year")
        ),
    );
    b += &format!("<p><a href=\"{BASE}?tep=don-vi\">{}</a></p>", t.units_file_link);
    b += &format!("<h2>{}</h2>", t.frameworks);
    for fw in &cat.frameworks {
        b += &framework_tree(lang, fw);
    }
    b += &format!(
        "<form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"framework\">\
         <label>{} <textarea name=\"body\" rows=\"12\" cols=\"90\" required>{}</textarea></label>\
         <label>{} <input name=\"reason\" value=\"{}\" required></label><button>{}</button></form>",
        t.framework_toml,
        kept("framework", "body"),
        t.reason,
        kept("framework", "reason"),
        t.check_and_activate
    );
    b += &format!(
        "<h2>{}</h2><p class=\"muted\">{}</p>\
         <form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"report\">\
         <label>{} <textarea name=\"body\" rows=\"12\" cols=\"90\" required>{}</textarea></label><label>{} <input name=\"reason\" value=\"{}\" required></label>\
         <button>{}</button></form>",
        t.report_settings_heading,
        t.report_settings_hint,
        t.settings,
        kept("report", "body"),
        t.reason,
        kept("report", "reason"),
        t.check_and_save
    );
    b += &format!(
        "<h2>{}</h2><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}<input type=\"hidden\" name=\"what\" value=\"exception\">\
         <label>{} <input name=\"year\" value=\"{}\" required></label><label>{} <input name=\"kind\" value=\"{}\" required></label>\
         <label>{} <input name=\"unit\" value=\"{}\" required></label><label>{} <input name=\"until\" type=\"date\" value=\"{}\" required></label>\
         <label>{} <input name=\"reason\" value=\"{}\" required></label><button>{}</button></form>",
        t.exception_heading,
        t.year,
        kept("exception", "year"),
        t.unit_kind,
        kept("exception", "kind"),
        t.unit_code,
        kept("exception", "unit"),
        t.new_deadline,
        kept("exception", "until"),
        t.reason,
        kept("exception", "reason"),
        t.extend
    );
    Ok(b)
}

/// A refused change: the page again, what was refused above it (`top`), what was typed kept,
/// the list as the form's page showed it (the registry's file on its own page).
async fn refused_with(s: &AppState, lang: Lang, u: &User, f: &Fields, top: String) -> AppResult<Response> {
    let view = View::of_form(f);
    let body = if view.tep == "don-vi" {
        units_file(s, lang, u, top, Some(f)).await?
    } else {
        render(s, lang, u, &view, top, Some(f)).await?
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(lang, lang.t().catalogue_title, Some(u), &body)).into_response())
}

async fn refused(s: &AppState, lang: Lang, u: &User, f: &Fields, e: chiso_app::Error) -> AppResult<Response> {
    refused_with(s, lang, u, f, super::views::refusal(lang, None, &e)).await
}

fn refusable(e: &chiso_app::Error) -> bool {
    matches!(e.kind, chiso_app::Kind::Unprocessable | chiso_app::Kind::Invalid)
}

pub async fn save(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let change = super::input::catalogue_change(&f)?;
    match s.app.change_catalogue(&u.actor(), change, &super::input::Get::get(&f, "reason")).await {
        Ok(()) => Ok(Redirect::to(&crate::done::Done::Catalogue.after("/quan-tri/danh-muc")).into_response()),
        Err(e) if refusable(&e) => refused(&s, lang, &u, &f, e).await,
        Err(e) => Err(e.into()),
    }
}

/// Units typed one a line (or separated by `;`), each as [`chiso_app::Catalog::typed_unit`]
/// finds it. The codes, or every entry not found or not decided, in words.
fn typed_units(lang: Lang, cat: &chiso_app::Catalog, text: &str) -> Result<Vec<String>, Vec<String>> {
    let t = lang.t();
    let (mut ids, mut problems) = (Vec::new(), Vec::new());
    for entry in text.split(['\n', ';']).map(str::trim).filter(|x| !x.is_empty()) {
        match cat.typed_unit(entry) {
            chiso_app::Typed::Unit(one) => ids.push(one.id.0.clone()),
            chiso_app::Typed::Unknown => problems.push((t.unit_typed_unknown)(entry)),
            chiso_app::Typed::Ambiguous(all) => {
                let all: Vec<String> = all.iter().map(|x| format!("{} ({})", x.name, x.id.0)).collect();
                problems.push((t.unit_typed_ambiguous)(entry, &all.join(", ")))
            }
        }
    }
    if problems.is_empty() { Ok(ids) } else { Err(problems) }
}

/// POST `/quan-tri/danh-muc/don-vi`: one change to the units (`what`: add, rename, merge, retire).
/// A merger's units are `units` (codes) and `others` (typed one a line, see [`typed_units`]).
pub async fn change_unit(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    use chiso_app::UnitChange as C;
    let u = auth::require_role(user, &[Role::Admin])?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let text = |k: &str| field(&f, k).unwrap_or("").trim().to_string();
    let year = text("year");
    let year =
        if year.is_empty() { None } else { Some(year.parse::<i32>().ok().filter(|y| (1900..=2200).contains(y))) };
    let needed =
        || year.flatten().ok_or_else(|| chiso_app::Error::invalid(chiso_app::Message::BadYear).code("bad_year"));
    let change = match field(&f, "what") {
        Some("add") => match year {
            Some(None) => Err(chiso_app::Error::invalid(chiso_app::Message::BadYear).code("bad_year")),
            y => Ok(C::Add { name: text("name"), kind: text("kind"), from: y.flatten() }),
        },
        Some("rename") => needed().map(|year| C::Rename { unit: text("unit"), name: text("name"), year }),
        Some("merge") => {
            let cat = s.app.catalog().await?;
            let others = match typed_units(lang, &cat, &text("others")) {
                Ok(ids) => ids,
                Err(problems) => {
                    let list: String = problems.iter().map(|p| format!("<li>{}</li>", esc(p))).collect();
                    let top = format!("<div class=\"error\" role=\"alert\"><ul>{list}</ul></div>");
                    return refused_with(&s, lang, &u, &f, top).await;
                }
            };
            let mut units: Vec<String> =
                f.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.trim().to_string()).collect();
            for id in others {
                if !units.contains(&id) {
                    units.push(id);
                }
            }
            needed().map(|year| C::Merge { units, into: text("into"), year })
        }
        Some("retire") => needed().map(|last_year| C::Retire { unit: text("unit"), last_year }),
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    };
    let done = match change {
        Ok(change) => s.app.change_units(&u.actor(), change, &text("reason")).await,
        Err(e) => Err(e),
    };
    match done {
        // Back to the list as it was searched, saying it was done.
        Ok(()) => {
            let view = View { don_vi: String::new(), tep: String::new(), ..View::of_form(&f) };
            let address = view.address(view.trang, "");
            let kept = address.split_once('?').map(|(_, q)| format!("&{q}")).unwrap_or_default();
            Ok(Redirect::to(&format!("{}{kept}", crate::done::Done::Catalogue.after(BASE))).into_response())
        }
        Err(e) if refusable(&e) => refused(&s, lang, &u, &f, e).await,
        Err(e) => Err(e.into()),
    }
}
