use crate::text::text;
use crate::{Outcome, errors, load};
use chiso_data::Lang;
use chiso_data::seed::{self, Printed};
use chiso_data::table::Table;
use chiso_domain::Decimal;
use chiso_domain::collate::compare_vi;
use chiso_domain::framework::{Framework, NotApplicable};
use chiso_domain::unit::Registry;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Folder of transcribed tables (`bangNN.csv`, columns `<criterion>_<year>`).
    #[arg(long, default_value = "data/cao-bang/seed")]
    tables: PathBuf,
    /// Dataset whose units and frameworks name what the tables print.
    #[arg(long, default_value = "data/cao-bang")]
    data: PathBuf,
    /// Write the figures (first printed value wins, in table order) to `periods/<year>-<kind>.csv`
    /// and the printed ranks to `periods/<year>-<kind>-published.csv`.
    #[arg(long)]
    write: bool,
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    let data = load(&a.data, lang)?;
    let printed = seed::read_dir(&a.tables, &data.registry, &data.frameworks).map_err(|e| errors(lang, e))?;
    let t = text(lang);
    let conflicts = printed.conflicts();
    if conflicts.is_empty() {
        println!("{}", t.no_conflicts);
    } else {
        println!("{} ({}):", t.conflicts, conflicts.len());
        for c in &conflicts {
            let name = data.registry.get(&c.unit).map_or(c.unit.0.as_str(), |u| u.name.as_str());
            // Equal values together: "22.25 [bang08 …] ≠ 22.50 [bang13 …; bang15 …]".
            let mut groups: Vec<(Decimal, Vec<String>)> = Vec::new();
            for (v, s) in &c.values {
                match groups.iter_mut().find(|(g, _)| g == v) {
                    Some((_, list)) => list.push(s.to_string()),
                    None => groups.push((*v, vec![s.to_string()])),
                }
            }
            let values: Vec<String> = groups.iter().map(|(v, s)| format!("{v} [{}]", s.join("; "))).collect();
            println!("- {name}, {}, {}: {}", c.year, c.criterion, values.join(" ≠ "));
        }
    }
    if !printed.renamed.is_empty() {
        println!("{}:", t.renamed);
        for (unit, s) in &printed.renamed {
            let name = data.registry.get(unit).map_or(unit.0.as_str(), |u| u.name.as_str());
            println!("- {:?} → {name} [{s}]", s.printed);
        }
    }
    if a.write {
        for fw in &data.frameworks {
            let declared = |y: i32| data.periods.iter().any(|p| p.year == y && p.kind == fw.unit_kind);
            for year in years(&printed, fw).into_iter().filter(|&y| declared(y)) {
                let dir = a.data.join("periods");
                let path = dir.join(format!("{year}-{}.csv", fw.unit_kind));
                let kept = chiso_data::table::read_csv(&path).ok();
                let figures = figures_csv(&printed, fw, &data.registry, year, kept.as_ref());
                write(&path, &figures, lang)?;
                if let Some(p) = published_csv(&printed, fw, &data.registry, year) {
                    write(&dir.join(format!("{year}-{}-published.csv", fw.unit_kind)), &p, lang)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn years(printed: &Printed, fw: &Framework) -> BTreeSet<i32> {
    printed
        .values
        .iter()
        .filter(|o| fw.index_of(&o.criterion).is_some_and(|i| fw.criterion(i).is_leaf()))
        .filter(|o| fw.years.0 <= o.year && fw.years.1.is_none_or(|to| o.year <= to))
        .map(|o| o.year)
        .collect()
}

fn units_sorted<'a>(registry: &'a Registry, fw: &Framework, year: i32) -> Vec<&'a chiso_domain::Unit> {
    let mut units: Vec<_> = registry.of_kind(&fw.unit_kind, year).collect();
    units.sort_by(|a, b| compare_vi(&a.name, &b.name));
    units
}

/// `kept`: the file as it is. A cell marked not applicable there stays so when the
/// printed value is what "not applicable" scores (the maximum, under full points).
fn figures_csv(printed: &Printed, fw: &Framework, registry: &Registry, year: i32, kept: Option<&Table>) -> String {
    let kept_na = |unit: &str, criterion: &str| {
        let Some(t) = kept else { return false };
        let Some(col) = t.rows.first().and_then(|h| h.iter().position(|x| x == criterion)) else { return false };
        t.rows
            .iter()
            .any(|r| r.first().is_some_and(|u| u == unit) && r.get(col).is_some_and(|v| v.eq_ignore_ascii_case("N/A")))
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let leaves: Vec<_> = fw.leaves().map(|(_, c)| c).collect();
    let mut header = vec!["unit".to_string()];
    header.extend(leaves.iter().map(|c| c.id.0.clone()));
    w.write_record(&header).expect("in memory");
    for u in units_sorted(registry, fw, year) {
        let values: Vec<Option<Decimal>> = leaves.iter().map(|c| printed.value(&u.id, year, &c.id.0)).collect();
        if values.iter().all(Option::is_none) {
            continue; // no figures: the unit supplied no data, or they are lost
        }
        let mut row = vec![u.name.clone()];
        row.extend(leaves.iter().zip(&values).map(|(c, v)| match v {
            Some(v) if *v == c.max && c.not_applicable == NotApplicable::FullPoints && kept_na(&u.name, &c.id.0) => {
                "N/A".to_string()
            }
            Some(v) => fw.rounding.format_plain(*v),
            None => String::new(),
        }));
        w.write_record(&row).expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

fn published_csv(printed: &Printed, fw: &Framework, registry: &Registry, year: i32) -> Option<String> {
    let units = units_sorted(registry, fw, year);
    let ranked: Vec<_> = units.iter().filter(|u| printed.rank(&u.id, year).is_some()).collect();
    if ranked.is_empty() {
        return None;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["unit", "rank", "level", "total"]).expect("in memory");
    for u in ranked {
        let level = printed.levels.iter().find(|(id, y, _, _)| id == &u.id && *y == year).map(|l| l.2.clone());
        let total = printed.value(&u.id, year, "total").map(|v| fw.rounding.format_plain(v));
        let rank = printed.rank(&u.id, year).map(|r| r.to_string());
        w.write_record([
            u.name.clone(),
            rank.unwrap_or_default(),
            level.unwrap_or_default(),
            total.unwrap_or_default(),
        ])
        .expect("in memory");
    }
    Some(String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8"))
}

fn write(path: &Path, contents: &str, lang: Lang) -> Result<(), Vec<String>> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| vec![format!("{}: {e}", path.display())])?;
    println!("{} {}", text(lang).wrote, path.display());
    Ok(())
}
