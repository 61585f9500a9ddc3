use crate::text::{Text, text};
use crate::{Outcome, errors};
use chiso_data::Lang;
use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use chiso_domain::{Comparison, compare};
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Csv,
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
    /// Compare with an earlier period (previous rank, changes).
    #[arg(long)]
    compare: Option<i32>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// With --compare: why each rank moved (the total's change by criterion group; the
    /// rank's change split into the unit's own change and the others').
    #[arg(long, requires = "compare")]
    explain: bool,
}

pub fn run(a: Args, lang: Lang) -> Outcome {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    on_huge_pages();
    // Every period scored as it is read (on the available cores); the figures are not kept.
    let (data, scored) = chiso_data::Dataset::load_scored(&a.data).map_err(|e| errors(lang, e))?;
    let results_of = |year: i32| {
        let (fw, _) = data.period(year, &a.kind).map_err(|e| errors(lang, vec![e]))?;
        let i = data.periods.iter().position(|p| p.year == year && p.kind == a.kind).expect("found by period");
        Ok::<_, Vec<String>>((fw, &scored[i]))
    };
    let (fw, results) = results_of(a.period)?;
    let scored_before = a.compare.map(results_of).transpose()?;
    // A CSV without explanations shows no per-criterion change: the comparison skips them.
    let ranks_only = matches!(a.format, Format::Csv) && !a.explain;
    let compared = scored_before.map(|(pfw, previous)| {
        let c = if ranks_only {
            chiso_domain::compare::compare_ranks(results, fw, previous, pfw, &data.registry)
        } else {
            compare(results, fw, previous, pfw, &data.registry)
        };
        (pfw, previous, c)
    });
    let comparisons = compared.as_ref().map(|(_, p, c)| (p.year, c.as_slice()));
    let previous = |i: usize| comparisons.as_ref().and_then(|(_, c)| c[i].previous_rank);
    let illustrative = results.illustrative || compared.as_ref().is_some_and(|(_, p, _)| p.illustrative);
    let movements = compared
        .as_ref()
        .filter(|_| a.explain)
        .map(|(pfw, prev, c)| chiso_domain::movement::explain(results, fw, prev, pfw, &data.registry, c));
    // What is printed: `out`, then (a national CSV's second half) `rest`.
    let (mut out, rest) = match a.format {
        // The contract, then the comparisons (method, comparable ranks), the movements and the
        // warning, written in one pass (a national document is tens of megabytes).
        Format::Json => {
            let added = Added {
                comparisons: compared.as_ref().map(|(_, _, c)| c.as_slice()),
                movements: movements.as_deref(),
                illustrative: illustrative.then(|| chiso_domain::explain::illustrative(lang)),
            };
            (chiso_report::json::results_with(fw, results, &previous, &added), String::new())
        }
        Format::Csv => csv_rows(fw, results, &previous, compared.as_ref().map(|(_, _, c)| c.as_slice())),
        Format::Table => (table_output(fw, results, comparisons, text(lang)), String::new()),
    };
    if let (Format::Table, Some((pfw, prev, c))) = (a.format, &compared) {
        out += &chiso_domain::explain::lines(lang, fw, pfw, results, prev, &data.registry, c, movements.as_deref());
    }
    if illustrative {
        match a.format {
            Format::Table => out = format!("*** {} ***\n{out}", chiso_domain::explain::illustrative(lang)),
            // CSV stays a table; the warning goes to stderr.
            Format::Csv => eprintln!("{}", chiso_domain::explain::illustrative(lang)),
            Format::Json => {}
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.write_all(rest.as_bytes())) {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(vec![e.to_string()]),
        _ => {}
    }
    // The process ends here: the operating system takes back the memory at once, without
    // freeing a national dataset's allocations one by one.
    std::mem::forget((compared, out, rest));
    std::mem::forget((data, scored));
    Ok(ExitCode::SUCCESS)
}

/// glibc's tunables for this command: its heap on transparent huge pages, grown 32 MiB at
/// a time. A national period touches some 50 MB once; in a virtual machine each 4 KiB page
/// fault costs more than the work done on the page, and with 2 MiB pages the command takes
/// a fifth less time (same bytes: only where memory comes from changes). glibc reads its
/// tunables when a process starts, so the command runs itself again, once, with them; not
/// when the caller has set tunables of its own, and as it is when that fails.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn on_huge_pages() {
    use std::os::unix::process::CommandExt;
    const TUNABLES: &str = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=33554432";
    if std::env::var_os("GLIBC_TUNABLES").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let Some(arg0) = args.next() else { return };
    // `exec` returns only when it failed: the command then goes on in this process.
    let _ = std::process::Command::new(exe).arg0(arg0).args(args).env("GLIBC_TUNABLES", TUNABLES).exec();
}

/// What `chiso score --format json` adds to the results' contract, in this order.
struct Added<'a> {
    comparisons: Option<&'a [Comparison]>,
    movements: Option<&'a [chiso_domain::movement::Movement]>,
    illustrative: Option<&'static str>,
}

impl chiso_report::json::Extra for Added<'_> {
    fn fields(&self) -> usize {
        usize::from(self.comparisons.is_some())
            + usize::from(self.movements.is_some())
            + usize::from(self.illustrative.is_some())
    }
    fn write<M: chiso_report::json::SerializeStruct>(&self, doc: &mut M) -> Result<(), M::Error> {
        if let Some(c) = self.comparisons {
            doc.serialize_field("comparisons", c)?;
        }
        if let Some(m) = self.movements {
            doc.serialize_field("movements", m)?;
        }
        if let Some(w) = self.illustrative {
            doc.serialize_field("illustrative", w)?;
        }
        Ok(())
    }
}

fn status(s: Status) -> &'static str {
    chiso_report::json::status(s)
}

/// The results as CSV (rank, unit, status, level, total, each criterion, previous rank),
/// and with `comparisons` the columns `method`,
/// `comparable_previous_rank`, `comparable_rank`, `comparable_count` and `rank_change`
/// (among the comparable units) after them. Each field is written straight into the
/// output (a national table has half a million of them) as the `csv` crate writes it
/// ([`push_field`]), the rows in two halves on two threads: the same bytes, in two parts
/// printed one after the other (no copy of a national table into one string).
fn csv_rows(
    fw: &Framework,
    r: &Results,
    previous: &(dyn Fn(usize) -> Option<u32> + Sync),
    comparisons: Option<&[Comparison]>,
) -> (String, String) {
    const COMPARED: [&str; 5] =
        ["method", "comparable_previous_rank", "comparable_rank", "comparable_count", "rank_change"];
    let per_row = 16 + 8 * fw.criteria.len();
    let mut header = vec!["rank", "unit", "status", "level", "total"];
    header.extend(fw.criteria.iter().map(|c| c.id.0.as_str()));
    header.push("previous_rank");
    if comparisons.is_some() {
        header.extend(COMPARED);
    }
    let n = r.units.len();
    // The first half (or all of a small table) and the header, and the second half.
    let first = if n < 1000 { n } else { n / 2 };
    let mut out = String::with_capacity(per_row * (first + 1));
    for (k, h) in header.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        push_field(&mut out, h);
    }
    out.push('\n');
    let rest = std::thread::scope(|s| {
        let rest = (first < n).then(|| {
            chiso_cores::spawn(s, move || {
                let mut rest = String::with_capacity(per_row * (n - first));
                csv_range(fw, r, previous, comparisons, first..n, &mut rest);
                rest
            })
        });
        csv_range(fw, r, previous, comparisons, 0..first, &mut out);
        rest.map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).unwrap_or_default()
    });
    (out, rest)
}

/// One CSV field as the `csv` crate writes it by default: in quotes (doubled inside) when
/// it holds a comma, a quote or a line end, else as it is.
fn push_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The CSV rows of the units in `range`, at the end of `out`.
fn csv_range(
    fw: &Framework,
    r: &Results,
    previous: &(dyn Fn(usize) -> Option<u32> + Sync),
    comparisons: Option<&[Comparison]>,
    range: std::ops::Range<usize>,
    out: &mut String,
) {
    use std::fmt::Write;
    // A spreadsheet-safe text field (see `csv_safe`); numbers are never formulas.
    let text = |out: &mut String, t: &str| push_field(out, &chiso_data::csv_safe::neutralised(t));
    let number = |out: &mut String, x: Option<u32>| {
        if let Some(x) = x {
            write!(out, "{x}").expect("in memory");
        }
    };
    for (i, u) in r.units.iter().enumerate().skip(range.start).take(range.len()) {
        number(out, u.rank);
        out.push(',');
        text(out, &u.name);
        out.push(',');
        text(out, status(u.status));
        out.push(',');
        text(out, u.level.as_deref().unwrap_or_default());
        out.push(',');
        if let Some(t) = u.total {
            fw.total_rounding().write_plain(out, t);
        }
        for k in 0..fw.criteria.len() {
            out.push(',');
            if let Some(s) = u.scores.get(k).filter(|s| s.applicable) {
                fw.rounding.write_plain(out, s.points);
            }
        }
        out.push(',');
        number(out, previous(i));
        if let Some(c) = comparisons.and_then(|c| c.get(i)) {
            out.push(',');
            out.push_str(c.method.name());
            for x in [c.comparable_previous_rank, c.comparable_rank] {
                out.push(',');
                number(out, x);
            }
            write!(out, ",{}", c.comparable_count).expect("in memory");
            out.push(',');
            if let Some(v) = c.rank_change {
                write!(out, "{v}").expect("in memory");
            }
        }
        out.push('\n');
    }
}

/// The seed's Bảng 1 / Bảng 8 as aligned text, Vietnamese number format.
pub fn table_output(fw: &Framework, r: &Results, cmp: Option<(i32, &[Comparison])>, t: &Text) -> String {
    let mut header = vec![t.rank_no.to_string(), t.unit.into(), t.level.into(), format!("{} {}", t.rank, r.year)];
    if let Some((year, _)) = cmp {
        header.push(format!("{} {year}", t.rank));
    }
    header.push(t.total.into());
    header.extend(fw.criteria.iter().map(|c| c.label().to_string()));
    let fixed = header.len() - fw.criteria.len() - 1;

    let mut rows = vec![header];
    let mut max_row = vec![String::new(), t.max_points.into()];
    max_row.resize(fixed, String::new());
    max_row.push(fw.total_rounding().format_vi(fw.total_max()));
    max_row.extend(fw.criteria.iter().map(|c| fw.rounding.format_vi(c.max)));
    rows.push(max_row);

    for (i, u) in r.units.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), u.name.clone()];
        if u.status == Status::NoData {
            row.push(t.no_data.into());
            rows.push(row);
            continue;
        }
        row.push(u.level.clone().unwrap_or_else(|| t.not_ranked.into()));
        row.push(u.rank.map(|x| x.to_string()).unwrap_or_default());
        if let Some((_, c)) = cmp {
            row.push(c[i].previous_rank.map(|x| x.to_string()).unwrap_or_default());
        }
        row.push(u.total.map(|v| fw.total_rounding().format_vi(v)).unwrap_or_default());
        row.extend(u.scores.iter().map(|s| if s.applicable { fw.rounding.format_vi(s.points) } else { "—".into() }));
        rows.push(row);
    }
    align(&rows)
}

fn align(rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter(|r| r.len() == cols).map(|r| width(&r[c])).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let last = row.len() - 1;
        for (c, cell) in row.iter().enumerate() {
            let numeric = cell.chars().next().is_some_and(|ch| ch.is_ascii_digit());
            if c == last && !numeric {
                out += cell;
            } else if numeric && c != 1 {
                out += &format!("{}{cell}", " ".repeat(widths[c].saturating_sub(width(cell))));
            } else {
                out += &format!("{cell}{}", " ".repeat(widths[c].saturating_sub(width(cell))));
            }
            if c != last {
                out += "  ";
            }
        }
        out += "\n";
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_written_as_the_csv_crate_writes_them() {
        let fields = ["", "a", "Xã Một", "a,b", "say \"hi\"", "two\nlines", "cr\r", "'=1+1", " space ", "#", "\"", ","];
        let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        w.write_record(fields).unwrap();
        w.write_record(["", ""]).unwrap();
        let expected = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut out = String::new();
        for record in [&fields[..], &["", ""]] {
            for (k, f) in record.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                super::push_field(&mut out, f);
            }
            out.push('\n');
        }
        assert_eq!(out, expected);
    }
}
