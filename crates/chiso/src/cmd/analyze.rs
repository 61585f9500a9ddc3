//! `chiso analyze`: how solid each rank is, what each unit needs for the next level, and
//! the trends over all periods of the kind. The command's own words are in `VI` / `EN`
//! below; the summary sentences come from `chiso_domain::analysis`.

use crate::{Outcome, errors, load};
use chiso_data::{Dataset, Lang};
use chiso_domain::analysis::{self, FigureChange, Options, Plan, Stability, Trends};
use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use chiso_domain::movement::Movement;
use chiso_domain::number::{format_fixed, parse_decimal};
use chiso_domain::period::Answer;
use chiso_domain::{Comparison, UnitId};
use chiso_domain::{Decimal, Rounding};
use clap::ValueEnum;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Dataset directory (units.toml, frameworks/, periods/).
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    /// Year of the period.
    #[arg(long)]
    period: i32,
    /// Unit kind: department, district, …
    #[arg(long)]
    kind: String,
    /// Monte-Carlo draws.
    #[arg(long, default_value_t = Options::DRAWS)]
    draws: u32,
    /// Seed of the random generator (same seed, same result).
    #[arg(long, default_value_t = Options::SEED)]
    seed: u64,
    /// Each group's weight varies by ± this percentage.
    #[arg(long, default_value_t = 20.0)]
    weight_spread: f64,
    /// Each level threshold moves by up to ± this many points (default: 2 % of the maximum).
    #[arg(long)]
    threshold_step: Option<String>,
    /// Threads for the draws (the result does not depend on it).
    #[arg(long, default_value_t = Options::THREADS)]
    threads: usize,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    let w = words(lang);
    let progress = crate::progress::Progress::new(match lang {
        Lang::Vi => "Phân tích: đọc bộ dữ liệu",
        Lang::En => "Analysis: reading the dataset",
    });
    let data = load(&a.data, lang)?;
    let (fw, results) = data.results(a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    let (_, period) = data.period(a.period, &a.kind).map_err(|e| errors(lang, vec![e]))?;
    let mut options = Options::for_framework(fw);
    options.draws = a.draws;
    options.seed = a.seed;
    options.threads = a.threads.max(1);
    if !(0.0..100.0).contains(&a.weight_spread) {
        return Err(vec![(w.bad_spread)(a.weight_spread)]);
    }
    options.weight_spread = a.weight_spread / 100.0;
    if let Some(s) = &a.threshold_step {
        match parse_decimal(s) {
            Some(d) if d >= Decimal::ZERO => options.threshold_step = d,
            _ => return Err(vec![(w.bad_step)(s)]),
        }
    }

    // Three independent parts at once (each the same whatever runs beside it): the draws
    // (on `options.threads` threads), the plans (on two), and the trends with why ranks
    // moved, which score the other periods.
    progress.step(
        match lang {
            Lang::Vi => "Phân tích: lượt mô phỏng (và lộ trình lên mức, xu hướng)",
            Lang::En => "Analysis: draws (and paths to the next level, trends)",
        },
        u64::from(options.draws),
    );
    let (stability, plans, (scored, trends, moved)) = std::thread::scope(|s| {
        let plans = s.spawn(|| analysis::next_level(fw, &results, period));
        let history = s.spawn(|| history(&data, &a, fw, &results));
        // The draws done, told as they go (the result is the same).
        let stability = analysis::stability_with(fw, &results, &options, &progress);
        (stability, joined(plans), joined(history))
    });
    drop(progress);
    let moved = moved.map(|(i, c, m)| (scored[i].0, scored[i].1.as_ref().unwrap_or(&results), c, m));
    let banner = chiso_domain::explain::illustrative(lang);
    let out = match a.format {
        Format::Text => {
            let mut out = text_output(fw, &results, &stability, &plans, &trends, lang);
            if let Some((pfw, prev, c, m)) = &moved {
                out += &chiso_domain::explain::lines(lang, fw, pfw, &results, prev, &data.registry, c, Some(m));
            }
            if results.illustrative {
                out = format!("*** {banner} ***\n{out}");
            }
            out
        }
        Format::Json => {
            let Json::Object(mut fields) = json_output(fw, &results, &stability, &plans, &trends) else {
                unreachable!("the document is an object")
            };
            if let Some((_, prev, c, m)) = &moved {
                fields.push((
                    "movements",
                    Json::Object(vec![
                        ("previous_year", Json::Value(json!(prev.year))),
                        ("comparisons", Json::each(c.len(), |i| json!(c[i]))),
                        ("movements", Json::each(m.len(), |i| json!(m[i]))),
                    ]),
                ));
            }
            if results.illustrative {
                fields.push(("illustrative", Json::Value(json!(banner))));
            }
            // Written as it is made, not held whole first.
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            let written = serde_json::to_writer_pretty(&mut w, &Json::Object(fields)).map_err(std::io::Error::from);
            // A closed pipe (`| head`) is not an error worth a panic.
            use std::io::Write;
            let _ = written.and_then(|()| w.write_all(b"\n")).and_then(|()| w.flush());
            return Ok(ExitCode::SUCCESS);
        }
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// A thread's result; its panic goes on in the caller.
fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// The other periods of the kind, scored (`None` for the period analysed: its results are
/// `current`), their trends, and why ranks moved since the latest earlier real period
/// (its position in the list, the comparison, the moves).
type History<'d> = (Vec<(&'d Framework, Option<Results>)>, Trends, Option<(usize, Vec<Comparison>, Vec<Movement>)>);

fn history<'d>(data: &'d Dataset, a: &Args, fw: &'d Framework, current: &Results) -> History<'d> {
    // Invented figures never enter the trends of real ones: an illustrative period only
    // joins the trend when it is the period analysed.
    let scored: Vec<(&Framework, Option<Results>)> = data
        .periods
        .iter()
        .filter(|p| p.kind == a.kind && (!p.illustrative || p.year == a.period))
        .filter_map(|p| {
            if p.year == a.period {
                Some((fw, None))
            } else {
                data.results(p.year, &p.kind).ok().map(|(f, r)| (f, Some(r)))
            }
        })
        .collect();
    let refs: Vec<(&Framework, &Results)> = scored.iter().map(|(f, r)| (*f, r.as_ref().unwrap_or(current))).collect();
    let trends = analysis::trends(&data.registry, &refs);
    // Why ranks moved since the latest earlier real period (invented ones are not a baseline).
    let before = refs
        .iter()
        .enumerate()
        .filter(|(_, (_, r))| r.year < a.period && !r.illustrative)
        .max_by_key(|(_, (_, r))| r.year);
    let moved = before.map(|(i, (pfw, prev))| {
        let c = chiso_domain::compare(current, fw, prev, pfw, &data.registry);
        let m = chiso_domain::movement::explain(current, fw, prev, pfw, &data.registry, &c);
        (i, c, m)
    });
    (scored, trends, moved)
}

fn plain(d: Decimal) -> String {
    d.normalize().to_string()
}

/// An answer as a short figure: "36/60", "15", "A", "yes".
fn figure(a: &Answer, r: &Rounding, w: &Words, sep: char) -> String {
    let num = |d: &Decimal| {
        let d = d.normalize();
        format_fixed(d, d.scale(), sep)
    };
    match a {
        Answer::Points(p) => format_fixed(r.round(*p), r.decimals, sep),
        Answer::YesNo(true) => w.yes.into(),
        Answer::YesNo(false) => w.no.into(),
        Answer::Ratio(q) => format!("{}/{}", num(&q.numerator), num(&q.denominator)),
        Answer::Figure(v) => num(v),
        Answer::Choice(c) => c.to_string(),
        Answer::NotApplicable => w.not_applicable.into(),
    }
}

fn figure_json(f: &FigureChange, fw: &Framework) -> Value {
    let w = words(Lang::En);
    json!({
        "criterion": f.criterion.0,
        "rule": f.rule,
        "from": f.from.as_ref().map(|a| figure(a, &fw.rounding, w, '.')),
        "to": figure(&f.to, &fw.rounding, w, '.'),
        "points": fw.rounding.format_plain(f.points_to - f.points_from),
    })
}

/// The JSON contract: decimals as strings, shares as numbers (0–1).
fn json_output<'a>(fw: &'a Framework, r: &'a Results, s: &'a Stability, plans: &'a [Plan], t: &'a Trends) -> Json<'a> {
    let total = fw.total_rounding();
    let stability = first_by_unit(s.units.iter().map(|u| &u.unit));
    let plan_of = first_by_unit(plans.iter().map(|p| &p.unit));
    let name_of =
        |id: &chiso_domain::UnitId| stability.get(id).map(|&i| s.units[i].name.clone()).unwrap_or_else(|| id.0.clone());
    let pairs: Vec<Value> = s
        .pairs
        .iter()
        .map(|p| json!({"ahead": name_of(&p.ahead), "behind": name_of(&p.behind), "flips": p.flips}))
        .collect();
    let left_out: Vec<Value> = s
        .left_out
        .iter()
        .map(|l| {
            json!({"criterion": l.criterion.0, "rank_changes": l.rank_changes, "max_shift": l.max_shift,
                "level_changes": l.level_changes, "leader_kept": l.leader_kept})
        })
        .collect();
    let summaries: Vec<Value> = s
        .summaries
        .iter()
        .map(|x| {
            let kind = match x {
                analysis::Summary::Weights { .. } => "weights",
                analysis::Summary::Thresholds { .. } => "thresholds",
                analysis::Summary::LeaveOneOut { .. } => "leave_one_out",
            };
            json!({"kind": kind, "vi": x.sentence(fw, Lang::Vi), "en": x.sentence(fw, Lang::En)})
        })
        .collect();
    let trend_units = Json::each(t.units.len(), |i| {
        let u = &t.units[i];
        let years: Vec<Value> = u
            .points
            .iter()
            .map(|p| {
                p.as_ref().map_or(Value::Null, |p| {
                    json!({"year": p.year, "unit": p.name, "total": p.total.map(plain), "level": p.level,
                            "rank": p.rank, "rank_change": p.rank_change})
                })
            })
            .collect();
        json!({"unit": u.name, "years": years})
    });
    let distribution: Vec<Value> = t
        .distribution
        .iter()
        .map(|d| {
            json!({"year": d.year, "count": d.count, "lowest": d.lowest.map(plain), "highest": d.highest.map(plain),
                "mean": d.mean.map(plain), "median": d.median.map(plain),
                "levels": d.levels.levels.iter().map(|(n, c)| (n.clone(), json!(c))).collect::<serde_json::Map<_, _>>(),
                "below_levels": d.levels.below_levels, "no_data": d.levels.no_data, "published": d.published})
        })
        .collect();
    // Each unit's entry made as it is written.
    let units = Json::each(r.units.len(), move |i| {
        let u = &r.units[i];
        let st = stability.get(&u.unit).map(|&i| &s.units[i]);
        let plan = plan_of.get(&u.unit).map(|&i| &plans[i]);
        let levels: serde_json::Map<String, Value> = st
            .map(|st| {
                s.levels
                    .iter()
                    .cloned()
                    .chain(std::iter::once("below_levels".to_string()))
                    .zip(&st.level_probability)
                    .map(|(name, p)| (name, json!(p)))
                    .collect()
            })
            .unwrap_or_default();
        json!({
            "unit": u.name,
            "status": match u.status { Status::Ranked => "ranked", Status::BelowLevels => "below_levels", Status::NoData => "no_data" },
            "total": u.total.map(|v| total.format_plain(v)),
            "level": u.level,
            "rank": u.rank,
            "analysed_rank": st.map(|st| st.rank),
            "rank_interval": st.map(|st| [st.rank_interval.0, st.rank_interval.1]),
            "median_rank": st.map(|st| st.median_rank),
            "keeps_rank": st.map(|st| st.keeps_rank),
            "level_probability": st.map(|_| levels),
            "leave_one_out": st.map(|st| {
                s.groups.iter().zip(&st.leave_one_out).map(|(g, r)| (g.0.clone(), json!(r))).collect::<serde_json::Map<_, _>>()
            }),
            "next_level": plan.and_then(|p| p.next_level_name(fw)),
            "points_needed": plan.and_then(|p| p.points_needed).map(|d| total.format_plain(d)),
            "reachable": plan.map(|p| p.reachable),
            "best_total": plan.map(|p| total.format_plain(p.best_total)),
            "plan": plan.map(|p| p.steps.iter().map(|step| json!({
                "criterion": step.criterion.0,
                "points": fw.rounding.format_plain(step.points),
                "from": plain(fw.rounding.round(step.from)),
                "to": plain(fw.rounding.round(step.to)),
                "figures": step.figures.iter().map(|f| figure_json(f, fw)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()),
            "headroom": plan.map(|p| p.groups.iter().map(|g| (g.criterion.0.clone(), json!(fw.rounding.format_plain(g.headroom)))).collect::<serde_json::Map<_, _>>()),
        })
    });
    let value = |v: Value| Json::Value(v);
    Json::Object(vec![
        ("period", value(json!(r.year))),
        ("kind", value(json!(r.kind))),
        ("framework", value(json!(r.framework))),
        ("published", value(json!(r.published))),
        ("draws", value(json!(s.options.draws))),
        ("seed", value(json!(s.options.seed))),
        ("weight_spread", value(json!(s.options.weight_spread))),
        ("threshold_step", value(json!(total.format_plain(s.options.threshold_step)))),
        ("units", units),
        ("pairs", value(Value::Array(pairs))),
        ("leave_one_out", value(Value::Array(left_out))),
        ("summaries", value(Value::Array(summaries))),
        (
            "trends",
            Json::Object(vec![
                ("years", value(json!(t.years))),
                ("units", trend_units),
                ("distribution", value(Value::Array(distribution))),
            ]),
        ),
    ])
}

/// A JSON document written as it is made: a large array's elements made one at a time as
/// they are written (a national analysis is 72 MB of JSON, some 580 MB as one `Value`), its
/// keys in the order given. The same bytes as the `Value` it stands for.
enum Json<'a> {
    Value(Value),
    Array(usize, Box<dyn Fn(usize) -> Value + 'a>),
    Object(Vec<(&'static str, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// An array of `n` elements, the `i`th made by `element(i)` when written.
    fn each(n: usize, element: impl Fn(usize) -> Value + 'a) -> Json<'a> {
        Json::Array(n, Box::new(element))
    }
}

impl serde::Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Value(v) => v.serialize(s),
            Json::Array(n, element) => {
                let mut seq = s.serialize_seq(Some(*n))?;
                for i in 0..*n {
                    seq.serialize_element(&element(i))?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Each unit's position in a list, the first one where a unit appears twice (as a search
/// from the start finds it), built once instead of searching the list for every unit.
fn first_by_unit<'a>(units: impl Iterator<Item = &'a UnitId>) -> HashMap<&'a UnitId, usize> {
    let mut map = HashMap::new();
    for (i, u) in units.enumerate() {
        map.entry(u).or_insert(i);
    }
    map
}

fn pct(share: f64) -> String {
    format!("{} %", analysis::percent(share))
}

fn text_output(fw: &Framework, r: &Results, s: &Stability, plans: &[Plan], t: &Trends, lang: Lang) -> String {
    let w = words(lang);
    let total = fw.total_rounding();
    let vi = |d: Decimal| total.format_vi(d);
    let pts = |d: Decimal| if lang == Lang::Vi { fw.rounding.format_vi(d) } else { fw.rounding.format_plain(d) };
    let tot = |d: Decimal| if lang == Lang::Vi { vi(d) } else { total.format_plain(d) };
    let level_name = |i: Option<usize>| i.map_or(w.below_levels.to_string(), |i| fw.levels[i].name.clone());
    let mut out = String::new();

    // 1. Stability.
    out += &format!("{}\n", (w.title)(&r.kind, r.year, &fw.id));
    let step = tot(s.options.threshold_step) + if fw.index.is_some() { "" } else { w.points_unit };
    out += &format!("{}\n\n", (w.scenarios)(s.options.draws, s.options.seed, s.options.weight_spread, &step));
    out += &format!("{}\n", w.stability);
    if r.published {
        out += &format!("{}\n", (w.published)(s.units.len()));
    }
    let result_of = first_by_unit(r.units.iter().map(|u| &u.unit));
    let stability = first_by_unit(s.units.iter().map(|u| &u.unit));
    let mut rows = vec![w.stability_header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for (i, u) in s.units.iter().enumerate() {
        let base = u.level.unwrap_or(fw.levels.len());
        let loo = match (u.leave_one_out.iter().min(), u.leave_one_out.iter().max()) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "—".into(),
        };
        let result = result_of.get(&u.unit).map(|&k| &r.units[k]);
        rows.push(vec![
            (i + 1).to_string(),
            u.name.clone(),
            result.and_then(|x| x.total).map(tot).unwrap_or_default(),
            level_name(u.level),
            if r.published { u.rank } else { result.and_then(|x| x.rank).unwrap_or(u.rank) }.to_string(),
            u.median_rank.to_string(),
            format!("{}–{}", u.rank_interval.0, u.rank_interval.1),
            pct(u.keeps_rank),
            pct(u.level_probability[base]),
            loo,
        ]);
    }
    out += &align(&rows);
    out += "\n";
    for x in &s.summaries {
        out += &format!("- {}\n", x.sentence(fw, lang));
    }
    let swaps: Vec<_> = s.pairs.iter().filter(|p| p.flips >= analysis::INTERCHANGEABLE).collect();
    if !swaps.is_empty() {
        out += &format!("\n{}\n", (w.swaps)(&pct(analysis::INTERCHANGEABLE)));
        let name = |id| stability.get(id).map_or(String::new(), |&k| s.units[k].name.clone());
        for p in swaps {
            out += &format!(
                "  {} ({}) ↔ {} ({}): {}\n",
                name(&p.ahead),
                p.ahead_rank,
                name(&p.behind),
                p.behind_rank,
                pct(p.flips)
            );
        }
    }

    // 2. Next level.
    out += &format!("\n{}\n", w.next_level);
    let mut rows = vec![w.plan_header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    let mut notes: Vec<String> = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        let label = |id: &chiso_domain::CriterionId| {
            fw.index_of(&id.0).map_or(id.0.clone(), |k| fw.criterion(k).label().to_string())
        };
        let plan = match (p.next_level, p.reachable) {
            (None, _) => w.at_top.to_string(),
            (Some(_), false) => (w.unreachable)(&tot(p.best_total)),
            (Some(_), true) => p
                .steps
                .iter()
                .map(|st| format!("{} +{} ({} → {})", label(&st.criterion), pts(st.points), pts(st.from), pts(st.to)))
                .collect::<Vec<_>>()
                .join("; "),
        };
        rows.push(vec![
            (i + 1).to_string(),
            p.name.clone(),
            tot(p.total),
            level_name(p.level),
            p.next_level_name(fw).unwrap_or("—").to_string(),
            p.points_needed.map(tot).unwrap_or_else(|| "—".into()),
            plan,
        ]);
        for st in &p.steps {
            for f in &st.figures {
                let name = fw.index_of(&f.criterion.0).map_or(f.criterion.0.clone(), |k| fw.criterion(k).name.clone());
                let sep = if lang == Lang::Vi { ',' } else { '.' };
                let from = f.from.as_ref().map_or(w.no_answer.to_string(), |a| figure(a, &fw.rounding, w, sep));
                notes.push(format!(
                    "  {}: {}: {} → {}: +{} {}",
                    p.name,
                    name,
                    from,
                    figure(&f.to, &fw.rounding, w, sep),
                    pts(f.points_to - f.points_from),
                    w.points
                ));
            }
        }
    }
    out += &align(&rows);
    if !notes.is_empty() {
        out += &format!("\n{}\n", w.figures);
        for n in notes {
            out += &n;
            out += "\n";
        }
    }

    // 3. Trends.
    out += &format!("\n{}\n", w.trends);
    let mut header = vec![w.unit.to_string()];
    header.extend(t.years.iter().map(|y| y.to_string()));
    let mut rows = vec![header];
    for u in &t.units {
        let mut row = vec![u.name.clone()];
        for p in &u.points {
            row.push(match p {
                None => "—".into(),
                Some(p) => {
                    let mut cell = p.total.map(tot).unwrap_or_else(|| "—".into());
                    let level = p.level.clone().unwrap_or_else(|| w.below_levels.into());
                    match p.rank {
                        Some(rank) => cell += &format!(" ({level}, {rank})"),
                        None => cell += &format!(" ({})", w.no_rank),
                    }
                    if p.name != u.name {
                        cell += &format!(" [{}]", p.name);
                    }
                    cell
                }
            });
        }
        rows.push(row);
    }
    out += &align(&rows);
    out += &format!("\n{}\n", w.distribution);
    let mut header: Vec<String> = w.distribution_header.iter().map(|h| h.to_string()).collect();
    header.extend(fw.levels.iter().map(|l| l.name.clone()));
    header.push(w.below_levels.into());
    let mut rows = vec![header];
    for d in &t.distribution {
        let opt = |v: Option<Decimal>| v.map(tot).unwrap_or_else(|| "—".into());
        let mut row =
            vec![d.year.to_string(), d.count.to_string(), opt(d.lowest), opt(d.highest), opt(d.mean), opt(d.median)];
        row.extend(d.levels.levels.iter().map(|(_, c)| c.to_string()));
        row.push(d.levels.below_levels.to_string());
        rows.push(row);
    }
    out += &align(&rows);
    out
}

/// Columns padded to their widest cell; numbers right-aligned, text left-aligned.
fn align(rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| width(s)).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let last = row.len().saturating_sub(1);
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c].saturating_sub(width(cell)));
            let numeric = c != 1 && cell.chars().next().is_some_and(|ch| ch.is_ascii_digit()) && !cell.contains('(');
            if c == last {
                line += &if numeric { format!("{pad}{cell}") } else { cell.clone() };
            } else if numeric {
                line += &format!("{pad}{cell}  ");
            } else {
                line += &format!("{cell}{pad}  ");
            }
        }
        out += line.trim_end();
        out += "\n";
    }
    out
}

/// The command's words, one value per language.
struct Words {
    title: fn(&str, i32, &str) -> String,
    scenarios: fn(u32, u64, f64, &str) -> String,
    stability: &'static str,
    stability_header: [&'static str; 10],
    published: fn(usize) -> String,
    swaps: fn(&str) -> String,
    next_level: &'static str,
    plan_header: [&'static str; 7],
    at_top: &'static str,
    unreachable: fn(&str) -> String,
    figures: &'static str,
    points: &'static str,
    /// After a number of points on the total's scale.
    points_unit: &'static str,
    trends: &'static str,
    distribution: &'static str,
    distribution_header: [&'static str; 6],
    unit: &'static str,
    below_levels: &'static str,
    no_rank: &'static str,
    no_answer: &'static str,
    yes: &'static str,
    no: &'static str,
    not_applicable: &'static str,
    bad_spread: fn(f64) -> String,
    bad_step: fn(&str) -> String,
}

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

fn thousands(n: u32, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

static VI: Words = Words {
    title: |kind, year, fw| format!("PHÂN TÍCH XẾP HẠNG — {kind}, năm {year} (bộ tiêu chí {fw})"),
    scenarios: |draws, seed, spread, step| {
        format!(
            "{} kịch bản ngẫu nhiên (hạt giống {seed}): trọng số mỗi nhóm tiêu chí ±{} %, ngưỡng các mức ±{step}; và bỏ lần lượt từng nhóm.",
            thousands(draws, '.'),
            (spread * 100.0).round()
        )
    },
    stability: "1. Độ vững của thứ hạng",
    stability_header: [
        "TT",
        "Đơn vị",
        "Tổng điểm",
        "Mức",
        "Hạng",
        "Hạng trung vị",
        "Khoảng 5–95 %",
        "Giữ hạng",
        "Giữ mức",
        "Hạng khi bỏ từng nhóm",
    ],
    published: |n| {
        format!(
            "(Năm này xếp hạng theo kết quả đã công bố; độ vững được tính trên {n} đơn vị còn số liệu, thứ hạng giữa các đơn vị này.)"
        )
    },
    swaps: |p| format!("Các cặp liền kề đổi chỗ trong từ {p} kịch bản trở lên:"),
    next_level: "2. Điều kiện để lên mức tiếp theo",
    plan_header: ["TT", "Đơn vị", "Tổng điểm", "Mức", "Mức tiếp theo", "Còn thiếu", "Cách đạt (điểm thêm theo nhóm)"],
    at_top: "Đã ở mức cao nhất",
    unreachable: |best| format!("Không thể đạt trong phạm vi điểm tối đa (tối đa {best})"),
    figures: "Số liệu cần đạt:",
    points: "điểm",
    points_unit: " điểm",
    trends: "3. Diễn biến qua các năm (tổng điểm, mức, hạng)",
    distribution: "Phân bố điểm toàn tỉnh:",
    distribution_header: ["Năm", "Số đơn vị", "Thấp nhất", "Cao nhất", "Trung bình", "Trung vị"],
    unit: "Đơn vị",
    below_levels: "KXH",
    no_rank: "không xếp hạng",
    no_answer: "chưa có",
    yes: "có",
    no: "không",
    not_applicable: "không áp dụng",
    bad_spread: |s| format!("--weight-spread phải từ 0 đến dưới 100 (phần trăm), không phải {s}"),
    bad_step: |s| format!("--threshold-step phải là một số không âm, không phải {s:?}"),
};

static EN: Words = Words {
    title: |kind, year, fw| format!("RANKING ANALYSIS — {kind}, {year} (framework {fw})"),
    scenarios: |draws, seed, spread, step| {
        format!(
            "{} random scenarios (seed {seed}): each group's weight ±{} %, level thresholds ±{step}; and each group left out in turn.",
            thousands(draws, ','),
            (spread * 100.0).round()
        )
    },
    stability: "1. How solid each rank is",
    stability_header: [
        "No.",
        "Unit",
        "Total",
        "Level",
        "Rank",
        "Median rank",
        "5–95 % interval",
        "Keeps rank",
        "Keeps level",
        "Rank with a group left out",
    ],
    published: |n| {
        format!(
            "(This year's ranking is the published one; stability is computed over the {n} units whose figures remain, ranked among themselves.)"
        )
    },
    swaps: |p| format!("Neighbours that swap places in {p} of scenarios or more:"),
    next_level: "2. What it takes to reach the next level",
    plan_header: ["No.", "Unit", "Total", "Level", "Next level", "Missing", "How (points added per group)"],
    at_top: "Already at the top level",
    unreachable: |best| format!("Out of reach within the maxima (best possible {best})"),
    figures: "Figures to reach:",
    points: "points",
    points_unit: " points",
    trends: "3. Over the years (total, level, rank)",
    distribution: "The province's distribution:",
    distribution_header: ["Year", "Units", "Lowest", "Highest", "Mean", "Median"],
    unit: "Unit",
    below_levels: "KXH",
    no_rank: "not ranked",
    no_answer: "none",
    yes: "yes",
    no: "no",
    not_applicable: "not applicable",
    bad_spread: |s| format!("--weight-spread must be at least 0 and below 100 (percent), not {s}"),
    bad_step: |s| format!("--threshold-step must be a non-negative number, not {s:?}"),
};
