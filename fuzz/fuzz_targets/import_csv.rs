//! CSV figures through the import (`chiso import`, datasets, the platform's stored answers)
//! and the published-results reader never panic. The first byte picks the framework and
//! year (see `chiso_fuzz::fixture`), its top bit the published-results reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&which, bytes)) = input.split_first() else { return };
    let (fw, registry, year) = chiso_fuzz::fixture(which & 0x7f);
    let Ok(table) = chiso_data::table::parse_csv("fuzz.csv", bytes) else { return };
    if which & 0x80 == 0 {
        let _ = chiso_data::import::import(&table, fw, registry, year);
    } else {
        let _ = chiso_data::dataset::published(&table, &fw.unit_kind, year, registry);
    }
});
