//! A filled data-entry template as uploaded on the platform's Excel routes
//! (`chiso_data::template::read`, the reporter's and the administrator's) never panics or
//! exhausts memory, whatever the bytes. Checked against the Cao Bằng 2020 departments.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(
    // chiso-data catches calamine's panics on damaged workbooks (an error of the file);
    // libFuzzer's hook would abort before the unwind reaches it: the default hook again.
    init: {
        let _ = std::panic::take_hook();
    },
    |bytes: &[u8]| {
    let d = chiso_fuzz::dataset("cao-bang");
    let fw = d.framework("cao-bang-1513-department").expect("the department framework");
    let _ = chiso_data::template::is_template(bytes);
    let _ = chiso_data::template::read("fuzz.xlsx", bytes, fw, &d.registry, 2020, None);
});
