//! Every bad input gets a message naming the file, sheet, row, column and value,
//! in Vietnamese by default and in English on request; nothing half-read is returned.

use chiso_data::DataText;
use chiso_data::{Dataset, Lang, framework_toml, import, table, units_toml};
use chiso_domain::Framework;
use std::path::PathBuf;

fn cao_bang() -> Dataset {
    Dataset::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")).unwrap()
}

fn department(data: &Dataset) -> &Framework {
    data.framework("cao-bang-1513-department").unwrap()
}

/// Imports a CSV text for 2020 departments; returns the messages (vi, en).
fn import_csv(csv: &str) -> (Vec<String>, Vec<String>) {
    let data = cao_bang();
    let t = table::parse_csv("so-lieu.csv", csv.as_bytes()).unwrap();
    let errors = import::import(&t, department(&data), &data.registry, 2020).unwrap_err();
    (errors.iter().map(|e| Lang::Vi.error(e)).collect(), errors.iter().map(|e| Lang::En.error(e)).collect())
}

const HEADER: &str = "Đơn vị,infra,app,web,online_services,staff,policy\n";

#[test]
fn unknown_unit_is_named_with_the_closest_known_names() {
    let (vi, en) = import_csv(&format!("{HEADER}Sở Giao duc,8,15.9,19,3.4,5,5\n"));
    assert_eq!(
        vi,
        ["so-lieu.csv, dòng 2, cột A (Đơn vị), giá trị \"Sở Giao duc\": không có đơn vị “Sở Giao duc”; \
          có phải là: Sở Giáo dục và Đào tạo, Sở Giao thông vận tải, Sở Ngoại vụ?"]
    );
    assert!(
        en[0].ends_with(
            "unknown unit \"Sở Giao duc\"; did you mean Sở Giáo dục và Đào tạo, Sở Giao thông vận tải, Sở Ngoại vụ?"
        ),
        "{en:?}"
    );
}

#[test]
fn unknown_column_lists_what_is_accepted() {
    let (vi, _) =
        import_csv("Đơn vị,infra,app,web,online_services,staff,policy,Hạ tầng mạng\nSở Y tế,8,14.9,18,2.8,5,5,1\n");
    assert_eq!(vi.len(), 1);
    assert!(
        vi[0].starts_with(
            "so-lieu.csv, dòng 1, cột H (Hạ tầng mạng), giá trị \"Hạ tầng mạng\": cột không phải tiêu chí"
        ),
        "{vi:?}"
    );
    assert!(vi[0].contains("infra, app, web"), "{vi:?}");
}

#[test]
fn printed_names_and_aliases_are_accepted_as_columns_and_decimal_commas_as_numbers() {
    let data = cao_bang();
    let csv = "Tên cơ quan,Hạ tầng kỹ thuật,Ứng dụng CNTT,Trang TTĐT,Cung cấp DVCTT,Nhân lực,Chính sách\n\
               Sở Lao động-TB&XH,\"8,0\",\"13,9\",18,\" 0,4 \",3,3\n";
    let t = table::parse_csv("so-lieu.csv", csv.as_bytes()).unwrap();
    let rows = import::import(&t, department(&data), &data.registry, 2020).unwrap();
    assert_eq!(rows[0].unit.0, "so-lao-dong-thuong-binh-xa-hoi");
    let fw = department(&data);
    let sub = rows[0].submission.as_ref().unwrap();
    assert_eq!(sub.answer(fw.index_of("app").unwrap()), Some(&chiso_domain::Answer::Points("13.9".parse().unwrap())));
    assert_eq!(
        sub.answer(fw.index_of("online_services").unwrap()),
        Some(&chiso_domain::Answer::Points("0.4".parse().unwrap()))
    );
}

#[test]
fn values_over_max_negative_or_not_numbers_are_all_reported_at_once() {
    let (vi, en) = import_csv(&format!("{HEADER}Sở Y tế,8.5,-1,mười,\"1.000,5\",5,5\n"));
    assert_eq!(
        vi,
        [
            "so-lieu.csv, dòng 2, cột B (infra), giá trị \"8.5\": infra: điểm 8.5 vượt điểm tối đa 8",
            "so-lieu.csv, dòng 2, cột C (app), giá trị \"-1\": app: số liệu -1 không được âm",
            "so-lieu.csv, dòng 2, cột D (web), giá trị \"mười\": không phải là số (dùng chữ số với dấu phẩy hoặc dấu chấm thập phân, ví dụ 45,2)",
            "so-lieu.csv, dòng 2, cột E (online_services), giá trị \"1.000,5\": không phải là số (dùng chữ số với dấu phẩy hoặc dấu chấm thập phân, ví dụ 45,2)",
        ]
    );
    assert_eq!(en[0], "so-lieu.csv, row 2, column B (infra), value \"8.5\": infra: 8.5 exceeds the maximum 8");
}

#[test]
fn a_partly_filled_row_is_an_error_an_empty_row_is_no_data() {
    let data = cao_bang();
    let csv = format!("{HEADER}Sở Y tế,8,14.9,,2.8,5,5\nSở Xây dựng,,,,,,\n");
    let (vi, _) = import_csv(&csv);
    assert_eq!(vi.len(), 1);
    assert!(vi[0].starts_with("so-lieu.csv, dòng 2, cột D (web), giá trị \"\": thiếu giá trị tiêu chí web"), "{vi:?}");
    let t = table::parse_csv("x.csv", format!("{HEADER}Sở Xây dựng,,,,,,\n").as_bytes()).unwrap();
    let rows = import::import(&t, department(&data), &data.registry, 2020).unwrap();
    assert_eq!(rows[0].submission, None);
}

#[test]
fn duplicate_units_missing_columns_and_group_columns_are_refused() {
    let (vi, _) =
        import_csv("unit,infra,app,web,online_services,staff\nSở Y tế,8,14.9,18,2.8,5\nSở y tế,8,14.9,18,2.8,5\n");
    assert!(vi.iter().any(|m| m.contains("thiếu cột của tiêu chí policy")), "{vi:?}");
    assert!(
        vi.iter().any(|m| m
            .starts_with("so-lieu.csv, dòng 3, cột A (unit), giá trị \"Sở y tế\": đơn vị này đã có số liệu ở dòng 2")),
        "{vi:?}"
    );
    let data = cao_bang();
    let district = data.framework("cao-bang-1513-district").unwrap();
    let t = table::parse_csv("h.csv", "unit,ĐKSS CQĐT\nHuyện Hòa An,23.79\n".as_bytes()).unwrap();
    let e = import::import(&t, district, &data.registry, 2020).unwrap_err();
    assert!(
        Lang::En
            .error(&e[0])
            .ends_with("readiness is a group computed from its criteria; give the criteria's columns instead"),
        "{e:?}"
    );
}

#[test]
fn not_applicable_only_where_the_framework_allows_it() {
    let (vi, _) = import_csv(&format!("{HEADER}Sở Y tế,N/A,14.9,18,N/A,5,5\n"));
    assert_eq!(
        vi,
        ["so-lieu.csv, dòng 2, cột B (infra), giá trị \"N/A\": infra: tiêu chí này không được khai “không áp dụng”"]
    );
}

#[test]
fn xlsx_errors_name_the_sheet_and_cell_and_numbers_stored_as_numbers_or_text_both_work() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("so-lieu.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("Năm 2020").unwrap();
    for (c, h) in ["Đơn vị", "infra", "app", "web", "online_services", "staff", "policy"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Sở Y tế").unwrap();
    for (c, v) in [8.0, 14.9, 18.0, 2.8, 5.0, 5.0].iter().enumerate() {
        sheet.write_number(1, c as u16 + 1, *v).unwrap();
    }
    sheet.write_string(2, 0, "Sở Tư pháp").unwrap();
    for (c, v) in ["6,0", "13", "16", "3,2", "2", "5"].iter().enumerate() {
        sheet.write_string(2, c as u16 + 1, *v).unwrap();
    }
    sheet.write_string(3, 0, "Sở Xây dựng").unwrap();
    for (c, v) in ["3", "14.5", "9", "0.4", "3", "5.5"].iter().enumerate() {
        sheet.write_string(3, c as u16 + 1, *v).unwrap();
    }
    book.save(&path).unwrap();

    let data = cao_bang();
    let t = table::read(&path, None).unwrap();
    let e = import::import(&t, department(&data), &data.registry, 2020).unwrap_err();
    assert_eq!(e.len(), 1);
    let msg = Lang::Vi.error(&e[0]);
    assert!(msg.ends_with("so-lieu.xlsx, trang tính \"Năm 2020\", dòng 4, cột G (policy), giá trị \"5.5\": policy: điểm 5.5 vượt điểm tối đa 5"), "{msg}");
    // Without the bad row, both the number cells and the text cells with commas import.
    let mut t = t;
    t.rows.truncate(3);
    let rows = import::import(&t, department(&data), &data.registry, 2020).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(table::read(&path, Some("Không có")).is_err());
}

#[test]
fn framework_errors_give_the_file_and_line() {
    let text = r#"id = "x"
name = "X"
legal_basis = "—"
unit_kind = "department"
years = { from = 2020 }
max = 10

[rounding]
decimals = 1

[[level]]
name = "Mức I"
min = 8
[[level]]
name = "Mức II"
min = 9

[[criterion]]
id = "g"
name = "Nhóm"
max = 10

  [[criterion.criterion]]
  id = "a"
  name = "A"
  max = 4
  rule = "direct"

  [[criterion.criterion]]
  id = "b"
  name = "B"
  max = 5
  rule = { type = "steps", steps = [{ min = 5, points = 2 }, { min = 3, points = 6 }] }
"#;
    let errors = framework_toml::parse("bo-tieu-chi.toml", text).unwrap_err();
    let vi: Vec<String> = errors.iter().map(|e| Lang::Vi.error(e)).collect();
    // Lines are those of the `[[criterion…]]` / `[[level]]` headers that declare the item.
    assert_eq!(
        vi,
        [
            "bo-tieu-chi.toml, dòng 29: tiêu chí b: cách tính điểm không hợp lệ (step thresholds must ascend: 5 then 3)",
            "bo-tieu-chi.toml, dòng 18: tiêu chí g: điểm tối đa 10 khác tổng điểm tối đa của các tiêu chí thành phần (9)",
            "bo-tieu-chi.toml, dòng 14: mức “Mức II”: điểm tối thiểu 9 phải thấp hơn mức trước (8)",
        ]
    );
}

#[test]
fn framework_syntax_and_unknown_keys_give_the_line() {
    let e = framework_toml::parse("f.toml", "id = \"x\"\nname = \"X\"\nmax = = 3\n").unwrap_err();
    assert!(Lang::En.error(&e[0]).starts_with("f.toml, line 3: syntax error"), "{e:?}");
    let text = "id = \"x\"\nname = \"X\"\nlegal_basis = \"\"\nunit_kind = \"d\"\nyears = { from = 2020 }\nmax = 1\n\
                [rounding]\ndecimals = 1\n[[criterion]]\nid = \"a\"\nname = \"A\"\nmax = 1\nrule = \"percent\"\n";
    let e = framework_toml::parse("f.toml", text).unwrap_err();
    assert!(Lang::En.error(&e[0]).starts_with("f.toml, line 13: syntax error"), "{e:?}");
}

#[test]
fn registry_errors_are_named() {
    let text = "[[unit]]\nid = \"a\"\nname = \"A\"\nkind = \"district\"\n\n[[lineage]]\nyear = 2020\nkind = \"merged\"\nfrom = [\"a\", \"z\"]\ninto = [\"a\"]\n";
    let e = units_toml::parse("units.toml", text).unwrap_err();
    assert_eq!(
        Lang::Vi.error(&e[0]),
        "units.toml, dòng 6, giá trị \"z\": thay đổi đơn vị năm 2020 nhắc đến đơn vị không có “z”"
    );
}

/// A unit's answers named by field (a form, the platform's stored answers) go through the
/// table import's own validator: the same submission from the same figures, and every
/// problem named by its field and value.
#[test]
fn a_units_fields_are_read_by_the_imports_validator() {
    let data = cao_bang();
    let fw = department(&data);
    let fields = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let figures =
        [("infra", "8"), ("app", "15.9"), ("web", "19"), ("online_services", "3.4"), ("staff", "5"), ("policy", "5")];
    let from_fields = import::answers(fw, &fields(&figures), "2020/department/so-y-te").unwrap().unwrap();
    let t = table::parse_csv("so-lieu.csv", format!("{HEADER}Sở Y tế,8,15.9,19,3.4,5,5\n").as_bytes()).unwrap();
    let from_table = import::import(&t, fw, &data.registry, 2020).unwrap().remove(0).submission.unwrap();
    assert_eq!(from_fields, from_table, "one validator, one submission");

    let empty = [("infra", ""), ("app", " ")];
    assert_eq!(import::answers(fw, &fields(&empty), "x").unwrap(), None, "nothing entered: no data");

    let bad =
        [("infra", "99"), ("app", "mười"), ("web", "19"), ("online_services", "3.4"), ("staff", "5"), ("hạ tầng", "1")];
    let errors = import::answers(fw, &fields(&bad), "2020/department/so-y-te").unwrap_err();
    let vi: Vec<String> = errors.iter().map(|e| Lang::Vi.error(e)).collect();
    assert_eq!(errors.len(), 4, "{vi:#?}");
    assert!(vi.iter().any(|m| m.contains("cột hạ tầng")), "an unknown field: {vi:#?}");
    assert!(vi.iter().any(|m| m.contains("cột app") && m.contains("\"mười\"")), "not a number: {vi:#?}");
    assert!(vi.iter().any(|m| m.contains("cột infra") && m.contains("\"99\"")), "above the maximum: {vi:#?}");
    assert!(vi.iter().any(|m| m.contains("cột policy")), "a field not given: {vi:#?}");
    assert!(vi.iter().all(|m| m.starts_with("2020/department/so-y-te")), "{vi:#?}");
}

/// "1.000" could be one thousand (Vietnamese thousands separator) or one (a decimal point):
/// refused with the reason, never guessed; "0,125" and "7,5" are plain decimals.
#[test]
fn an_ambiguous_thousands_separator_is_refused_not_guessed() {
    let (vi, en) = import_csv(&format!("{HEADER}Sở Y tế,1.000,15.9,19,3.4,5,5\n"));
    assert_eq!(vi.len(), 1, "{vi:?}");
    assert!(
        vi[0].contains("cột B (infra)") && vi[0].contains("\"1.000\"") && vi[0].contains("một nghìn hay một"),
        "{vi:?}"
    );
    assert!(en[0].contains("one thousand or one"), "{en:?}");
    let (vi, _) = import_csv(&format!("{HEADER}Sở Y tế,12,500,15.9,19,3.4,5,5\n"));
    assert!(!vi.iter().any(|m| m.contains("nghìn")), "a comma between cells is not a number's: {vi:?}");
    let data = cao_bang();
    let t =
        table::parse_csv("so-lieu.csv", format!("{HEADER}Sở Y tế,\"0,125\",\"7,5\",19,3.4,5,5\n").as_bytes()).unwrap();
    assert!(import::import(&t, department(&data), &data.registry, 2020).is_ok(), "plain decimals");
}

/// A copy of the Cao Bằng dataset in a temporary directory, with `edit` applied to the
/// 2020 departments' CSV.
fn cao_bang_with(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang");
    let dir = tempfile::tempdir().unwrap();
    for sub in ["", "frameworks", "periods"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    let csv = dir.path().join("periods/2020-department.csv");
    std::fs::write(&csv, edit(&std::fs::read_to_string(&csv).unwrap())).unwrap();
    dir
}

#[test]
fn a_dataset_period_read_through_one_buffer_names_file_row_column_and_value() {
    let dir = cao_bang_with(|csv| {
        csv.replacen("Ban Dân tộc,2.0,13.1", "Ban Dân tộc,2.0,'=13.1x", 1).replacen(",17.0,", ",\"17,0\",", 1)
    });
    let errors = Dataset::load(dir.path()).unwrap_err();
    let vi: Vec<String> = errors.iter().map(|e| Lang::Vi.error(e)).collect();
    let file = dir.path().join("periods/2020-department.csv").display().to_string();
    assert_eq!(
        vi,
        [format!(
            "{file}, dòng 2, cột C (app), giá trị \"=13.1x\": không phải là số (dùng chữ số với dấu phẩy hoặc dấu chấm thập phân, ví dụ 45,2)"
        )]
    );
    // Every period read by the dataset scores as the same table read cell by cell does.
    let dir = cao_bang_with(str::to_string);
    let data = Dataset::load(dir.path()).unwrap();
    let fw = department(&data);
    let t = table::read(&dir.path().join("periods/2020-department.csv"), None).unwrap();
    let rows = import::import(&t, fw, &data.registry, 2020).unwrap();
    let by_table = chiso_data::dataset::assemble(fw, &data.registry, 2020, rows, None);
    let (_, loaded) = data.period(2020, "department").unwrap();
    assert_eq!(loaded.units, by_table.units);
    assert!(loaded.units.iter().filter(|u| u.submission.is_some()).count() > 10);
}
