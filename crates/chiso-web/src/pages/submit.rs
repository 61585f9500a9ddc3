//! A unit's self-assessment: the form generated from the framework, drafts, submission
//! before the deadline, evidence per criterion, answers to the assessors' questions.

use super::{Fields, field};
use crate::AppState;
use crate::auth::{self, MaybeUser, User};
use crate::error::{AppError, AppResult};
use crate::html::{csrf_input, esc, page};
use crate::i18n::{Lang, Reader, Texts};
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chiso_domain::framework::{Framework, NotApplicable, Rule};
use chiso_store::{AnswerRow, EvidenceRow, PeriodRow};

use crate::done::{Done, Notice};
use chiso_app::{AnswerInput, leaf_fields};

fn value<'a>(answers: &'a [AnswerRow], f: &str) -> &'a str {
    answers.iter().find(|a| a.field == f).map_or("", |a| a.value.as_str())
}

fn input(name: &str, value: &str, editable: bool, label: &str) -> String {
    let ro = if editable { "" } else { " readonly" };
    format!(
        "<label>{} <input name=\"{}\" value=\"{}\" inputmode=\"decimal\"{ro}></label>",
        esc(label),
        esc(name),
        esc(value)
    )
}

/// What the form shows of one unit's submission.
struct View<'a> {
    unit_name: String,
    unit: &'a str,
    answers: &'a [AnswerRow],
    status: chiso_domain::SubmissionStatus,
    /// Messages above the form (validation errors).
    extra: &'a str,
    evidence: &'a [EvidenceRow],
    /// Every criterion's conversation with the assessors.
    conversation: &'a [chiso_app::ThreadEntry],
    /// The unit's deadline (its extension where granted).
    deadline: Option<&'a str>,
    /// What the inputs show, for the draft the browser keeps.
    draft: super::views::Draft,
}

/// The form (editable for the unit's reporter while a draft, read-only for others).
fn render(lang: Lang, fw: &Framework, p: &PeriodRow, u: &User, v: &View) -> String {
    let t = lang.t();
    let View { unit_name, unit, answers, status, extra, evidence, conversation, .. } = v;
    let (unit, answers, status, evidence) = (*unit, *answers, *status, *evidence);
    let editable = u.can_write_unit(unit) && status.editable() && p.status.accepts_work();
    let mut b = format!(
        "<h1>{}</h1><p>{}: <strong>{}</strong>{}</p>{extra}",
        esc(&(t.form_heading)(unit_name, p.year)),
        t.status_label,
        esc(lang.status(status)),
        match v.deadline.filter(|_| p.status.accepts_work()) {
            Some(d) => format!(" · {}: {}", t.deadline_label, super::views::deadline_text(lang, Some(d))),
            None => String::new(),
        }
    );
    let action = format!("/nop/{}/{}/{}", p.year, p.kind, unit);
    b += &format!(
        "<form method=\"post\" action=\"{}\"{}{}>{}",
        esc(&action),
        super::views::draft_attrs(lang, u, &action, v.draft, editable),
        if editable { total_attrs(lang, fw) } else { String::new() },
        csrf_input(u)
    );
    for (i, c) in fw.leaves() {
        let fields = leaf_fields(fw, i);
        let na = fields.iter().all(|f| value(answers, f).eq_ignore_ascii_case("N/A"));
        let path = c.parent.map(|q| format!("{} › ", fw.criterion(q).name)).unwrap_or_default();
        // What the form's script needs to count the criterion's points as the user types.
        let rule = serde_json::to_string(&c.rule).unwrap_or_default();
        b += &format!(
            "<fieldset data-rule=\"{}\" data-max=\"{}\" data-na=\"{}\"><legend>{}{} ({})</legend>",
            esc(&rule),
            c.max.normalize(),
            match c.not_applicable {
                NotApplicable::Forbidden => "forbidden",
                NotApplicable::FullPoints => "full-points",
                NotApplicable::Excluded => "excluded",
                NotApplicable::Zero => "zero",
            },
            esc(&path),
            esc(&c.name),
            esc(&(t.max)(&lang.decimal_text(&c.max.normalize().to_string())))
        );
        b += &guidance(lang, &c.guidance);
        match &c.rule {
            Some(Rule::YesNo) => {
                let v = value(answers, &fields[0]);
                b += &format!(
                    "<label>{} <select name=\"{}\"{}>",
                    t.yes_no,
                    esc(&fields[0]),
                    if editable { "" } else { " disabled" }
                );
                // The values stay the import's words; only the labels follow the language.
                for (o, label) in [("", ""), ("có", t.yes), ("không", t.no)] {
                    let sel = if o == v { " selected" } else { "" };
                    b += &format!("<option value=\"{o}\"{sel}>{label}</option>");
                }
                b += "</select></label>";
            }
            Some(Rule::Scale { answers: scale }) => {
                let v = value(answers, &fields[0]);
                b += &format!(
                    "<label>{} <select name=\"{}\"{}><option></option>",
                    t.option,
                    esc(&fields[0]),
                    if editable { "" } else { " disabled" }
                );
                for a in scale {
                    let sel = if a.label == v { " selected" } else { "" };
                    b += &format!("<option{sel}>{}</option>", esc(&a.label));
                }
                b += "</select></label>";
            }
            Some(Rule::Ratio | Rule::RelativeToBest) => {
                b += &input(&fields[0], value(answers, &fields[0]), editable, t.numerator);
                b += &input(&fields[1], value(answers, &fields[1]), editable, t.denominator);
            }
            Some(Rule::Count { .. }) => b += &input(&fields[0], value(answers, &fields[0]), editable, t.count),
            Some(Rule::Steps { .. }) => b += &input(&fields[0], value(answers, &fields[0]), editable, t.figure),
            _ => b += &input(&fields[0], value(answers, &fields[0]), editable, t.self_points),
        }
        if c.not_applicable != NotApplicable::Forbidden {
            let note = answers.iter().find(|a| a.field == fields[0]).map_or("", |a| a.note.as_str());
            b += &format!(
                "<label><input type=\"checkbox\" name=\"{0}.na\" value=\"1\"{1}{2}> {5} <span class=\"muted\">({7})</span></label>\
                 <label>{6} <input name=\"{0}.note\" value=\"{3}\"{4}></label>",
                esc(&c.id.0),
                if na { " checked" } else { "" },
                if editable { "" } else { " disabled" },
                esc(note),
                if editable { "" } else { " readonly" },
                t.not_applicable,
                t.reason,
                esc(&(t.not_applicable_gives)(c.not_applicable, &lang.decimal_text(&c.max.normalize().to_string())))
            );
        }
        for a in answers.iter().filter(|a| fields.contains(&a.field) && a.verified.is_some()) {
            b += &format!("<p class=\"muted\">{}: {}</p>", t.verified_value, esc(a.verified.as_deref().unwrap_or("")));
        }
        for e in evidence.iter().filter(|e| e.criterion == c.id.0) {
            // Its own small form: a button inside the answers' form would submit them.
            let delete = if editable {
                format!(
                    " <button form=\"xoa-{0}\" class=\"link\" data-confirm=\"{2}\">{1}</button>",
                    e.id,
                    t.delete_evidence,
                    esc(&(t.ask_delete)(&e.filename))
                )
            } else {
                String::new()
            };
            b += &format!(
                "<p>{}: <a href=\"/minh-chung/{}\">{}</a> ({} {}){delete}</p>",
                t.evidence,
                e.id,
                esc(&e.filename),
                e.size,
                t.bytes
            );
        }
        b += &super::views::thread(lang, fw, conversation.iter().filter(|e| e.criterion == c.id.0));
        b += "</fieldset>";
    }
    if editable && is_plain_sum(fw) {
        // Filled by the form's script as the user types; the server's count stays the truth.
        b += &format!(
            "<p class=\"notice\"><output id=\"tam-tinh\" aria-live=\"polite\"></output><span class=\"hint\">{}</span></p>",
            t.total_preview_hint
        );
    }
    if editable {
        b += &format!(
            "<button name=\"action\" value=\"save\">{}</button> <button name=\"action\" value=\"submit\" data-confirm=\"{}\">{}</button>",
            t.save_draft,
            esc(t.ask_submit),
            t.submit
        );
    }
    b += "</form>";
    if editable {
        for e in evidence {
            b += &format!(
                "<form id=\"xoa-{}\" method=\"post\" action=\"/minh-chung/{}/xoa\" hidden>{}</form>",
                e.id,
                e.id,
                csrf_input(u)
            );
        }
    }
    if u.can_write_unit(unit) && p.status.accepts_work() {
        b += &format!("<p><a href=\"/nop/{}/{}/{}/excel\">{}</a></p>", p.year, esc(&p.kind), esc(unit), t.excel_link);
        b += &format!(
            "<h2>{5}</h2><form method=\"post\" enctype=\"multipart/form-data\" action=\"/nop/{0}/{1}/{2}/minh-chung\">{3}\
             <label>{6} <select name=\"criterion\">{4}</select></label><label>{7} \
             <input type=\"file\" name=\"file\" required></label><button>{8}</button></form>\
             <h2>{9}</h2><form method=\"post\" action=\"/nop/{0}/{1}/{2}/tra-loi\">{3}<label>{6} <select name=\"criterion\">{4}</select></label>\
             <label>{10} <textarea name=\"body\" required></textarea></label><button>{11}</button></form>",
            p.year,
            esc(&p.kind),
            esc(unit),
            csrf_input(u),
            fw.leaves()
                .map(|(_, c)| format!("<option value=\"{}\">{}</option>", esc(&c.id.0), esc(&c.name)))
                .collect::<String>(),
            t.evidence,
            t.col_criterion,
            t.evidence_file,
            t.upload,
            t.reply_heading,
            t.content,
            t.send
        );
    }
    b
}

/// A criterion's description, guidance and evidence requirement, as the framework gives them.
fn guidance(lang: Lang, g: &chiso_domain::framework::Guidance) -> String {
    let t = lang.t();
    let mut b = String::new();
    if let Some(d) = &g.description {
        b += &format!("<p class=\"hint\">{}</p>", esc(d));
    }
    if let Some(h) = &g.guidance {
        b += &format!("<p class=\"hint\"><strong>{}:</strong> {}</p>", t.guidance_label, esc(h));
    }
    if let Some(e) = &g.evidence {
        b += &format!("<p class=\"hint\"><strong>{}:</strong> {}</p>", t.evidence_required, esc(e));
    }
    b
}

/// Whether a framework's total is the plain sum of its leaves' points (no weights, no
/// normalisation across units): the only kind the form's script can count alone.
fn is_plain_sum(fw: &Framework) -> bool {
    use chiso_domain::framework::Aggregation;
    fw.aggregation == Aggregation::Sum
        && fw.index.is_none()
        && fw.criteria.iter().all(|c| {
            c.aggregation == Aggregation::Sum
                && c.weight == chiso_domain::Decimal::ONE
                && c.normalise.is_none()
                && !matches!(c.rule, Some(Rule::RelativeToBest | Rule::Indicator))
        })
}

/// The form's attributes for the running total and the level it would reach (`data-total`):
/// the framework's maximum, decimals and levels, and the words around them.
fn total_attrs(lang: Lang, fw: &Framework) -> String {
    if !is_plain_sum(fw) {
        return String::new();
    }
    let t = lang.t();
    let levels = serde_json::to_string(&fw.levels).unwrap_or_default();
    format!(
        " data-total=\"{}\" data-decimals=\"{}\" data-levels=\"{}\" data-total-label=\"{}\" data-level-label=\"{}\" data-below=\"{}\" data-missing=\"{}\" data-points-label=\"{}\" data-separator=\"{}\"",
        fw.max.normalize(),
        fw.rounding.decimals,
        esc(&levels),
        esc(t.total_preview),
        esc(t.level_preview),
        esc(t.level_preview_none),
        esc(t.total_missing),
        esc(t.col_points),
        lang.separator()
    )
}

pub async fn form(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    notice: Notice,
    Path((year, kind, unit)): Path<(String, String, String)>,
) -> AppResult<Html<String>> {
    let u = auth::require(user)?;
    let sub =
        s.app.submission(&u.actor(), &chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit)).await?;
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&sub.period.framework)?;
    let view = View {
        unit_name: cat.unit_name(&unit),
        unit: &unit,
        answers: &sub.answers,
        status: sub.status,
        extra: &notice.html(lang),
        evidence: &sub.evidence,
        conversation: &sub.conversation,
        deadline: sub.deadline.as_deref(),
        draft: match notice.0 {
            Some(Done::Saved | Done::Submitted) => super::views::Draft::Saved,
            _ => super::views::Draft::Stored,
        },
    };
    let body = render(lang, fw, &sub.period, &u, &view);
    Ok(page(lang, lang.t().self_title, Some(&u), &body))
}

/// The answers a form carries, per field, with "not applicable" and its reason.
pub fn answers_from(fw: &Framework, f: &Fields) -> Vec<AnswerInput> {
    let mut out = Vec::new();
    for (i, c) in fw.leaves() {
        let na = field(f, &format!("{}.na", c.id)).is_some();
        let note = field(f, &format!("{}.note", c.id)).unwrap_or("").trim().to_string();
        for name in leaf_fields(fw, i) {
            let value = if na { "N/A".to_string() } else { field(f, &name).unwrap_or("").trim().to_string() };
            out.push(AnswerInput { field: name, value, note: if na { note.clone() } else { String::new() } });
        }
    }
    out
}

pub async fn save(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let (p, cat) = s.app.writable(&u.actor(), &key).await?;
    let fw = cat.framework(&p.framework)?;
    let answers = answers_from(fw, &f);
    let submit = field(&f, "action") == Some("submit");
    match s.app.save_answers(&u.actor(), &key, answers.clone(), submit).await {
        Ok(_) => {
            let done = if submit { Done::Submitted } else { Done::Saved };
            Ok(Redirect::to(&done.after(&format!("/nop/{}/{}/{}", p.year, kind, unit))).into_response())
        }
        // The form again, with what was typed and every problem above it.
        Err(e) if e.kind == chiso_app::Kind::Unprocessable => {
            let t = lang.t();
            let extra = super::views::refusal(lang, Some(t.not_saved), &e);
            let typed: Vec<AnswerRow> = answers
                .into_iter()
                .map(|a| AnswerRow { field: a.field, value: a.value, verified: None, note: a.note })
                .collect();
            // Its evidence and conversation as stored, beside what was typed.
            let stored = s.app.submission(&u.actor(), &key).await?;
            let view = View {
                unit_name: cat.unit_name(&unit),
                unit: &unit,
                answers: &typed,
                status: chiso_domain::SubmissionStatus::Draft,
                extra: &extra,
                evidence: &stored.evidence,
                conversation: &stored.conversation,
                deadline: p.deadline.as_deref(),
                draft: super::views::Draft::Refused,
            };
            let body = render(lang, fw, &p, &u, &view);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page(lang, t.self_title, Some(&u), &body)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn upload(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    request: axum::extract::Request,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    // The body only once the caller is known (a wrong content type is 401 without a login).
    use axum::extract::FromRequest;
    let mut multipart =
        Multipart::from_request(request, &s).await.map_err(|r| AppError::rejected(r.status(), r.body_text()))?;
    let (mut csrf, mut criterion, mut file) = (None, None, None);
    let refused = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::new(StatusCode::PAYLOAD_TOO_LARGE, |t| t.file_too_large),
        _ => AppError::bad_request(|t| t.bad_upload),
    };
    while let Some(part) = multipart.next_field().await.map_err(refused)? {
        match part.name().unwrap_or("") {
            "csrf" => csrf = part.text().await.ok(),
            "criterion" => criterion = part.text().await.ok(),
            "file" => {
                let name = part.file_name().unwrap_or("minh-chung").to_string();
                let bytes = part.bytes().await.map_err(refused)?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    auth::check_csrf(&u, csrf.as_deref())?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    let (filename, bytes) = file.ok_or_else(|| chiso_app::Error::invalid(chiso_app::Message::NoFile))?;
    let criterion = criterion.unwrap_or_default();
    s.app.add_evidence(&u.actor(), &key, chiso_app::Evidence { criterion, filename, bytes: bytes.to_vec() }).await?;
    Ok(Redirect::to(&Done::Uploaded.after(&format!("/nop/{}/{}/{}", key.year, kind, unit))).into_response())
}

pub async fn reply(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path((year, kind, unit)): Path<(String, String, String)>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let key = chiso_domain::SubmissionKey::new(super::year(&year)?, &kind, &unit);
    s.app.reply(&u.actor(), &key, field(&f, "criterion").unwrap_or(""), field(&f, "body").unwrap_or("")).await?;
    Ok(Redirect::to(&Done::Replied.after(&format!("/nop/{year}/{kind}/{unit}"))).into_response())
}

/// POST `/minh-chung/{id}/xoa`: the unit's reporter takes back an evidence file.
pub async fn delete_evidence(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    auth::check_csrf(&u, field(&f, "csrf"))?;
    let key = s.app.delete_evidence(&u.actor(), id).await?;
    Ok(Redirect::to(&Done::Deleted.after(&format!("/nop/{}/{}/{}", key.year, key.kind, key.unit()))).into_response())
}

pub async fn download(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let u = auth::require(user)?;
    let (e, bytes) = s.app.evidence_file(&u.actor(), id).await?;
    let safe: String = e.filename.chars().filter(|c| c.is_alphanumeric() || ".-_ ".contains(*c)).collect();
    Ok((
        [
            (header::CONTENT_TYPE, e.content_type),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe}\"")),
        ],
        bytes,
    )
        .into_response())
}
