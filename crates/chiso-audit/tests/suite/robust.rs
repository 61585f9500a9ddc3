//! The readers never panic: random bytes, truncated and mutated copies of the seed files,
//! and seed files whose XML parts are damaged, then re-zipped (so the damage reaches the
//! XML readers, not only the ZIP layer). Every readable result also goes through the whole
//! audit. Counts of executions are in docs/AUDIT.md; `cargo test -p chiso-audit --test
//! robust -- --ignored` runs the long campaign.

use crate::common;
use chiso_audit::Format;
use common::*;
use proptest::prelude::*;
use std::io::{Read, Write};
use std::sync::OnceLock;

fn data() -> &'static chiso_data::Dataset {
    static DATA: OnceLock<chiso_data::Dataset> = OnceLock::new();
    DATA.get_or_init(dataset)
}

/// Reads and audits whatever the bytes are; only a panic fails.
fn exercise(bytes: &[u8], format: Format) {
    if let Ok(doc) = chiso_audit::read(bytes, format, "fuzz.csv") {
        let d = data();
        let _ = chiso_audit::audit(&doc, &d.frameworks, &d.registry);
    }
}

fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut out = Vec::new();
            f.read_to_end(&mut out).unwrap();
            (f.name().to_string(), out)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        w.start_file(name, o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn seed_docx() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| seed("bao-cao-cao-bang-2020.docx"))
}

fn seed_xlsx() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| seed("bang-diem-cao-bang-2020.xlsx"))
}

fn seed_csv() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| seed("bang08.csv"))
}

/// Snippets that stress the XML readers when spliced into a part.
const SPLICES: [&str; 14] = [
    "<w:gridSpan w:val=\"999999\"/>",
    "<w:vMerge/>",
    "<w:vMerge w:val=\"restart\"/>",
    "<w:gridBefore w:val=\"70000\"/>",
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1,5</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    "</w:tbl>",
    "<w:tc>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "<c r=\"ZZZZ99999999\" t=\"s\"><v>4294967295</v></c>",
    "<c r=\"B2\"><v>1e308</v></c>",
    "<numFmt numFmtId=\"164\" formatCode=\"0.0000000000000000000000000000%\"/>",
    "&#xD800;",
    "&bogus;",
    "<![CDATA[12,5]]>",
];

/// One damaged copy of a seed archive: a part's XML cut, flipped or spliced.
fn damage(seed: &[u8], which: usize, at: usize, how: u8, splice: usize) -> Vec<u8> {
    let mut ps = parts(seed);
    let xml: Vec<usize> = (0..ps.len()).filter(|&i| ps[i].0.ends_with(".xml") || ps[i].0.ends_with(".rels")).collect();
    let i = xml[which % xml.len()];
    let data = &mut ps[i].1;
    let at = at % data.len().max(1);
    match how % 4 {
        0 => data.truncate(at),
        1 => data[at] ^= 0x55,
        2 => {
            let s = SPLICES[splice % SPLICES.len()].as_bytes();
            data.splice(at..at, s.iter().copied());
        }
        _ => {
            // Remove a stretch: unbalances tags and attributes.
            let end = (at + 1 + splice * 7).min(data.len());
            data.drain(at..end);
        }
    }
    rezip(&ps)
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for f in [Format::Docx, Format::Xlsx, Format::Csv] {
            exercise(&bytes, f);
        }
    }

    #[test]
    fn truncated_and_flipped_files_never_panic(cut in 0usize..200_000, flips in proptest::collection::vec((0usize..200_000, any::<u8>()), 0..16)) {
        for (seed, f) in [(seed_docx(), Format::Docx), (seed_xlsx(), Format::Xlsx), (seed_csv(), Format::Csv)] {
            let mut b = seed[..cut % (seed.len() + 1)].to_vec();
            exercise(&b, f);
            b = seed.to_vec();
            for (at, x) in &flips {
                let n = b.len();
                b[at % n] ^= x | 1;
            }
            exercise(&b, f);
        }
    }

}

proptest! {
    // Each case re-zips both seed files and audits them: fewer cases, same depth.
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn damaged_xml_parts_never_panic(which in 0usize..64, at in 0usize..1_000_000, how in any::<u8>(), splice in 0usize..64) {
        exercise(&damage(seed_docx(), which, at, how, splice), Format::Docx);
        exercise(&damage(seed_xlsx(), which, at, how, splice), Format::Xlsx);
    }
}

/// A small deterministic generator for the long campaign (no extra dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
#[ignore = "the long campaign: run by hand, counts recorded in docs/AUDIT.md"]
fn long_campaign() {
    let n: usize = std::env::var("AUDIT_FUZZ_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let mut rng = Rng(0x5eed_c0de_2020);
    let started = std::time::Instant::now();
    let mut runs = 0usize;
    for _ in 0..n {
        let r = rng.next() as usize;
        let (s, f) = match r % 3 {
            0 => (seed_docx(), Format::Docx),
            1 => (seed_xlsx(), Format::Xlsx),
            _ => (seed_csv(), Format::Csv),
        };
        let bytes = if f == Format::Csv || r.is_multiple_of(5) {
            let mut b = s.to_vec();
            for _ in 0..(rng.next() % 24) {
                let n = b.len();
                let at = rng.next() as usize % n;
                b[at] = rng.next() as u8;
            }
            b.truncate(rng.next() as usize % (b.len() + 1));
            b
        } else {
            damage(s, rng.next() as usize, rng.next() as usize, rng.next() as u8, rng.next() as usize)
        };
        exercise(&bytes, f);
        runs += 1;
    }
    println!("long campaign: {runs} executions in {:?}", started.elapsed());
}

#[test]
fn numbers_too_large_for_a_score_cannot_overflow_the_checks() {
    // Eight rows of a total near Decimal's limit would overflow a sum if read as numbers.
    let mut csv = String::from(
        "TT,Đơn vị,Tổng điểm,Hạ tầng kỹ thuật,Ứng dụng CNTT,Cung cấp thông tin trên Trang TTĐT,Cung cấp DVCTT,Nhân lực,Chính sách\n",
    );
    for (i, u) in [
        "Sở Y tế",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Ngoại vụ",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Ban Dân tộc",
        "Thanh tra tỉnh",
    ]
    .iter()
    .enumerate()
    {
        let huge = "79228162514264337593543950335";
        csv.push_str(&format!("{},{u},{huge},{huge},{huge},{huge},0.00000000000000000001,{huge},-{huge}\n", i + 1));
    }
    exercise(csv.as_bytes(), Format::Csv);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["TT", "Đơn vị", "Tổng điểm", "Hạ tầng kỹ thuật", "Ứng dụng CNTT"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..30u32 {
        ws.write_number(r, 0, r as f64).unwrap();
        ws.write_string(r, 1, "Sở Y tế").unwrap();
        for c in 2..5u16 {
            ws.write_number(r, c, 1.7e308 / r as f64).unwrap();
        }
    }
    exercise(&wb.save_to_buffer().unwrap(), Format::Xlsx);
}
