mod common;
use chiso_audit::Format;
use common::*;

#[test]
#[ignore]
fn explore_docx() {
    let doc = read(&seed("bao-cao-cao-bang-2020.docx"), Format::Docx);
    let a = audit(&doc);
    for t in &a.tables {
        println!("{t:?}");
    }
    dump(&a);
}

#[test]
#[ignore]
fn explore_xlsx() {
    let doc = read(&seed("bang-diem-cao-bang-2020.xlsx"), Format::Xlsx);
    let a = audit(&doc);
    for t in &a.tables {
        println!("{t:?}");
    }
    dump(&a);
}

#[test]
#[ignore]
fn explore_generated() {
    let g = generated();
    for (bytes, f) in [(docx_of(&g), Format::Docx), (xlsx_of(&g), Format::Xlsx)] {
        let doc = read(&bytes, f);
        let a = audit(&doc);
        for t in &a.tables {
            println!("{t:?}");
        }
        dump(&a);
    }
}

#[test]
#[ignore]
fn explore_csv() {
    let dir = root().join("data/cao-bang/seed");
    let mut docs = Vec::new();
    for i in 1..=17 {
        let name = format!("bang{i:02}.csv");
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        docs.push(chiso_audit::read(&bytes, Format::Csv, &name).unwrap());
    }
    let doc = chiso_audit::merge(docs);
    let a = audit(&doc);
    for t in &a.tables {
        println!("{t:?}");
    }
    dump(&a);
}
