//! The DOCX reader never panics, whatever the bytes. Seed the corpus with
//! `data/cao-bang/seed/` files (see docs/AUDIT.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = chiso_audit::read(data, chiso_audit::Format::Docx, "fuzz.docx");
});
