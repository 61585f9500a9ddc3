//! The published ranking at any size: a page of rows at a time (`?trang=`), filtered by
//! name (`?ten=`) and level (`?muc=`), the top-level groups' points as columns and one
//! group's criteria on demand (`?nhom=`); the full table as CSV and XLSX. Every request
//! reads the parsed version kept by `App::ranking` and the outlooks kept here, per version:
//! nothing is parsed or scored per request.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::{AppError, AppResult};
use crate::html::{esc, public_page};
use crate::i18n::{Lang, Reader, Texts};
use crate::site;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use chiso_app::ranking::{Ranking, RankingPage};
use chiso_app::reports::Outlooks;
use chiso_domain::Decimal;
use chiso_domain::framework::Framework;
use chiso_report::json::RowStatus;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The page's filters (GET, so a filtered ranking can be linked to).
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    /// Part of the unit's name, case and diacritics aside.
    #[serde(default)]
    pub ten: String,
    /// A level's name, `KXH` (below the levels) or `none` (no data); empty for all.
    #[serde(default)]
    pub muc: String,
    /// A top-level group whose criteria are shown as columns.
    #[serde(default)]
    pub nhom: String,
    /// The page, from 1.
    #[serde(default)]
    pub trang: Option<usize>,
}

/// A period's outlooks with their units and moves found by unit id.
pub struct Indexed {
    pub all: Outlooks,
    units: HashMap<String, usize>,
    moves: HashMap<String, usize>,
}

impl Indexed {
    pub fn unit(&self, id: &str) -> Option<&chiso_app::reports::Outlook> {
        self.units.get(id).map(|&i| &self.all.units[i])
    }
    pub fn moves_of(&self, id: &str) -> Option<&chiso_app::reports::Move> {
        self.moves.get(id).map(|&i| &self.all.moves[i])
    }
}

/// Kept per published version as this server parsed it (`App::ranking`: one per `App`, so
/// two platforms in one process never share), and the previous year's version.
type Kept = Vec<((std::sync::Weak<Ranking>, Option<i64>), Arc<Indexed>)>;
static OUTLOOKS: Mutex<Kept> = Mutex::new(Vec::new());

/// Whether `w` is this very ranking, still alive.
fn same(w: &std::sync::Weak<Ranking>, ranking: &Arc<Ranking>) -> bool {
    w.upgrade().is_some_and(|r| Arc::ptr_eq(&r, ranking))
}

/// The outlooks of a period's latest published version, read once per version (and per
/// previous year's version), `None` while the worker makes them or before publication.
pub async fn outlooks(s: &AppState, year: i32, kind: &str) -> AppResult<Option<Arc<Indexed>>> {
    let ranking = match s.app.ranking(year, kind).await {
        Ok(r) => r,
        Err(e) if e.kind == chiso_app::Kind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let previous = s.app.published_version(year - 1, kind).await?;
    {
        let mut kept = OUTLOOKS.lock().expect("not poisoned");
        kept.retain(|((w, _), _)| w.strong_count() > 0);
        if let Some((_, x)) = kept.iter().find(|((w, p), _)| same(w, &ranking) && *p == previous) {
            return Ok(Some(x.clone()));
        }
    }
    let Some(all) = s.app.outlooks(year, kind).await? else { return Ok(None) };
    if all.version != ranking.version {
        return Ok(None);
    }
    let units = all.units.iter().enumerate().map(|(i, o)| (o.unit.clone(), i)).collect();
    let moves = all.moves.iter().enumerate().map(|(i, m)| (m.unit.clone(), i)).collect();
    let x = Arc::new(Indexed { all, units, moves });
    let mut kept = OUTLOOKS.lock().expect("not poisoned");
    kept.retain(|((w, _), _)| !same(w, &ranking));
    kept.push(((Arc::downgrade(&ranking), previous), x.clone()));
    Ok(Some(x))
}

/// `/ket-qua/{year}/{kind}` (and `/en/results/…`): one page of the published ranking.
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
    let plain = filter.ten.is_empty() && filter.muc.is_empty() && filter.nhom.is_empty() && filter.trang.is_none();
    // The first page, unfiltered, is what everyone opens at once: from the micro-cache.
    let main = if plain {
        let key = format!("page/{year}/{kind}/{}", lang.code());
        s.results.get_or_build(&key, || page_body(&s, lang, year, &kind, &filter)).await?
    } else {
        page_body(&s, lang, year, &kind, &filter).await?.into()
    };
    let main = notice.html(lang) + &main;
    let here = uri.path_and_query().map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string());
    Ok(public_page(lang, &(lang.t().results_title)(year), user.as_ref(), &main, &here))
}

/// The page's address with these filters.
fn address(base: &str, f: &Filter, nhom: &str, trang: usize) -> String {
    let mut q: Vec<(&str, String)> = Vec::new();
    for (k, v) in [("ten", f.ten.trim()), ("muc", f.muc.as_str()), ("nhom", nhom)] {
        if !v.is_empty() {
            q.push((k, v.to_string()));
        }
    }
    if trang > 1 {
        q.push(("trang", trang.to_string()));
    }
    if q.is_empty() {
        return base.to_string();
    }
    let query: Vec<String> = q.iter().map(|(k, v)| format!("{k}={}", crate::html::query_value(v))).collect();
    format!("{base}?{}", query.join("&"))
}

async fn page_body(s: &AppState, lang: Lang, year: i32, kind: &str, filter: &Filter) -> AppResult<String> {
    let t = lang.t();
    let ranking = s.app.ranking(year, kind).await?;
    let cat = s.app.catalog().await?;
    let fw = cat.framework(&ranking.period.framework)?;
    let base = site::results(lang, year, kind);
    let mut b = format!(
        "<h1>{}</h1><p class=\"muted\">{}</p>",
        esc(&(t.results_heading)(year, fw.name_in(lang))),
        esc(&(t.published_as)(ranking.version, &lang.time(&ranking.at), &ranking.reason))
    );
    let choices: Vec<(String, &str)> = fw
        .levels
        .iter()
        .map(|l| (l.name.clone(), l.name.as_str()))
        .chain([("KXH".to_string(), t.below_levels), ("none".to_string(), t.no_data)])
        .collect();
    let nhom = if filter.nhom.is_empty() {
        String::new()
    } else {
        format!("<input type=\"hidden\" name=\"nhom\" value=\"{}\">", esc(&filter.nhom))
    };
    b += &format!(
        "<form method=\"get\" class=\"filters\" role=\"search\"><fieldset><legend>{}</legend>{nhom}\
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
        base,
        t.filter_reset
    );
    let page = ranking.select(&filter.ten, &filter.muc, filter.trang.unwrap_or(1));
    if page.matched != ranking.rows.len() {
        b += &format!("<p role=\"status\">{}</p>", esc(&(t.filter_shown)(page.matched, ranking.rows.len())));
    }
    let moves = outlooks(s, year, kind).await?;
    b += &table(lang, fw, &ranking, &page, moves.as_deref(), filter, &base);
    b += &pager(lang, &page, filter, &base);
    b += &kept_charts(lang, fw, &ranking);
    b += &format!(
        "<p><a href=\"/api/v1/periods/{year}/results?kind={}\">JSON</a> · <a href=\"{base}/csv\">CSV</a> · <a href=\"{base}/xlsx\">XLSX</a></p>",
        esc(kind),
    );
    Ok(b)
}

/// The criteria shown as columns: the top-level groups, and the open group's criteria
/// after it (in the framework's order).
fn columns<'a>(fw: &'a Framework, open: &str) -> Vec<(&'a chiso_domain::framework::Criterion, bool)> {
    if !on_demand(fw) {
        return fw.criteria.iter().map(|c| (c, c.parent.is_none())).collect();
    }
    let open = fw.index_of(open).filter(|&i| fw.criterion(i).parent.is_none());
    let mut out = Vec::new();
    for (i, c) in fw.criteria.iter().enumerate() {
        if c.parent.is_none() {
            out.push((c, true));
        } else if let Some(g) = open {
            // A descendant of the open group.
            let mut p = c.parent;
            while let Some(x) = p {
                if x == g {
                    out.push((c, false));
                    break;
                }
                p = fw.criterion(x).parent;
            }
            let _ = i;
        }
    }
    out
}

/// Criteria beyond this many are shown a group at a time (a national framework has
/// 126); a province's framework keeps every column.
const ALL_COLUMNS: usize = 24;

fn on_demand(fw: &Framework) -> bool {
    fw.criteria.len() > ALL_COLUMNS && fw.criteria.iter().any(|c| c.parent.is_some())
}

pub(crate) fn table(
    lang: Lang,
    fw: &Framework,
    ranking: &Ranking,
    page: &RankingPage,
    outlooks: Option<&Indexed>,
    filter: &Filter,
    base: &str,
) -> String {
    let t = lang.t();
    let cols = columns(fw, &filter.nhom);
    let mut b = format!(
        "<div class=\"wrap\" tabindex=\"0\"><table class=\"ranking\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>",
        t.col_order, t.col_unit, t.col_level, t.col_total, t.col_previous
    );
    for (c, group) in &cols {
        let label = esc(c.label_in(lang));
        if *group && on_demand(fw) {
            // The group's criteria on demand: its header opens (or closes) them.
            let open = filter.nhom == c.id.0;
            let to = address(base, filter, if open { "" } else { &c.id.0 }, page.page);
            let sign = if open { "−" } else { "+" };
            b += &format!("<th><a href=\"{}\" aria-expanded=\"{open}\">{label} {sign}</a></th>", esc(&to));
        } else {
            b += &format!("<th>{label}</th>");
        }
    }
    b += "</tr></thead><tbody>";
    let num = |x: Option<&str>| x.map(|s| lang.decimal_text(s)).unwrap_or_default();
    for &i in &page.shown {
        let r = &ranking.rows[i];
        let level = match r.status {
            RowStatus::NoData => t.no_data_not_ranked,
            RowStatus::BelowLevels => t.below_levels,
            RowStatus::Ranked => r.level.as_deref().unwrap_or(""),
        };
        let unit = match &r.id {
            Some(id) => format!("<a href=\"{}\">{}</a>", site::unit(lang, &id.0), esc(&r.name)),
            None => esc(&r.name),
        };
        // What the previous rank is of, where it is not the unit's own.
        let compared =
            r.id.as_ref()
                .and_then(|id| outlooks?.moves_of(&id.0))
                .filter(|m| m.method != "same")
                .and_then(|m| if lang == Lang::Vi { m.vi.first() } else { m.en.first() })
                .map(|line| format!("<br><span class=\"muted\">{}</span>", esc(line.split(';').next().unwrap_or(""))))
                .unwrap_or_default();
        b += &format!(
            "<tr><td class=\"n\">{}</td><td>{unit}</td><td>{}</td><td class=\"n\"><strong>{}</strong></td><td class=\"n\">{}{compared}</td>",
            r.rank.map(|x| x.to_string()).unwrap_or_default(),
            esc(level),
            num(r.total.as_deref()),
            r.previous_rank.map(|x| x.to_string()).unwrap_or_default()
        );
        for (c, _) in &cols {
            let v = ranking.score(i, &c.id.0).map(|d| d.to_string());
            b += &format!("<td class=\"n\">{}</td>", esc(&num(v.as_deref())));
        }
        b += "</tr>";
    }
    b += "</tbody></table></div>";
    b += &super::views::legend(lang, fw);
    b
}

pub(crate) fn pager(lang: Lang, page: &RankingPage, filter: &Filter, base: &str) -> String {
    let t = lang.t();
    super::views::pager(t, t.pages_label, page.page, page.pages, |n| address(base, filter, &filter.nhom, n))
}

type KeptCharts = Vec<((std::sync::Weak<Ranking>, &'static str), Arc<str>)>;
static CHARTS: Mutex<KeptCharts> = Mutex::new(Vec::new());

/// The charts of a published version as this server parsed it, drawn once per language.
fn kept_charts(lang: Lang, fw: &Framework, ranking: &Arc<Ranking>) -> Arc<str> {
    {
        let mut kept = CHARTS.lock().expect("not poisoned");
        kept.retain(|((w, _), _)| w.strong_count() > 0);
        if let Some((_, c)) = kept.iter().find(|((w, l), _)| *l == lang.code() && same(w, ranking)) {
            return c.clone();
        }
    }
    let drawn: Arc<str> = charts(lang, fw, ranking).into();
    CHARTS.lock().expect("not poisoned").push(((Arc::downgrade(ranking), lang.code()), drawn.clone()));
    drawn
}

/// Units per level and the groups' mean share of their maximum, over every row; the
/// totals of each unit as bars only while they stay readable.
pub(crate) fn charts(lang: Lang, fw: &Framework, ranking: &Ranking) -> String {
    use chiso_report::model::{Chart, Series};
    let t = lang.t();
    let mut charts = vec![(t.chart_levels, levels_pie(lang, fw, ranking))];
    let ranked: Vec<usize> = (0..ranking.rows.len()).filter(|&i| ranking.rows[i].total.is_some()).collect();
    if ranked.len() <= 60 {
        charts.push((
            t.chart_totals,
            Chart::Bar {
                categories: ranked.iter().map(|&i| ranking.rows[i].name.clone()).collect(),
                series: vec![Series {
                    name: (t.year_n)(ranking.period.year),
                    values: ranked
                        .iter()
                        .map(|&i| ranking.rows[i].total.as_deref().and_then(|x| x.parse().ok()))
                        .collect(),
                }],
                decimals: fw.total_rounding().decimals,
                max: fw.total_max(),
            },
        ));
    }
    let rounding = fw.total_rounding();
    let groups: Vec<_> = fw.criteria.iter().filter(|c| c.parent.is_none()).collect();
    let shares: Vec<Option<Decimal>> = groups
        .iter()
        .map(|c| {
            let values: Vec<Decimal> = ranked.iter().filter_map(|&i| ranking.score(i, &c.id.0)).collect();
            let sum: Decimal = values.iter().sum();
            if values.is_empty() { None } else { rounding.percent(sum / Decimal::from(values.len()), c.max) }
        })
        .collect();
    charts.push((
        t.chart_groups,
        Chart::Bar {
            categories: groups.iter().map(|c| c.label_in(lang).to_string()).collect(),
            series: vec![Series { name: (t.year_n)(ranking.period.year), values: shares }],
            decimals: rounding.percent_decimals,
            max: Decimal::ONE_HUNDRED,
        },
    ));
    charts
        .iter()
        .map(|(title, chart)| {
            format!(
                "<h2>{}</h2>{}",
                esc(title),
                super::views::figure(&chiso_report::chart_svg(chart, lang.separator()), title)
            )
        })
        .collect()
}

/// The full table in the reader's words: header and rows (rank, unit, level, total, every
/// criterion by name, last year's rank).
/// `number` writes a decimal as the file wants it (a decimal comma for Vietnamese CSV).
/// The published table a row at a time (header first): a national table is never held.
fn full_table<'a>(
    lang: Lang,
    fw: &'a Framework,
    ranking: &'a Ranking,
    number: &'a dyn Fn(&str) -> String,
) -> impl Iterator<Item = Vec<String>> + 'a {
    let t = lang.t();
    let mut header: Vec<String> = vec![t.col_order.into(), t.col_unit.into(), t.col_level.into(), t.col_total.into()];
    header.extend(
        ranking
            .criteria
            .iter()
            .map(|id| fw.index_of(id).map_or(id.clone(), |i| fw.criterion(i).label_in(lang).to_string())),
    );
    header.push(t.col_previous.into());
    let rank = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let rows = ranking.rows.iter().enumerate().map(move |(i, r)| {
        let level = match (r.status, &r.level) {
            (RowStatus::NoData, _) => t.no_data.to_string(),
            (_, Some(l)) => l.clone(),
            (_, None) => t.below_levels.to_string(),
        };
        let mut cells = vec![rank(r.rank), r.name.clone(), level, number(r.total.as_deref().unwrap_or_default())];
        cells.extend(ranking.scores(i).iter().map(|v| v.map(|d| number(&d.to_string())).unwrap_or_default()));
        cells.push(rank(r.previous_rank));
        cells
    });
    std::iter::once(header).chain(rows)
}

/// The published results as CSV for a spreadsheet, in the reader's words: the criteria by
/// name, levels and statuses as the page says them; in Vietnamese with decimal commas and
/// `;` between columns (what Vietnamese Excel reads). Machines read the JSON API.
pub async fn results_csv(
    State(s): State<AppState>,
    Reader(lang): Reader,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let year = super::year(&year)?;
    let ranking = s.app.ranking(year, &kind).await?;
    let cat = s.app.catalog().await?;
    let separator = if lang == Lang::Vi { ';' } else { ',' };
    let filename = format!("ket-qua-{year}-{}.csv", safe(&kind));
    super::download::streamed(&s.data_dir, "text/csv; charset=utf-8", &filename, move |w| {
        let fw = cat.framework(&ranking.period.framework)?;
        super::download::written(w, "\u{FEFF}".as_bytes())?;
        for row in full_table(lang, fw, &ranking, &|x: &str| lang.decimal_text(x)) {
            let line = chiso_data::csv_safe::line_with(separator, &row.iter().map(String::as_str).collect::<Vec<_>>());
            super::download::written(w, line.as_bytes())?;
        }
        Ok(())
    })
    .await
}

/// The same table as an XLSX workbook (one sheet, numbers as numbers).
pub async fn results_xlsx(
    State(s): State<AppState>,
    Reader(lang): Reader,
    Path((year, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let year = super::year(&year)?;
    let ranking = s.app.ranking(year, &kind).await?;
    let cat = s.app.catalog().await?;
    let filename = format!("ket-qua-{year}-{}.xlsx", safe(&kind));
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    super::download::streamed(&s.data_dir, xlsx, &filename, move |w| {
        let fw = cat.framework(&ranking.period.framework)?;
        let rows = full_table(lang, fw, &ranking, &|x: &str| x.to_string());
        let title = (lang.t().results_heading)(ranking.period.year, fw.name_in(lang));
        chiso_data::export::xlsx_to(w, rows, &title).map_err(|e| {
            let e = e.to_string();
            AppError::with(axum::http::StatusCode::INTERNAL_SERVER_ERROR, move |l| (l.t().excel_failed)(&e))
        })?;
        Ok(())
    })
    .await
}

fn safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_".contains(c) { c } else { '-' }).collect()
}

/// Units per level (with those below the levels and those without data) as a pie.
fn levels_pie(lang: Lang, fw: &Framework, ranking: &Ranking) -> chiso_report::model::Chart {
    let t = lang.t();
    let mut categories: Vec<String> = fw.levels.iter().map(|l| l.name.clone()).collect();
    categories.push(t.below_levels.into());
    categories.push(t.no_data.into());
    let mut counts = vec![0u32; categories.len()];
    for r in &ranking.rows {
        let i = match (r.status, &r.level) {
            (RowStatus::NoData, _) => categories.len() - 1,
            (_, Some(l)) => fw.levels.iter().position(|x| &x.name == l).unwrap_or(categories.len() - 2),
            _ => categories.len() - 2,
        };
        counts[i] += 1;
    }
    let (categories, counts): (Vec<String>, Vec<u32>) =
        categories.into_iter().zip(counts).filter(|(_, n)| *n > 0).unzip();
    chiso_report::model::Chart::Pie { categories, values: counts }
}

/// The levels chart alone, under its heading (the home page's view of a ranking).
pub fn levels_chart(lang: Lang, fw: &Framework, ranking: &Ranking) -> String {
    let title = lang.t().chart_levels;
    format!(
        "<h3>{}</h3>{}",
        esc(title),
        super::views::figure(&chiso_report::chart_svg(&levels_pie(lang, fw, ranking), lang.separator()), title)
    )
}
