//! The audit log for the administrator and the leadership: a page of events at a time,
//! newest first, filtered by who, what, which unit, which year and which days; the chain
//! verified from its checkpoint on each load, in full on request. The JSON API reads the
//! same query ([`AuditQuery`], English names).

use crate::AppState;
use crate::auth::{self, MaybeUser};
use crate::error::{AppError, AppResult};
use crate::html::{esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use chiso_app::ChainCheck;
use chiso_store::{AuditCursor, AuditFilter, Role};
use serde::Deserialize;

/// The audit log's filters and place; the page names them in Vietnamese, the API in English.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Entities starting with it (the API's).
    #[serde(default)]
    pub prefix: String,
    #[serde(default, rename = "nguoi", alias = "actor")]
    pub actor: String,
    #[serde(default, rename = "thao-tac", alias = "action")]
    pub action: String,
    /// A unit's id or name.
    #[serde(default, rename = "don-vi", alias = "unit")]
    pub unit: String,
    #[serde(default, rename = "nam", alias = "year")]
    pub year: String,
    #[serde(default, rename = "tu", alias = "from")]
    pub from: String,
    #[serde(default, rename = "den", alias = "to")]
    pub to: String,
    /// The page older than this event.
    #[serde(default, rename = "truoc", alias = "before")]
    pub before: String,
    /// The page newer than this event.
    #[serde(default, rename = "sau", alias = "after")]
    pub after: String,
    /// `day-du` / `true`: verify the whole chain.
    #[serde(default, rename = "kiem-tra", alias = "full")]
    pub full: String,
}

/// The actions an auditor may pick, in the order of the work.
pub const ACTIONS: &[&str] = &[
    "answer.set",
    "answers.import",
    "answer.verify",
    "submission.status",
    "evidence.add",
    "evidence.delete",
    "comment.add",
    "results.publish",
    "period.create",
    "period.status",
    "period.remove",
    "document.put",
    "document.delete",
    "user.create",
    "user.password",
    "user.units",
    "user.disable",
    "user.enable",
    "user.unlock",
    "token.issue",
    "token.revoke",
    "database.restore",
    "audit.sign",
];

fn bad(value: &str) -> AppError {
    let value = value.to_string();
    AppError::with(StatusCode::BAD_REQUEST, move |lang| (lang.t().audit_bad_filter)(&value)).code("bad_request")
}

fn some(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn day(s: &str) -> AppResult<Option<String>> {
    match some(s) {
        Some(d) if chiso_domain::date::Date::parse(&d).is_some() => Ok(Some(d)),
        Some(d) => Err(bad(&d)),
        None => Ok(None),
    }
}

fn seq(s: &str) -> AppResult<Option<i64>> {
    some(s).map(|v| v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| bad(&v))).transpose()
}

impl AuditQuery {
    /// The store's filter and cursor; a unit named by id or by its name (or an alias).
    pub fn parse(&self, cat: &chiso_app::Catalog) -> AppResult<(AuditFilter, AuditCursor, ChainCheck)> {
        let unit = some(&self.unit).map(|u| {
            let units = cat.registry.units();
            units
                .iter()
                .find(|x| x.id.0 == u)
                .or_else(|| units.iter().find(|x| x.name == u || x.aliases.contains(&u)))
                .map_or(u, |x| x.id.0.clone())
        });
        let year = some(&self.year).map(|y| y.parse::<i32>().map_err(|_| bad(&y))).transpose()?;
        let filter = AuditFilter {
            prefix: self.prefix.clone(),
            actor: some(&self.actor).map(|a| chiso_store::fold_username(&a)),
            action: some(&self.action),
            unit,
            year,
            from: day(&self.from)?,
            to: day(&self.to)?,
        };
        let cursor = match (seq(&self.before)?, seq(&self.after)?) {
            (Some(b), _) => AuditCursor::Before(b),
            (None, Some(a)) => AuditCursor::After(a),
            (None, None) => AuditCursor::Newest,
        };
        let check = match self.full.as_str() {
            "day-du" | "true" => ChainCheck::Full,
            "" | "false" => ChainCheck::SinceCheckpoint,
            other => return Err(bad(other)),
        };
        Ok((filter, cursor, check))
    }

    /// The page's address with these filters and another place (`truoc`/`sau`).
    fn link(&self, place: (&str, i64)) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (name, v) in [
            ("nguoi", &self.actor),
            ("thao-tac", &self.action),
            ("don-vi", &self.unit),
            ("nam", &self.year),
            ("tu", &self.from),
            ("den", &self.to),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{name}={}", crate::html::query_value(v.trim())));
            }
        }
        parts.push(format!("{}={}", place.0, place.1));
        format!("/quan-tri/nhat-ky?{}", parts.join("&"))
    }
}

/// The chain's state in words.
pub fn chain_words(lang: Lang, chain: &Result<chiso_store::ChainStatus, chiso_store::ChainError>) -> String {
    let t = lang.t();
    match chain {
        Ok(s) if s.since > 0 => {
            format!("<p class=\"ok\">{}</p>", esc(&(t.chain_checked)(s.events, s.checked, s.since)))
        }
        Ok(s) => format!("<p class=\"ok\">{}</p>", esc(&(t.chain_ok)(s.events))),
        Err(e) => format!("<p class=\"error\">{}</p>", esc(&(t.chain_broken)(e.seq, &e.problem))),
    }
}

pub async fn audit_log(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    let u = auth::require_role(user, &[Role::Admin, Role::Viewer])?;
    let t = lang.t();
    let cat = s.app.catalog().await?;
    let (filter, cursor, check) = q.parse(&cat)?;
    let trail = s.app.audit_trail(&u.actor(), &filter, cursor, check).await?;
    let full = format!(
        "<form method=\"get\" action=\"/quan-tri/nhat-ky\"><input type=\"hidden\" name=\"kiem-tra\" value=\"day-du\">\
         <button>{}</button></form>",
        t.audit_full_check
    );
    let mut b = format!("<h1>{}</h1>{}{full}{}", t.audit_heading, chain_words(lang, &trail.chain), filters(lang, &q));
    let nav = nav(lang, &q, &trail.page);
    b += &nav;
    if trail.page.events.is_empty() {
        b += &format!("<p class=\"muted\">{}</p>", t.audit_none);
    } else {
        b += &format!("<div class=\"wrap\" tabindex=\"0\">{}", crate::pages::audit_head(t, true));
        for e in &trail.page.events {
            let words = crate::pages::views::audit_words(lang, &cat, e);
            b += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}<td>{}</td></tr>",
                e.seq,
                esc(&lang.time(&e.at)),
                esc(&e.actor),
                esc(&words.action),
                esc(&words.entity),
                crate::pages::views::audit_value_cell(&short(&words.old)),
                crate::pages::views::audit_value_cell(&short(&words.new)),
                esc(&e.reason)
            );
        }
        b += "</tbody></table></div>";
        b += &nav;
    }
    Ok(page(lang, t.audit_title, Some(&u), &b))
}

/// A value cut to 80 characters on one line (the log's page; the whole is on the unit's page).
fn short(v: &str) -> String {
    let v = v.replace('\n', " ");
    if v.chars().count() > 80 { format!("{}…", v.chars().take(80).collect::<String>()) } else { v.to_string() }
}

/// The filter form, as typed.
fn filters(lang: Lang, q: &AuditQuery) -> String {
    let t = lang.t();
    let mut actions = format!("<option value=\"\">{}</option>", t.audit_any);
    for code in ACTIONS {
        let selected = if q.action == *code { " selected" } else { "" };
        let name = (t.action_name)(code).unwrap_or(code);
        actions += &format!("<option value=\"{code}\"{selected}>{}</option>", esc(name));
    }
    format!(
        "<form method=\"get\" action=\"/quan-tri/nhat-ky\" class=\"filters\">\
         <label>{} <input name=\"nguoi\" value=\"{}\"></label>\
         <label>{} <select name=\"thao-tac\">{actions}</select></label>\
         <label>{} <input name=\"don-vi\" value=\"{}\"></label>\
         <label>{} <input name=\"nam\" inputmode=\"numeric\" value=\"{}\"></label>\
         <label>{} <input name=\"tu\" type=\"date\" value=\"{}\"></label>\
         <label>{} <input name=\"den\" type=\"date\" value=\"{}\"></label>\
         <button>{}</button> <a href=\"/quan-tri/nhat-ky\">{}</a></form>",
        t.col_actor,
        esc(&q.actor),
        t.col_action,
        t.unit_label,
        esc(&q.unit),
        t.year,
        esc(&q.year),
        t.audit_from,
        esc(&q.from),
        t.audit_to,
        esc(&q.to),
        t.audit_filter_button,
        t.audit_clear
    )
}

/// Links to the newer and older pages, keeping the filters.
fn nav(lang: Lang, q: &AuditQuery, p: &chiso_store::AuditPage) -> String {
    let t = lang.t();
    let mut links = Vec::new();
    if let Some(n) = p.newer {
        links.push(format!("<a href=\"{}\" rel=\"prev\">{}</a>", esc(&q.link(("sau", n))), t.audit_newer));
    }
    if let Some(o) = p.older {
        links.push(format!("<a href=\"{}\" rel=\"next\">{}</a>", esc(&q.link(("truoc", o))), t.audit_older));
    }
    if links.is_empty() { String::new() } else { format!("<p class=\"pager\">{}</p>", links.join(" · ")) }
}

/// The place in a unit's trail its page was asked for (`?truoc=`/`?sau=`); the newest
/// events otherwise.
pub fn trail_cursor(uri: &axum::http::Uri) -> AuditCursor {
    let q = Query::<AuditQuery>::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    match (seq(&q.before).ok().flatten(), seq(&q.after).ok().flatten()) {
        (Some(b), _) => AuditCursor::Before(b),
        (None, Some(a)) => AuditCursor::After(a),
        (None, None) => AuditCursor::Newest,
    }
}

/// Links to a unit trail's newer and older pages, on the unit's page at `path`.
pub fn trail_nav(lang: Lang, path: &str, p: &chiso_store::AuditPage) -> String {
    let t = lang.t();
    let mut links = Vec::new();
    if let Some(n) = p.newer {
        links.push(format!("<a href=\"{}?sau={n}#nhat-ky\" rel=\"prev\">{}</a>", esc(path), t.audit_newer));
    }
    if let Some(o) = p.older {
        links.push(format!("<a href=\"{}?truoc={o}#nhat-ky\" rel=\"next\">{}</a>", esc(path), t.audit_older));
    }
    if links.is_empty() { String::new() } else { format!("<p class=\"pager\">{}</p>", links.join(" · ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_encode_them() {
        let q = AuditQuery {
            actor: "admin".into(),
            unit: "Sở Y tế".into(),
            year: "2021".into(),
            before: "900".into(),
            ..Default::default()
        };
        assert_eq!(
            q.link(("truoc", 801)),
            "/quan-tri/nhat-ky?nguoi=admin&don-vi=S%E1%BB%9F%20Y%20t%E1%BA%BF&nam=2021&truoc=801"
        );
    }
}
