//! An XLSX of figures (`chiso_data::table::parse_xlsx`, bounded) through the import never
//! panics or exhausts memory. The first byte picks the framework and year.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // chiso-data catches calamine's panics on damaged workbooks (an error of the file);
    // libFuzzer's hook would abort before the unwind reaches it: the default hook again.
    init: {
        let _ = std::panic::take_hook();
    },
    |input: &[u8]| {
    let Some((&which, bytes)) = input.split_first() else { return };
    let (fw, registry, year) = chiso_fuzz::fixture(which);
    if let Ok(table) = chiso_data::table::parse_xlsx("fuzz.xlsx", bytes, None) {
        let table = chiso_data::export::strip_results(table);
        let _ = chiso_data::import::import(&table, fw, registry, year);
    }
});
