//! What everyone sees: published results and the official report.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::{AppError, AppResult};
use crate::html::{esc, public_page};
use crate::i18n::{Lang, Reader, Texts};
use crate::site;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use chiso_domain::Decimal;
use chiso_domain::framework::Framework;
use chiso_report::json::RowStatus;

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
        // The version as kept parsed: the home page never parses a national ranking.
        let ranking = s.app.ranking(year, kind).await?;
        let mut top: Vec<&chiso_app::ranking::RankedRow> = ranking.rows.iter().filter(|r| r.rank.is_some()).collect();
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
            let unit = match &r.id {
                Some(id) => format!("<a href=\"{}\">{}</a>", site::unit(lang, &id.0), esc(&r.name)),
                None => esc(&r.name),
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
            super::ranking::levels_chart(lang, fw, &ranking),
            site::results(lang, year, kind),
            esc(&(t.whole_ranking)(ranking.rows.len()))
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
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}<td>{}</td></tr>",
                esc(&lang.time(&e.at)),
                esc(&e.actor),
                esc(&words.action),
                esc(&words.entity),
                super::views::audit_value_cell(&words.old),
                super::views::audit_value_cell(&words.new),
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
    let mut latest: Option<(i32, String, std::sync::Arc<chiso_app::ranking::Ranking>, usize)> = None;
    for p in &periods {
        let Some(then) = cat.registry.counterpart(&uid, p.year) else { continue };
        // The version as kept parsed (one small query per year), the row by name.
        let ranking = match s.app.ranking(p.year, &p.kind).await {
            Ok(r) => r,
            Err(e) if e.kind == chiso_app::Kind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        let Some(i) = ranking.row_named(&then.name) else { continue };
        let r = &ranking.rows[i];
        let snap_version = ranking.version;
        years.push((p.year, r.total.as_deref().and_then(|x| x.parse().ok()), r.rank));
        if r.total.is_some() {
            latest = Some((p.year, p.framework.clone(), ranking.clone(), i));
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
            snap_version
        );
    }
    b += "</tbody></table>";
    b += &unit_charts(lang, &cat, &years, latest.as_ref())?;
    // The latest published year: how solid the rank is, and what the next level takes, as
    // computed after publication (`reports.rs`); never computed here.
    if let Some(p) = periods.iter().rev().find(|p| p.status == chiso_domain::PeriodStatus::Published) {
        let fw = cat.framework(&p.framework)?;
        b += &format!("<h2>{}</h2><ul>", (t.analysis_heading)(p.year));
        let outlooks = super::ranking::outlooks(s, p.year, &p.kind).await?;
        match &outlooks {
            Some(all) => {
                if let Some(o) = all.unit(id) {
                    let line = (t.stability)(o.rank, o.rank_low, o.rank_high, &o.keeps_rank.to_string());
                    b += &format!("<li>{}</li>", esc(&line));
                    b += &format!("<li>{}</li>", esc(&next_level_line(lang, fw, &o.next)));
                }
            }
            None => b += &format!("<li>{}</li>", t.analysis_pending),
        }
        b += "</ul>";
        // Why the rank moved since last year: what it is compared with, and the parts.
        if let Some(m) = outlooks.as_ref().and_then(|all| all.moves_of(id)) {
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
    latest: Option<&(i32, String, std::sync::Arc<chiso_app::ranking::Ranking>, usize)>,
) -> AppResult<String> {
    use chiso_report::model::{Chart, Series};
    let t = lang.t();
    let Some((year, framework, ranking, row)) = latest else { return Ok(String::new()) };
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
    let points = |id: &str| ranking.score(*row, id);
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
