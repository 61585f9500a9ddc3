//! View fragments more than one page shows: the ranking's legend, charts in their figures,
//! deadlines, refusals, the audit trail in words (the ranking table itself: `ranking.rs`).

use crate::html::esc;
use crate::i18n::{Lang, Texts};
use chiso_domain::framework::Framework;

/// What the table's short words stand for: the level below the lowest, and each criterion
/// whose column shows a short name.
/// Links to the page before and after `page` of `pages` (none for one page), each page's
/// address from `address`; `label` names the list the pages are of.
pub fn pager(
    t: &crate::i18n::Text,
    label: &str,
    page: usize,
    pages: usize,
    address: impl Fn(usize) -> String,
) -> String {
    if pages <= 1 {
        return String::new();
    }
    let link = |n: usize, text: &str| format!("<a href=\"{}\">{}</a>", esc(&address(n)), esc(text));
    let mut parts = Vec::new();
    if page > 1 {
        parts.push(link(page - 1, t.page_previous));
    }
    parts.push(esc(&(t.page_of)(page, pages)));
    if page < pages {
        parts.push(link(page + 1, t.page_next));
    }
    format!("<nav class=\"pager\" aria-label=\"{}\"><p>{}</p></nav>", esc(label), parts.join(" · "))
}

pub fn legend(lang: Lang, fw: &Framework) -> String {
    let t = lang.t();
    let mut items = vec![format!("<dt>{}</dt><dd>{}</dd>", esc(t.below_levels), esc(t.below_levels_means))];
    if let Some(lowest) = fw.levels.iter().min_by_key(|l| l.min) {
        items[0] = format!(
            "<dt>{}</dt><dd>{} ({})</dd>",
            esc(t.below_levels),
            esc(t.below_levels_means),
            esc(&(t.lowest_level)(&lowest.name, &lang.number(lowest.min, fw.total_rounding().decimals)))
        );
    }
    for c in fw.criteria.iter().filter(|c| c.label_in(lang) != c.name_in(lang)) {
        items.push(format!("<dt>{}</dt><dd>{}</dd>", esc(c.label_in(lang)), esc(c.name_in(lang))));
    }
    format!("<details class=\"legend\" open><summary>{}</summary><dl>{}</dl></details>", t.legend, items.concat())
}

/// A chart in its figure, named for assistive technology by its heading (`aria-label` on the
/// SVG, which says `role="img"`). The SVG is never drawn narrower than its own width (its
/// labels stay at their 11 px and more): on a phone the figure scrolls sideways instead.
pub fn figure(svg: &str, title: &str) -> String {
    let width = svg
        .split_once("viewBox=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|b| b.split_whitespace().nth(2))
        .and_then(|w| w.parse::<f64>().ok())
        .map_or(String::new(), |w| format!(" style=\"min-width:{}px\"", w.ceil()));
    let svg = svg.replacen("role=\"img\"", &format!("role=\"img\" aria-label=\"{}\"{width}", esc(title)), 1);
    format!("<figure class=\"chart\" tabindex=\"0\">{svg}</figure>")
}

/// The deadline as people write it, and how far it is: days left, today, or past.
pub fn deadline_text(lang: Lang, deadline: Option<&str>) -> String {
    let t = lang.t();
    let Some(d) = deadline else { return String::new() };
    let Some(date) = chiso_domain::date::Date::parse(d) else { return esc(d) };
    let left = chiso_app::today().days_until(date);
    let how = match left {
        n if n < 0 => format!("<strong class=\"error\">{}</strong>", t.overdue),
        0 => t.due_today.to_string(),
        n => esc(&(t.days_left)(n)),
    };
    format!("{} ({how})", esc(&date.day_month_year()))
}

/// A refused form's problems as an alert above it (`heading` first, if any): each problem,
/// or the refusal's message when it has no list.
pub fn refusal(lang: Lang, heading: Option<&str>, e: &chiso_app::Error) -> String {
    let problems = e.problems(lang);
    let list: String = if problems.is_empty() {
        format!("<li>{}</li>", esc(&e.render(lang)))
    } else {
        problems.iter().map(|p| format!("<li>{}</li>", esc(p))).collect()
    };
    let heading = heading.map(|h| format!("<p>{}</p>", esc(h))).unwrap_or_default();
    format!("<div class=\"error\" role=\"alert\">{heading}<ul>{list}</ul></div>")
}

/// What a form's inputs show, for the drafts the browser keeps (`/tinh/chiso.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draft {
    /// What is stored: a kept draft that differs is restored, with a notice.
    Stored,
    /// The server just confirmed a save: the kept draft is cleared.
    Saved,
    /// A refused save, shown again with what was typed: kept as the draft.
    Refused,
}

/// The attributes of a form whose typing the browser keeps as a draft, keyed by the user
/// and the form's address (another user of the same browser never sees it). On a form the
/// user may not change, a kept draft is neither restored nor written; a confirmed save still
/// clears it (a submitted report is read-only).
pub fn draft_attrs(lang: Lang, user: &crate::auth::User, action: &str, state: Draft, editable: bool) -> String {
    let t = lang.t();
    let state = match (state, editable) {
        (Draft::Saved, true) => " data-draft-saved",
        (Draft::Saved, false) => " data-draft-saved data-draft-readonly",
        (_, false) => " data-draft-readonly",
        (Draft::Stored, true) => "",
        (Draft::Refused, true) => " data-draft-refused",
    };
    format!(
        " data-draft=\"{}\" data-draft-restored=\"{}\" data-draft-discard=\"{}\"{state}",
        esc(&format!("{} {action}", user.row.username)),
        esc(t.draft_restored),
        esc(t.draft_discard)
    )
}

/// One criterion's conversation (adjustments with their reasons, questions, replies): who
/// (and in what role), when in Vietnam's time, what. Nothing when there is none.
pub fn thread<'a>(lang: Lang, fw: &Framework, entries: impl Iterator<Item = &'a chiso_app::ThreadEntry>) -> String {
    use chiso_app::EntryKind;
    let t = lang.t();
    let items: String = entries
        .map(|e| {
            let what = match &e.kind {
                EntryKind::Adjustment { field, from, to, taken_back } => {
                    let name =
                        fw.index_of(&e.criterion).map_or(e.criterion.as_str(), |i| fw.criterion(i).name_in(lang));
                    let label = if field.ends_with(".numerator") {
                        format!("{name} ({})", t.numerator.to_lowercase())
                    } else if field.ends_with(".denominator") {
                        format!("{name} ({})", t.denominator.to_lowercase())
                    } else {
                        name.to_string()
                    };
                    let (from, to) = (lang.decimal_text(from), lang.decimal_text(to));
                    let change = if *taken_back {
                        (t.thread_taken_back)(&label, &to)
                    } else {
                        (t.thread_adjusted)(&label, &from, &to)
                    };
                    if e.text.is_empty() {
                        esc(&change)
                    } else {
                        format!("{}. {}: {}", esc(&change), t.reason, esc(&e.text))
                    }
                }
                EntryKind::Question => format!("{}: {}", t.thread_question, esc(&e.text)),
                EntryKind::Reply => format!("{}: {}", t.thread_reply, esc(&e.text)),
            };
            let role = e.role.map(|r| format!(" ({})", esc(lang.role(r)))).unwrap_or_default();
            format!(
                "<li class=\"{}\"><strong>{}</strong>{role} · {} · {what}</li>",
                e.kind.code(),
                esc(&e.author),
                esc(&lang.time(&e.at))
            )
        })
        .collect();
    if items.is_empty() {
        return String::new();
    }
    format!("<div class=\"thread\"><p><strong>{}</strong></p><ol>{items}</ol></div>", t.thread_heading)
}

/// An audit event in people's words: its action, what it concerns (unit, criterion and year
/// by name, not by id), and status values as the pages say them. The JSON API keeps codes.
pub struct AuditWords {
    pub action: String,
    pub entity: String,
    pub old: String,
    pub new: String,
}

/// An audit value's cell: escaped, its lines kept, wide enough to read when it is long (an
/// import's figures) rather than squeezed into a column of single words on a phone.
pub fn audit_value_cell(v: &str) -> String {
    let class = if v.chars().count() > 40 { " class=\"long\"" } else { "" };
    format!("<td{class}>{}</td>", esc(v).replace('\n', "<br>"))
}

pub fn audit_words(lang: Lang, cat: &chiso_app::Catalog, e: &chiso_store::AuditEvent) -> AuditWords {
    let t = lang.t();
    let parts: Vec<&str> = e.entity.split('/').collect();
    let criterion = |kind: &str, field: &str| {
        let id = field.split('.').next().unwrap_or(field);
        cat.frameworks
            .iter()
            .find(|f| f.unit_kind == kind && f.index_of(id).is_some())
            .map_or_else(|| field.to_string(), |fw| chiso_app::FieldName::of(fw, field).in_lang(lang).to_string())
    };
    let entity = match parts[..] {
        ["answer" | "evidence" | "comment", year, kind, unit, field] => {
            format!("{} – {} ({year})", cat.unit_name(unit), criterion(kind, field))
        }
        ["submission", year, _, unit] => format!("{} ({year})", cat.unit_name(unit)),
        ["period" | "results", year, kind] => format!("{} – {year}", lang.kind(kind)),
        ["user", name] => format!("{}: {name}", t.audit_user),
        ["document", "units.toml"] => t.audit_units_doc.to_string(),
        ["document", "framework", id] => {
            cat.frameworks.iter().find(|f| f.id == id).map_or(id.to_string(), |f| f.name_in(lang).to_string())
        }
        ["document", "report", year] => (t.audit_report_doc)(year),
        _ => e.entity.clone(),
    };
    let value = |v: &str| match e.action.as_str() {
        "submission.status" => {
            chiso_domain::SubmissionStatus::parse(v).map_or(v.to_string(), |s| lang.status(s).to_string())
        }
        "period.status" => {
            chiso_domain::PeriodStatus::parse(v).map_or(v.to_string(), |s| lang.period_status(s).to_string())
        }
        "answer.set" | "answer.verify" => lang.decimal_text(v),
        // A unit's figures from an import: each criterion's value, by name.
        chiso_store::ANSWERS_IMPORTED => {
            let kind = parts.get(2).copied().unwrap_or_default();
            let figures: serde_json::Map<String, serde_json::Value> = serde_json::from_str(v).unwrap_or_default();
            let list: Vec<String> = figures
                .iter()
                .map(|(field, v)| {
                    format!("{} = {}", criterion(kind, field), lang.decimal_text(v.as_str().unwrap_or_default()))
                })
                .collect();
            if list.is_empty() {
                String::new()
            } else {
                format!("{}:\n{}", (t.audit_figures)(list.len()), list.join(";\n"))
            }
        }
        // A reporter's units, by name.
        "user.units" => v.split(',').filter(|u| !u.is_empty()).map(|u| cat.unit_name(u)).collect::<Vec<_>>().join("; "),
        _ => v.to_string(),
    };
    AuditWords {
        action: (t.action_name)(&e.action).map_or_else(|| e.action.clone(), str::to_string),
        entity,
        old: value(&e.old_value),
        new: value(&e.new_value),
    }
}
