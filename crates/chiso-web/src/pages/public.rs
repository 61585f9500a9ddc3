//! What everyone sees: published results and the official report.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::{AppError, AppResult};
use crate::html::{esc, public_page};
use crate::i18n::{Lang, Reader, Texts};
use crate::site;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chiso_domain::Decimal;
use chiso_domain::framework::Framework;
use chiso_report::json::{ResultRow, ResultsDoc, RowStatus};
use serde::Deserialize;

pub async fn home(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    uri: axum::http::Uri,
) -> AppResult<Html<String>> {
    // The same for everyone: from the micro-cache.
    let key = format!("home/{}", lang.code());
    let body = s.results.get_or_build(&key, || home_body(&s, lang)).await?;
    Ok(public_page(lang, lang.t().home_title, user.as_ref(), &body, &here(&uri)))
}

/// The latest published ranking of each kind of unit (its first places), then every period
/// and the reports.
async fn home_body(s: &AppState, lang: Lang) -> AppResult<String> {
    let t = lang.t();
    let cat = s.app.catalog().await?;
    let overview = s.app.period_overview().await?;
    let mut body = format!("<h1>{}</h1>", t.home_heading);
    // Each kind once, in the order the periods come (newest year first): `dedup` alone
    // would keep a kind again for every year.
    let mut kinds: Vec<&str> = Vec::new();
    for o in &overview {
        if !kinds.contains(&o.period.kind.as_str()) {
            kinds.push(&o.period.kind);
        }
    }
    for kind in kinds {
        let Some(o) =
            overview.iter().filter(|o| o.period.kind == kind && o.version.is_some()).max_by_key(|o| o.period.year)
        else {
            continue;
        };
        let (year, fw) = (o.period.year, cat.framework(&o.period.framework)?);
        let published = s.app.published(year, kind).await?;
        let doc = ResultsDoc::parse(&published.snapshot.results).map_err(|e| stored_results(year, kind, e))?;
        let mut top: Vec<&ResultRow> = doc.results.iter().filter(|r| r.rank.is_some()).collect();
        top.sort_by_key(|r| r.rank);
        top.truncate(5);
        body += &format!(
            "<h2>{}</h2><div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(&(t.latest_ranking)(fw.name_in(lang), year)),
            t.col_order,
            t.col_unit,
            t.col_total,
            t.col_level
        );
        for r in top {
            let unit = match cat.registry.resolve(&r.unit, kind, year) {
                Ok((u, _)) => format!("<a href=\"{}\">{}</a>", site::unit(lang, &u.id.0), esc(&r.unit)),
                Err(_) => esc(&r.unit),
            };
            body += &format!(
                "<tr><td class=\"n\">{}</td><td>{unit}</td><td class=\"n\">{}</td><td>{}</td></tr>",
                r.rank.map(|x| x.to_string()).unwrap_or_default(),
                esc(&lang.decimal_text(r.total.as_deref().unwrap_or(""))),
                esc(r.level.as_deref().unwrap_or(t.below_levels))
            );
        }
        body += &format!(
            "</tbody></table></div>{}<p><a href=\"{}\">{}</a></p>",
            super::views::levels_chart(lang, fw, &doc.results),
            site::results(lang, year, kind),
            esc(&(t.whole_ranking)(doc.results.len()))
        );
    }
    body += &format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.periods_heading, t.col_year, t.col_kind, t.col_status, t.col_results
    );
    let mut years: Vec<i32> = Vec::new();
    for o in &overview {
        let p = &o.period;
        let link = match o.version {
            Some(version) => format!(
                "<a href=\"{}\">{}</a> ({})",
                site::results(lang, p.year, &p.kind),
                t.ranking_link,
                (t.version)(version)
            ),
            None => t.not_published.into(),
        };
        body += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
            p.year,
            esc(&lang.kind(&p.kind)),
            esc(lang.period_status(p.status))
        );
        // A year's report needs its settings (issuing body, signatory …).
        if o.version.is_some() && o.has_report && !years.contains(&p.year) {
            years.push(p.year);
        }
    }
    body += &format!("</tbody></table><h2>{}</h2><ul>", t.reports_heading);
    for y in years {
        body += &format!(
            "<li>{}: <a href=\"{}\">DOCX</a> · <a href=\"{}\">PDF</a> · <a href=\"{}\">XLSX</a> · <a href=\"{}\">HTML</a></li>",
            (t.year_n)(y),
            site::report(lang, y, "docx"),
            site::report(lang, y, "pdf"),
            site::report(lang, y, "xlsx"),
            site::report(lang, y, "html"),
        );
    }
    body += "</ul>";
    Ok(body)
}

/// The dashboard's filters (GET, so a filtered ranking can be linked to).
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    /// Part of the unit's name, case-insensitive.
    #[serde(default)]
    ten: String,
    /// A level's name, `KXH` (below the levels) or `none` (no data); empty for all.
    #[serde(default)]
    muc: String,
}

/// The published ranking: the frozen snapshot, with its version, filters and charts.
pub async fn results(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    notice: crate::done::Notice,
    Path((year, kind)): Path<(String, String)>,
    Query(filter): Query<Filter>,
    uri: axum::http::Uri,
) -> AppResult<Html<String>> {
    let year = super::year(&year)?;
    // The unfiltered ranking is what everyone opens at once: served from the micro-cache.
    let main = if filter.ten.is_empty() && filter.muc.is_empty() {
        let key = format!("page/{year}/{kind}/{}", lang.code());
        s.results.get_or_build(&key, || ranking_page(&s, lang, year, &kind, &filter)).await?
    } else {
        ranking_page(&s, lang, year, &kind, &filter).await?.into()
    };
    let main = notice.html(lang) + &main;
    Ok(public_page(lang, &(lang.t().results_title)(year), user.as_ref(), &main, &here(&uri)))
}

/// The ranking page's content: heading and version, filters, table, charts, downloads.
async fn ranking_page(s: &AppState, lang: Lang, year: i32, kind: &str, filter: &Filter) -> AppResult<String> {
    let t = lang.t();
    let kind = kind.to_string();
    let published = s.app.published(year, &kind).await?;
    let (snap, period) = (published.snapshot, published.period);
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&period.framework)?;
    let results = ResultsDoc::parse(&snap.results).map_err(|e| stored_results(year, &kind, e))?.results;
    let mut b = format!(
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        esc(&(t.results_heading)(year, fw.name_in(lang))),
        esc(&(t.published_as)(snap.version, &lang.time(&snap.at), &snap.reason))
    );

    // Filters: a name fragment and a level.
    let needle = chiso_domain::collate::fold(filter.ten.trim());
    let choices: Vec<(String, &str)> = fw
        .levels
        .iter()
        .map(|l| (l.name.clone(), l.name.as_str()))
        .chain([("KXH".to_string(), t.below_levels), ("none".to_string(), t.no_data)])
        .collect();
    b += &format!(
        "<form method=\"get\" class=\"filters\" role=\"search\"><fieldset><legend>{}</legend>\
         <label>{} <input name=\"ten\" value=\"{}\"></label><label>{} <select name=\"muc\"><option value=\"\">{}</option>{}</select></label>\
         <button>{}</button> <a href=\"{}\">{}</a></fieldset></form>",
        t.filter_heading,
        t.filter_name,
        esc(&filter.ten),
        t.filter_level,
        t.filter_all,
        choices
            .iter()
            .map(|(k, label)| format!(
                "<option value=\"{}\"{}>{}</option>",
                esc(k),
                if *k == filter.muc { " selected" } else { "" },
                esc(label)
            ))
            .collect::<String>(),
        t.filter_apply,
        site::results(lang, year, &kind),
        t.filter_reset
    );
    let shown: Vec<&ResultRow> = results
        .iter()
        .filter(|r| needle.is_empty() || chiso_domain::collate::fold(&r.unit).contains(&needle))
        .filter(|r| filter.muc.is_empty() || r.level_key() == filter.muc)
        .collect();
    if shown.len() != results.len() {
        b += &format!("<p role=\"status\">{}</p>", esc(&(t.filter_shown)(shown.len(), results.len())));
    }

    let moves = s.app.outlooks(year, &kind).await?.map(|o| o.moves).unwrap_or_default();
    b += &super::views::ranking_table(lang, &cat, fw, (&kind, year), &shown, &moves);
    b += &super::views::charts(lang, fw, year, &results);
    b += &format!(
        "<p><a href=\"/api/v1/periods/{year}/results?kind={}\">JSON</a> · <a href=\"{}/csv\">CSV</a></p>",
        esc(&kind),
        site::results(lang, year, &kind)
    );
    Ok(b)
}

/// The official report of a year, as its files were made after publication (chiso-app's
/// `reports.rs`): no request assembles a report or starts a converter.
pub async fn report(State(s): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let (stem, ext) = file.rsplit_once('.').ok_or_else(AppError::not_found)?;
    // `bao-cao-2020.docx`, or `report-2020.docx` at the English address (the same file).
    let year = stem.strip_prefix("bao-cao-").or_else(|| stem.strip_prefix("report-"));
    let year = super::year(year.ok_or_else(AppError::not_found)?)?;
    let format = chiso_app::reports::Format::parse(ext).ok_or_else(AppError::not_found)?;
    let bytes = s.app.report_file(year, format).await?;
    // The HTML opens in the browser; the others download.
    let disposition = match format {
        chiso_app::reports::Format::Html => format!("inline; filename=\"{file}\""),
        _ => format!("attachment; filename=\"{file}\""),
    };
    let mime = format.mime();
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// A unit's page: its lineage, its published results across the years, and (for those
/// allowed to see the unit's data) its own audit trail.
pub async fn unit(
    State(s): State<AppState>,
    Reader(lang): Reader,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> AppResult<Html<String>> {
    let t = lang.t();
    let cat = s.app.catalog().await?;
    let name = cat.registry.get(&chiso_domain::UnitId(id.clone())).ok_or_else(AppError::not_found)?.name.clone();
    // What everyone sees is the same for everyone: from the micro-cache.
    let key = format!("unit/{id}/{}", lang.code());
    let public = s.results.get_or_build(&key, || unit_public(&s, lang, &id)).await?;
    let mut b = public.to_string();
    if let Some(reader) = user.as_ref().filter(|x| x.can_read_unit(&id)) {
        let trail = s.app.unit_trail(&reader.actor(), &id, super::admin::audit::trail_cursor(&uri)).await?;
        b += &format!("<h2 id=\"nhat-ky\">{}</h2>{}", t.trail_heading, super::audit_head(t, false));
        for e in &trail.events {
            let words = super::views::audit_words(lang, &cat, e);
            b += &format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&lang.time(&e.at)),
                esc(&e.actor),
                esc(&words.action),
                esc(&words.entity),
                esc(&words.old),
                esc(&words.new),
                esc(&e.reason)
            );
        }
        b += "</tbody></table>";
        b += &super::admin::audit::trail_nav(lang, uri.path(), &trail);
    }
    Ok(public_page(lang, &name, user.as_ref(), &b, &here(&uri)))
}

/// The part of a unit's page everyone sees: names, lineage, published results across the
/// years, and the outlook computed after the latest publication.
async fn unit_public(s: &AppState, lang: Lang, id: &str) -> AppResult<String> {
    let t = lang.t();
    let cat = s.app.catalog().await?;
    let uid = chiso_domain::UnitId(id.to_string());
    let u = cat.registry.get(&uid).ok_or_else(AppError::not_found)?;
    let mut b = format!("<h1>{}</h1>", esc(&u.name));
    if !u.aliases.is_empty() {
        b += &format!("<p class=\"muted\">{}: {}</p>", t.other_names, esc(&u.aliases.join("; ")));
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
        b += &format!("<h2>{}</h2><ul>", t.lineage_heading);
        b += &lineage.iter().map(|l| format!("<li>{}</li>", esc(l))).collect::<String>();
        b += "</ul>";
    }
    b += &format!(
        "<h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t.history_heading, t.col_year, t.col_name_then, t.col_order, t.col_level, t.col_total, t.col_version
    );
    let mut periods = s.app.periods().await?;
    periods.retain(|p| p.kind == u.kind);
    periods.sort_by_key(|p| p.year);
    // For the charts: (year, total, rank) of each published year, and the latest row with
    // figures with its framework.
    let mut years: Vec<(i32, Option<Decimal>, Option<u32>)> = Vec::new();
    let mut latest: Option<(i32, String, ResultRow)> = None;
    for p in &periods {
        let Some(snap) = s.app.latest_snapshot(p.year, &p.kind).await? else { continue };
        let Some(then) = cat.registry.counterpart(&uid, p.year) else { continue };
        let doc = ResultsDoc::parse(&snap.results).map_err(|e| stored_results(p.year, &p.kind, e))?;
        let Some(r) = doc.results.iter().find(|r| r.unit == then.name) else { continue };
        years.push((p.year, r.total.as_deref().and_then(|x| x.parse().ok()), r.rank));
        if r.total.is_some() {
            latest = Some((p.year, p.framework.clone(), r.clone()));
        }
        b += &format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            p.year,
            esc(&then.name),
            r.rank.map(|x| x.to_string()).unwrap_or_default(),
            esc(r.level.as_deref().unwrap_or(if r.status == RowStatus::NoData {
                t.no_data_short
            } else {
                t.below_levels
            })),
            esc(&lang.decimal_text(r.total.as_deref().unwrap_or(""))),
            snap.version
        );
    }
    b += "</tbody></table>";
    b += &unit_charts(lang, &cat, &years, latest.as_ref())?;
    // The latest published year: how solid the rank is, and what the next level takes, as
    // computed after publication (`reports.rs`); never computed here.
    if let Some(p) = periods.iter().rev().find(|p| p.status == chiso_domain::PeriodStatus::Published) {
        let fw = cat.framework(&p.framework)?;
        b += &format!("<h2>{}</h2><ul>", (t.analysis_heading)(p.year));
        let outlooks = s.app.outlooks(p.year, &p.kind).await?;
        match &outlooks {
            Some(all) => {
                if let Some(o) = all.units.iter().find(|o| o.unit == id) {
                    let line = (t.stability)(o.rank, o.rank_low, o.rank_high, &o.keeps_rank.to_string());
                    b += &format!("<li>{}</li>", esc(&line));
                    b += &format!("<li>{}</li>", esc(&next_level_line(lang, fw, &o.next)));
                }
            }
            None => b += &format!("<li>{}</li>", t.analysis_pending),
        }
        b += "</ul>";
        // Why the rank moved since last year: what it is compared with, and the parts.
        if let Some(m) = outlooks.as_ref().and_then(|all| all.moves.iter().find(|m| m.unit == id)) {
            let lines = if lang == Lang::Vi { &m.vi } else { &m.en };
            b += &format!("<h2>{}</h2><ul>", (t.moves_heading)(p.year - 1, p.year));
            b += &lines.iter().map(|l| format!("<li>{}</li>", esc(l))).collect::<String>();
        }
        b += "</ul>";
    }
    Ok(b)
}

fn next_level_line(lang: Lang, fw: &Framework, next: &chiso_app::reports::Next) -> String {
    let t = lang.t();
    match next {
        chiso_app::reports::Next::Reachable { level, points, steps } => {
            let steps: Vec<String> = steps
                .iter()
                .map(|(criterion, p)| {
                    let label = fw
                        .index_of(criterion)
                        .map_or(criterion.clone(), |i| fw.criterion(i).label_in(lang).to_string());
                    format!("+{} {}", lang.number(*p, fw.rounding.decimals), label)
                })
                .collect();
            (t.next_level)(level, &lang.number(*points, fw.total_rounding().decimals), &steps.join("; "))
        }
        chiso_app::reports::Next::Unreachable { level } => (t.unreachable)(level),
        chiso_app::reports::Next::Top => t.top_level.to_string(),
    }
}

/// The published results as CSV for a spreadsheet, in the reader's words: the criteria by
/// name, levels and statuses as the page says them; in Vietnamese with decimal commas and
/// `;` between columns (what Vietnamese Excel reads). Machines read the JSON API.
pub async fn results_csv(
    State(s): State<AppState>,
    Reader(lang): Reader,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let t = lang.t();
    let year = super::year(&year)?;
    let published = s.app.published(year, &kind).await?;
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&published.period.framework)?;
    let rows = ResultsDoc::parse(&published.snapshot.results).map_err(|e| stored_results(year, &kind, e))?.results;
    let separator = if lang == Lang::Vi { ';' } else { ',' };
    let ids: Vec<String> =
        rows.first().map(|r| r.scores.0.iter().map(|(id, _)| id.clone()).collect()).unwrap_or_default();
    let mut header: Vec<String> = vec![t.col_order.into(), t.col_unit.into(), t.col_level.into(), t.col_total.into()];
    header.extend(
        ids.iter().map(|id| fw.index_of(id).map_or(id.clone(), |i| fw.criterion(i).label_in(lang).to_string())),
    );
    header.push(t.col_previous.into());
    let mut out = format!(
        "\u{FEFF}{}",
        chiso_data::csv_safe::line_with(separator, &header.iter().map(String::as_str).collect::<Vec<_>>())
    );
    let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    for r in &rows {
        let level = match (r.status, &r.level) {
            (RowStatus::NoData, _) => t.no_data.to_string(),
            (_, Some(l)) => l.clone(),
            (_, None) => t.below_levels.to_string(),
        };
        let mut cells =
            vec![number(r.rank), r.unit.clone(), level, lang.decimal_text(r.total.as_deref().unwrap_or_default())];
        cells.extend(r.scores.0.iter().map(|(_, v)| lang.decimal_text(v.as_deref().unwrap_or_default())));
        cells.push(number(r.previous_rank));
        out += &chiso_data::csv_safe::line_with(separator, &cells.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let name = format!("attachment; filename=\"ket-qua-{year}-{kind}.csv\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], out)
        .into_response())
}

/// A stored snapshot that does not read as the results contract: damage, logged.
fn stored_results(year: i32, kind: &str, e: serde_json::Error) -> AppError {
    tracing::error!(year, kind, error = %e, "a published snapshot does not read");
    AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, |t| t.error_internal)
}

/// The page's own path and query (its address in the other language follows from it).
fn here(uri: &axum::http::Uri) -> String {
    uri.path_and_query().map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

/// A unit's total and rank over the years, and its latest year's criterion groups against
/// their maxima (a table and the share of each maximum as bars).
fn unit_charts(
    lang: Lang,
    cat: &chiso_app::Catalog,
    years: &[(i32, Option<Decimal>, Option<u32>)],
    latest: Option<&(i32, String, ResultRow)>,
) -> AppResult<String> {
    use chiso_report::model::{Chart, Series};
    let t = lang.t();
    let Some((year, framework, row)) = latest else { return Ok(String::new()) };
    let fw = cat.framework(framework)?;
    let mut b = String::new();
    let chart = |title: &str, chart: &Chart| {
        format!(
            "<h2>{}</h2>{}",
            esc(title),
            super::views::figure(&chiso_report::chart_svg(chart, lang.separator()), title)
        )
    };
    let with_totals: Vec<&(i32, Option<Decimal>, Option<u32>)> = years.iter().filter(|y| y.1.is_some()).collect();
    if with_totals.len() > 1 {
        let totals = Chart::Bar {
            categories: with_totals.iter().map(|y| (t.year_n)(y.0)).collect(),
            series: vec![Series { name: t.chart_totals.into(), values: with_totals.iter().map(|y| y.1).collect() }],
            decimals: fw.total_rounding().decimals,
            max: fw.total_max(),
        };
        b += &chart(t.chart_unit_totals, &totals);
    }
    let ranked: Vec<(i32, u32)> = years.iter().filter_map(|y| Some((y.0, y.2?))).collect();
    if ranked.len() > 1 {
        let ranks: Vec<u32> = ranked.iter().map(|r| r.1).collect();
        let range = Chart::Range {
            categories: ranked.iter().map(|r| (t.year_n)(r.0)).collect(),
            low: ranks.clone(),
            high: ranks.clone(),
            value: ranks,
        };
        b += &chart(t.chart_unit_ranks, &range);
    }
    // The latest year's top-level groups against their maxima.
    let rounding = fw.total_rounding();
    let groups: Vec<_> = fw.criteria.iter().filter(|c| c.parent.is_none()).collect();
    let points = |id: &str| row.scores.get(id).and_then(|x| x.parse::<Decimal>().ok());
    b += &format!(
        "<h2>{}</h2><div class=\"wrap\" tabindex=\"0\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&(t.groups_heading)(*year)),
        t.col_criterion,
        t.col_points,
        t.col_max,
        t.col_share
    );
    let decimals = fw.rounding.decimals;
    let text = |d: Decimal, n: u32| lang.decimal_text(&chiso_domain::number::format_fixed(d, n, '.'));
    for c in &groups {
        let p = points(&c.id.0);
        b += &format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(c.name_in(lang)),
            p.map(|p| text(p, decimals)).unwrap_or_default(),
            text(c.max, decimals),
            p.and_then(|p| rounding.percent(p, c.max))
                .map(|x| format!("{}%", text(x, rounding.percent_decimals)))
                .unwrap_or_default()
        );
    }
    b += "</tbody></table></div>";
    let shares = Chart::Bar {
        categories: groups.iter().map(|c| c.label_in(lang).to_string()).collect(),
        series: vec![Series {
            name: (t.year_n)(*year),
            values: groups.iter().map(|c| points(&c.id.0).and_then(|p| rounding.percent(p, c.max))).collect(),
        }],
        decimals: rounding.percent_decimals,
        max: Decimal::ONE_HUNDRED,
    };
    b += &super::views::figure(&chiso_report::chart_svg(&shares, lang.separator()), &(t.groups_heading)(*year));
    Ok(b)
}
