//! Hostile workbooks (uploads on the platform's Excel import routes): zip bombs and sheets
//! whose cells span the whole grid are refused with a clear error, in bounded memory and
//! time, by the template reader, the table reader and `is_template`.

use chiso_data::DataText;
use chiso_data::error::TooLarge;
use chiso_data::template;
use chiso_data::{Dataset, ErrorKind, Lang, table};
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::time::Instant;

fn example() -> Dataset {
    Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/example")).unwrap()
}

/// A raw deflate stream of `1 + 258 × repeats` spaces in `repeats / 4 + 40` bytes: one
/// dynamic Huffman block whose length 258 and distance 1 codes are one bit each.
pub fn deflated_spaces(repeats: usize) -> Vec<u8> {
    struct Bits(Vec<u8>, u64, u32);
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.1 |= value << self.2;
            self.2 += count;
            while self.2 >= 8 {
                self.0.push(self.1 as u8);
                self.1 >>= 8;
                self.2 -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            for i in (0..len).rev() {
                self.put((code >> i) & 1, 1);
            }
        }
    }
    let mut b = Bits(Vec::with_capacity(repeats / 4 + 64), 0, 0);
    b.put(1, 1); // last block
    b.put(2, 2); // dynamic Huffman
    b.put(29, 5); // 286 literal/length codes
    b.put(0, 5); // 1 distance code
    b.put(14, 4); // 18 code length codes
    // Code length code lengths, in the format's order: 18 → 1 bit, 2 and 1 → 2 bits.
    for sym in [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1] {
        b.put(
            match sym {
                18 => 1,
                1 | 2 => 2,
                _ => 0,
            },
            3,
        );
    }
    let (zeros, one, two) = ((0, 1), (0b10, 2), (0b11, 2)); // code length codes 18, 1, 2
    let run = |b: &mut Bits, n: u64| {
        b.code(zeros.0, zeros.1);
        b.put(n - 11, 7);
    };
    run(&mut b, 32); // literals 0..31
    b.code(two.0, two.1); // ' ' (32): 2 bits
    run(&mut b, 138);
    run(&mut b, 85); // 33..255
    b.code(two.0, two.1); // end of block (256): 2 bits
    run(&mut b, 28); // 257..284
    b.code(one.0, one.1); // length 258 (285): 1 bit
    b.code(one.0, one.1); // distance code 0 (distance 1): 1 bit
    b.code(0b10, 2); // ' '
    // Each repeat is two zero bits (length 258, distance 1).
    let mut left = repeats * 2;
    while left > 0 && b.2 != 0 {
        b.put(0, 1);
        left -= 1;
    }
    b.0.resize(b.0.len() + left / 8, 0);
    b.put(0, (left % 8) as u32);
    b.code(0b11, 2); // end of block
    b.put(0, 7);
    b.0
}

/// A ZIP archive of stored parts and deflated parts of spaces (`(name, repeats)`). The
/// checksums of deflated parts over 64 MiB are left at zero: a reader refuses them before their end.
pub fn zip_with_bombs(stored: &[(&str, &[u8])], bombs: &[(&str, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut entry = |out: &mut Vec<u8>, name: &str, method: u16, crc: u32, data: &[u8], size: u64| {
        let offset = out.len() as u32;
        let size = u32::try_from(size).expect("under 4 GiB");
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(method.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 6]); // comment length, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(data);
        central.extend(header(0x0201_4b50, true));
    };
    for (name, data) in stored {
        entry(&mut out, name, 0, crc32(data), data, data.len() as u64);
    }
    for (name, repeats) in bombs {
        let size = 1 + 258 * *repeats as u64;
        let crc = if size <= 64 << 20 { crc32_spaces(size) } else { 0 };
        entry(&mut out, name, 8, crc, &deflated_spaces(*repeats), size);
    }
    let count = (stored.len() + bombs.len()) as u16;
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn crc32_table() -> [u32; 256] {
    std::array::from_fn(|i| (0..8).fold(i as u32, |c, _| if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 }))
}

fn crc32_spaces(n: u64) -> u32 {
    let t = crc32_table();
    !(0..n).fold(!0u32, |c, _| t[((c ^ b' ' as u32) & 0xFF) as usize] ^ (c >> 8))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The parts of an archive, inflated.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(name.as_str(), o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The example's template of one unit, with a workbook part replaced by a bomb.
fn template_with_bomb(part: &str, repeats: usize) -> Vec<u8> {
    let ds = example();
    let p = &ds.periods[0];
    let fw = ds.framework(&p.framework).unwrap();
    let unit = ds.registry.get(&p.units[0].unit).unwrap();
    let good = parts(&template::write(fw, p.year, &[unit]).unwrap());
    let stored: Vec<(&str, &[u8])> =
        good.iter().filter(|(n, _)| n != part).map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    zip_with_bombs(&stored, &[(part, repeats)])
}

fn too_large(errors: &[chiso_data::DataError]) -> bool {
    errors.iter().any(|e| matches!(e.kind, ErrorKind::TooLarge(_)))
}

#[test]
fn the_bomb_builder_inflates_to_what_it_says() {
    let bytes = zip_with_bombs(&[("a.txt", b"abc")], &[("b.xml", 1000)]);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
    let mut inflated = Vec::new();
    let _ = zip.by_name("b.xml").unwrap().read_to_end(&mut inflated); // the checksum is left at zero
    assert_eq!(inflated.len(), 1 + 258 * 1000);
    assert!(inflated.iter().all(|&b| b == b' '));
    let mut a = String::new();
    zip.by_name("a.txt").unwrap().read_to_string(&mut a).unwrap();
    assert_eq!(a, "abc");
}

/// 4 GB of shared strings in a 3.9 MB upload: refused before calamine loads them.
#[test]
fn a_zip_bomb_in_a_template_is_refused_quickly() {
    let repeats = 15_500_000; // 1 + 258 × 15.5 M ≈ 4.0 GB
    let bytes = template_with_bomb("xl/sharedStrings.xml", repeats);
    assert!(bytes.len() < 4_000_000, "{}", bytes.len());
    let ds = example();
    let p = &ds.periods[0];
    let fw = ds.framework(&p.framework).unwrap();
    let start = Instant::now();
    let errors = template::read("bom.xlsx", &bytes, fw, &ds.registry, p.year, None).unwrap_err();
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
    assert!(too_large(&errors), "{errors:?}");
    let message = Lang::Vi.error(&errors[0]);
    assert!(message.contains("tệp quá lớn") && message.contains("xl/sharedStrings.xml"), "{message}");
    assert!(Lang::En.error(&errors[0]).contains("inflates to more than 32 MiB"));
    assert!(!template::is_template(&bytes));
    let e = table::parse_xlsx("bom.xlsx", &bytes, None).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::TooLarge(TooLarge::Part { .. })), "{e:?}");
}

/// Many parts each under the part limit, together over the total.
#[test]
fn many_medium_parts_are_refused_by_the_total() {
    let ten_mib = 10 * 1024 * 1024 / 258;
    let bombs: Vec<(String, usize)> = (0..14).map(|i| (format!("xl/media/p{i}.xml"), ten_mib)).collect();
    let bombs: Vec<(&str, usize)> = bombs.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    let bytes = zip_with_bombs(&[], &bombs);
    let e = table::parse_xlsx("bom.xlsx", &bytes, None).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::TooLarge(TooLarge::Total { max_mib: 128 })), "{e:?}");
}

/// Two cells, A1 and XFD1048576: calamine's ranges would allocate 17 billion cells
/// (the process aborted); refused, naming the cell.
#[test]
fn a_sheet_spanning_the_whole_grid_is_refused() {
    let ds = example();
    let p = &ds.periods[0];
    let fw = ds.framework(&p.framework).unwrap();
    let unit = ds.registry.get(&p.units[0].unit).unwrap();
    let mut parts = parts(&template::write(fw, p.year, &[unit]).unwrap());
    let far = "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>";
    let mut touched = 0;
    for (name, data) in parts.iter_mut() {
        if name.starts_with("xl/worksheets/sheet") {
            let xml = String::from_utf8(data.clone()).unwrap();
            *data = xml.replacen("</sheetData>", far, 1).into_bytes();
            touched += 1;
        }
    }
    assert!(touched >= 2);
    let bytes = rezip(&parts);
    let errors = template::read("xa.xlsx", &bytes, fw, &ds.registry, p.year, None).unwrap_err();
    assert!(too_large(&errors), "{errors:?}");
    assert!(Lang::Vi.error(&errors[0]).contains("XFD1048576"), "{}", Lang::Vi.error(&errors[0]));
    assert!(!template::is_template(&bytes));
    let e = table::parse_xlsx("xa.xlsx", &bytes, None).unwrap_err();
    assert!(matches!(&e.kind, ErrorKind::TooLarge(TooLarge::Cell { cell, .. }) if cell == "XFD1048576"), "{e:?}");
    // Within the grid's limits, but a rectangle of more cells than read: refused too.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "a").unwrap();
    ws.write_string(99_999, 1_000, "b").unwrap();
    let e = table::parse_xlsx("rect.xlsx", &wb.save_to_buffer().unwrap(), None).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::TooLarge(TooLarge::Cells { .. })), "{e:?}");
}

/// The bounded reader gives the same table as calamine's ranges on ordinary workbooks.
#[test]
fn the_bounded_reader_keeps_positions() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Số liệu").unwrap();
    ws.write_string(2, 1, "unit").unwrap();
    ws.write_string(2, 3, "infra").unwrap();
    ws.write_string(3, 1, "Sở Y tế").unwrap();
    ws.write_number(3, 3, 7.5).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let t = table::parse_xlsx("t.xlsx", &bytes, None).unwrap();
    assert_eq!(t.sheet.as_deref(), Some("Số liệu"));
    let e = |n: usize| vec![String::new(); n];
    let row = |b: &str, d: &str| vec![String::new(), b.to_string(), String::new(), d.to_string()];
    assert_eq!(t.rows, vec![vec![], vec![], row("unit", "infra"), row("Sở Y tế", "7.5")]);
    assert_eq!(t.rows[0], e(0));
    let missing = table::parse_xlsx("t.xlsx", &bytes, Some("Không có")).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NoSheet);
    assert!(matches!(table::parse_xlsx("t.xlsx", b"PK\x03\x04 not a zip", None).unwrap_err().kind, ErrorKind::Io(_)));
}

/// Found by the `template` and `template_xml` fuzz targets: a cell whose shared-string index
/// is beyond the table made calamine panic (index out of bounds); now the file's error.
#[test]
fn a_shared_string_index_beyond_the_table_is_an_error_not_a_panic() {
    let ds = example();
    let p = &ds.periods[0];
    let fw = ds.framework(&p.framework).unwrap();
    let unit = ds.registry.get(&p.units[0].unit).unwrap();
    let mut parts = parts(&template::write(fw, p.year, &[unit]).unwrap());
    let bad = "<row r=\"200\"><c r=\"A200\" t=\"s\"><v>4340</v></c></row></sheetData>";
    for (name, data) in parts.iter_mut() {
        if name.starts_with("xl/worksheets/sheet") {
            *data = String::from_utf8(data.clone()).unwrap().replacen("</sheetData>", bad, 1).into_bytes();
        }
    }
    let bytes = rezip(&parts);
    let errors = template::read("s.xlsx", &bytes, fw, &ds.registry, p.year, None).unwrap_err();
    assert!(errors.iter().any(|e| matches!(e.kind, ErrorKind::Io(_))), "{errors:?}");
    assert!(!template::is_template(&bytes));
    assert!(matches!(table::parse_xlsx("s.xlsx", &bytes, None).unwrap_err().kind, ErrorKind::Io(_)));
}
