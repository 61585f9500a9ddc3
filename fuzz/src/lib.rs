//! Shared by the targets: the datasets the importers are checked against, loaded once.
//! `fixture(byte)` picks a framework, its registry and a year it applies to: the Cao Bằng
//! department and district frameworks, the example (every scoring rule) and UN EGDI.

use chiso_data::Dataset;
use chiso_domain::framework::Framework;
use chiso_domain::unit::Registry;
use std::sync::OnceLock;

pub fn dataset(name: &str) -> &'static Dataset {
    static SETS: OnceLock<Vec<(&'static str, Dataset)>> = OnceLock::new();
    let sets = SETS.get_or_init(|| {
        ["cao-bang", "example", "un-egdi"]
            .into_iter()
            .map(|n| {
                let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(n);
                (n, Dataset::load(&dir).unwrap_or_else(|e| panic!("dataset {n}: {e:?}")))
            })
            .collect()
    });
    &sets.iter().find(|(n, _)| *n == name).expect("a known dataset").1
}

/// A framework, the registry of its dataset and the year of one of its periods.
pub fn fixture(which: u8) -> (&'static Framework, &'static Registry, i32) {
    let all: Vec<(&Dataset, usize)> = ["cao-bang", "example", "un-egdi"]
        .into_iter()
        .flat_map(|n| {
            let d = dataset(n);
            (0..d.periods.len()).map(move |i| (d, i))
        })
        .collect();
    let (d, i) = all[which as usize % all.len()];
    let p = &d.periods[i];
    (d.framework(&p.framework).expect("the period's framework"), &d.registry, p.year)
}
