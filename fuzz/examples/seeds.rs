//! Writes the workbooks bench/fuzz seeds the XLSX corpora with, as `chiso template` and
//! `chiso export` would (same functions, same arguments), so that seeding needs no release
//! build of the whole binary: the fuzz build's own dependencies suffice.
//!
//!   cargo run --release --example seeds -- OUT_DIR
use chiso_data::{Dataset, export, template};
use chiso_domain::engine;
use std::path::Path;

fn main() {
    let out = std::env::args().nth(1).expect("usage: seeds OUT_DIR");
    let out = Path::new(&out);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let load = |n: &str| Dataset::load(&root.join(n)).unwrap_or_else(|e| panic!("dataset {n}: {e:?}"));
    let cao_bang = load("cao-bang");
    let example = load("example");
    let write = |name: &str, bytes: Vec<u8>| std::fs::write(out.join(name), bytes).expect("write a seed");

    // chiso template --data data/cao-bang --period 2020 --unit so-y-te
    let (fw, _) = cao_bang.period(2020, "department").expect("cao-bang 2020 department");
    let (unit, _) = cao_bang.registry.resolve("so-y-te", "department", 2020).expect("so-y-te");
    write("template-so-y-te.xlsx", template::write(fw, 2020, &[unit]).expect("template"));
    // chiso template --data data/cao-bang --period 2020 --kind department
    let (fw, period) = cao_bang.period(2020, "department").expect("cao-bang 2020 department");
    let units: Vec<_> = period.units.iter().filter_map(|u| cao_bang.registry.get(&u.unit)).collect();
    write("template-department.xlsx", template::write(fw, 2020, &units).expect("template"));
    // chiso export --data data/cao-bang --period 2020 --kind department
    let rows = export::table(fw, period, &engine::score(fw, period));
    write("export-department.xlsx", export::xlsx(&rows, &format!("{} department 2020", fw.name)).expect("export"));
    // chiso export --data data/example --period 2024 --kind agency
    let (fw, period) = example.period(2024, "agency").expect("example 2024 agency");
    let rows = export::table(fw, period, &engine::score(fw, period));
    write("export-example.xlsx", export::xlsx(&rows, &format!("{} agency 2024", fw.name)).expect("export"));
}
