//! The administrator's catalogue: the units as a table with forms to add, rename (with
//! lineage), merge and retire them; each framework as a readable tree; the frameworks',
//! registry's and report settings' files (validated by the CLI's parsers), deadline
//! exceptions. Every change on the record; a refused one shown in place with what was typed.

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

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    notice: crate::done::Notice,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin])?;
    let body = render(&s, lang, &u, notice.html(lang), None).await?;
    Ok(page(lang, lang.t().catalogue_title, Some(&u), &body))
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
/// what was typed.
async fn render(s: &AppState, lang: Lang, u: &User, top: String, typed: Option<&Fields>) -> AppResult<String> {
    let t = lang.t();
    let csrf = csrf_input(u);
    let cat = s.app.catalog().await?;
    let reg = &cat.registry;
    let (_, units_body) = s.app.catalogue_documents(&u.actor()).await?;
    let kept = |what: &str, name: &str| -> String {
        typed.filter(|f| field(f, "what") == Some(what)).and_then(|f| field(f, name)).map(esc).unwrap_or_default()
    };
    let mut b = top + &format!("<h1>{}</h1><h2>{}</h2>", t.catalogue_title, t.units_table_heading);
    b += &format!(
        "<div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.unit_name, t.col_kind, t.col_from, t.col_until, t.col_aliases, t.col_lineage
    );
    let mut units: Vec<&chiso_domain::unit::Unit> = reg.units().iter().collect();
    units.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| chiso_domain::collate::compare_vi(&a.name, &b.name)));
    for x in &units {
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&x.name),
            esc(&lang.kind(&x.kind)),
            x.from.map(|y| y.to_string()).unwrap_or_default(),
            x.until.map(|y| y.to_string()).unwrap_or_default(),
            esc(&x.aliases.join(", ")),
            esc(&lineage_text(lang, reg, &x.id.0))
        );
    }
    b += "</tbody></table></div>";
    let options = |selected: &str| -> String {
        units
            .iter()
            .filter(|x| x.until.is_none())
            .map(|x| {
                let sel = if x.id.0 == selected { " selected" } else { "" };
                format!("<option value=\"{}\"{sel}>{}</option>", esc(&x.id.0), esc(&x.name))
            })
            .collect()
    };
    let mut kinds: Vec<&str> = units.iter().map(|x| x.kind.as_str()).collect();
    kinds.dedup();
    let kind_options: String =
        kinds.iter().map(|k| format!("<option value=\"{}\">{}</option>", esc(k), esc(&lang.kind(k)))).collect();
    let reason = |what: &str| {
        format!("<label>{} <input name=\"reason\" value=\"{}\" required></label>", t.reason, kept(what, "reason"))
    };
    let form = |what: &str, heading: &str, inner: String| {
        format!(
            "<h3>{heading}</h3><form method=\"post\" action=\"/quan-tri/danh-muc/don-vi\">{csrf}<input type=\"hidden\" name=\"what\" value=\"{what}\">{inner}{}<button>{}</button></form>",
            reason(what),
            t.check_and_save
        )
    };
    let picked = |what: &str| {
        typed.filter(|f| field(f, "what") == Some(what)).and_then(|f| field(f, "unit")).unwrap_or("").to_string()
    };
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
    b += &form(
        "rename",
        t.unit_rename_heading,
        format!(
            "<label>{} <select name=\"unit\">{}</select></label><label>{} <input name=\"name\" value=\"{}\" required></label>\
             <label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
            t.unit_label,
            options(&picked("rename")),
            t.new_name,
            kept("rename", "name"),
            t.from_year,
            kept("rename", "year")
        ),
    );
    let merged: Vec<&str> = typed
        .filter(|f| field(f, "what") == Some("merge"))
        .map(|f| f.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.as_str()).collect())
        .unwrap_or_default();
    let multi: String = units
        .iter()
        .filter(|x| x.until.is_none())
        .map(|x| {
            let sel = if merged.contains(&x.id.0.as_str()) { " selected" } else { "" };
            format!("<option value=\"{}\"{sel}>{}</option>", esc(&x.id.0), esc(&x.name))
        })
        .collect();
    b += &form(
        "merge",
        t.unit_merge_heading,
        format!(
            "<label>{} <select name=\"units\" multiple size=\"6\">{multi}</select></label><label>{} <select name=\"into\">{}</select></label>\
             <label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
            t.merged_units,
            t.continuing_unit,
            options(typed.filter(|f| field(f, "what") == Some("merge")).and_then(|f| field(f, "into")).unwrap_or("")),
            t.from_year,
            kept("merge", "year")
        ),
    );
    b += &form(
        "retire",
        t.unit_retire_heading,
        format!(
            "<label>{} <select name=\"unit\">{}</select></label><label>{} <input name=\"year\" inputmode=\"numeric\" value=\"{}\" required></label>",
            t.unit_label,
            options(&picked("retire")),
            t.last_year,
            kept("retire", "year")
        ),
    );
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
    let units_typed = typed.filter(|f| field(f, "what") == Some("units")).and_then(|f| field(f, "body"));
    b += &format!(
        "<details><summary>{}</summary><form method=\"post\" action=\"/quan-tri/danh-muc\">{csrf}\
         <input type=\"hidden\" name=\"what\" value=\"units\"><label>{} <textarea name=\"body\" rows=\"14\" cols=\"90\">{}</textarea></label>\
         <label>{} <input name=\"reason\" value=\"{}\" required></label><button>{}</button></form></details>",
        t.advanced_toml,
        t.units_label,
        esc(units_typed.unwrap_or(&units_body)),
        t.reason,
        kept("units", "reason"),
        t.check_and_save
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
         <label>{} <input name=\"year\" required></label><label>{} <input name=\"kind\" required></label>\
         <label>{} <input name=\"unit\" required></label><label>{} <input name=\"until\" type=\"date\" required></label>\
         <label>{} <input name=\"reason\" required></label><button>{}</button></form>",
        t.exception_heading, t.year, t.unit_kind, t.unit_code, t.new_deadline, t.reason, t.extend
    );
    Ok(b)
}

/// A refused change: the page again, what was refused above it, what was typed kept.
async fn refused(s: &AppState, lang: Lang, u: &User, f: &Fields, e: chiso_app::Error) -> AppResult<Response> {
    let top = super::views::refusal(lang, None, &e);
    let body = render(s, lang, u, top, Some(f)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page(lang, lang.t().catalogue_title, Some(u), &body)).into_response())
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

/// POST `/quan-tri/danh-muc/don-vi`: one change to the units (`what`: add, rename, merge, retire).
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
        Some("merge") => needed().map(|year| C::Merge {
            units: f.iter().filter(|(k, _)| k == "units").map(|(_, v)| v.clone()).collect(),
            into: text("into"),
            year,
        }),
        Some("retire") => needed().map(|last_year| C::Retire { unit: text("unit"), last_year }),
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    };
    let done = match change {
        Ok(change) => s.app.change_units(&u.actor(), change, &text("reason")).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&crate::done::Done::Catalogue.after("/quan-tri/danh-muc")).into_response()),
        Err(e) if refusable(&e) => refused(&s, lang, &u, &f, e).await,
        Err(e) => Err(e.into()),
    }
}
