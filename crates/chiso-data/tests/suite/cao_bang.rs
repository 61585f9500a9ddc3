//! The seed report recomputed: Bảng 1 (departments) and Bảng 8 (districts), 2020 vs 2019.
//! Where the printed report disagrees with its own numbers, these tests assert the
//! correct computation and say so.

use chiso_data::Dataset;
use chiso_data::seed;
use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use chiso_domain::stats::{level_counts, movers, spread};
use chiso_domain::{Baseline, Decimal, UnitId, compare};
use rust_decimal_macros::dec;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang")
}

fn dataset() -> Dataset {
    Dataset::load(&data_dir()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn row<'a>(r: &'a Results, name: &str) -> &'a chiso_domain::UnitResult {
    r.units.iter().find(|u| u.name == name).unwrap_or_else(|| panic!("no {name}"))
}

fn total(r: &Results, name: &str) -> Decimal {
    row(r, name).total.unwrap()
}

fn score_of(fw: &Framework, r: &Results, name: &str, criterion: &str) -> Decimal {
    row(r, name).presented(fw, fw.index_of(criterion).unwrap()).unwrap()
}

#[test]
fn bang_1_departments_2020_levels_ranks_and_totals() {
    let data = dataset();
    let (fw, r) = data.results(2020, "department").unwrap();
    let table: Vec<(&str, Option<u32>, Option<&str>, Decimal)> =
        r.units.iter().map(|u| (u.name.as_str(), u.rank, u.level.as_deref(), u.total.unwrap())).collect();
    // The report prints Tư pháp 45,1, Văn phòng UBND tỉnh 44,2 and Văn hóa 44,0: their
    // groups add up to 45,2, 45,2 and 44,1. It also ranks Kế hoạch và Đầu tư (39,7) 13th,
    // above Ban Dân tộc (40,1) and Giao thông vận tải (40,0). The correct table:
    let expected = [
        ("Sở Giáo dục và Đào tạo", 1, Some("Mức I"), dec!(56.3)),
        ("Sở Y tế", 2, Some("Mức II"), dec!(53.7)),
        ("Sở Tài chính", 3, Some("Mức II"), dec!(48.8)),
        ("Sở Nội vụ", 4, Some("Mức II"), dec!(48.7)),
        ("Sở Công thương", 5, Some("Mức II"), dec!(48.2)),
        ("Sở Lao động, Thương binh và Xã hội", 6, Some("Mức III"), dec!(46.3)),
        // Tied at 45,2: shared rank, Vietnamese alphabetical order (S before V).
        ("Sở Tư pháp", 7, Some("Mức III"), dec!(45.2)),
        ("Văn phòng Ủy ban nhân dân tỉnh", 7, Some("Mức III"), dec!(45.2)),
        ("Sở Văn hóa, Thể thao và Du lịch", 9, Some("Mức III"), dec!(44.1)),
        ("Sở Thông tin và Truyền thông", 10, Some("Mức III"), dec!(42.5)),
        ("Sở Ngoại vụ", 11, Some("Mức III"), dec!(42.1)),
        ("Ban Quản lý Khu kinh tế tỉnh", 12, Some("Mức IV"), dec!(41.3)),
        ("Ban Dân tộc", 13, Some("Mức IV"), dec!(40.1)),
        ("Sở Giao thông vận tải", 14, Some("Mức IV"), dec!(40.0)),
        // Tied at 39,7: "Kế" sorts before "Khoa" in Vietnamese (ê before h).
        ("Sở Kế hoạch và Đầu tư", 15, Some("Mức IV"), dec!(39.7)),
        ("Sở Khoa học và Công nghệ", 15, Some("Mức IV"), dec!(39.7)),
        ("Sở Nông nghiệp và Phát triển nông thôn", 17, Some("Mức IV"), dec!(38.7)),
        // Below Mức IV: KXH for the level, but they keep a rank number, as in the report.
        ("Sở Tài nguyên và Môi trường", 18, None, dec!(35.0)),
        ("Thanh tra tỉnh", 19, None, dec!(34.4)),
        ("Sở Xây dựng", 20, None, dec!(32.9)),
    ];
    let expected: Vec<_> = expected.iter().map(|(n, k, l, t)| (*n, Some(*k), *l, *t)).collect();
    assert_eq!(table, expected);
    assert_eq!(row(&r, "Sở Xây dựng").status, Status::BelowLevels);
    assert_eq!(row(&r, "Sở Ngoại vụ").status, Status::Ranked);

    // The Provincial Office has no procedures: "not applicable" gives the maximum (note under Bảng 5).
    assert_eq!(score_of(fw, &r, "Văn phòng Ủy ban nhân dân tỉnh", "online_services"), dec!(6.0));

    // "01 Mức I; 04 Mức II; 06 Mức III; 06 Mức IV; 03 không được xếp hạng".
    let counts = level_counts(&r, fw);
    let per_level: Vec<usize> = counts.levels.iter().map(|(_, n)| *n).collect();
    assert_eq!(per_level, [1, 4, 6, 6]);
    assert_eq!((counts.below_levels, counts.no_data), (3, 0));

    // "Chênh lệch … là 23,4 điểm"; Sở GD&ĐT 56,3 is 93,8 % of 60.
    let s = spread(&r, fw, None).unwrap();
    assert_eq!(s.gap, dec!(23.4));
    assert_eq!(s.highest.value, dec!(56.3));
    assert_eq!(s.highest.percent, Some(dec!(93.8)));
    assert_eq!(s.lowest.units, [UnitId("so-xay-dung".into())]);
}

#[test]
fn group_statistics_match_the_report_narrative() {
    let data = dataset();
    let (fw, r) = data.results(2020, "department").unwrap();
    let app = spread(&r, fw, fw.index_of("app")).unwrap();
    // "Sở Giáo dục và Đào tạo (15,9 điểm) (đạt 99,4% …); … Sở Tài nguyên và Môi trường (11,8 điểm)
    // (đạt 73,7% …). Chênh lệch … 4,1 điểm."
    assert_eq!((app.highest.value, app.highest.percent), (dec!(15.9), Some(dec!(99.4))));
    // 11,8 / 16 = 73,75 % → 73,8 % half-up; the report truncates to 73,7 %.
    assert_eq!((app.lowest.value, app.lowest.percent), (dec!(11.8), Some(dec!(73.8))));
    assert_eq!(app.gap, dec!(4.1));
    // Online services: the report names three units at 3,9; the highest is the Provincial
    // Office's 6,0 (full points, not applicable), and the gap is 5,8, not 3,7.
    let online = spread(&r, fw, fw.index_of("online_services")).unwrap();
    assert_eq!(online.highest.value, dec!(6.0));
    assert_eq!(online.gap, dec!(5.8));
    // Staff: five units share the lowest value, all named.
    let staff = spread(&r, fw, fw.index_of("staff")).unwrap();
    assert_eq!(staff.lowest.value, dec!(2.0));
    assert_eq!(staff.lowest.units.len(), 5);
    assert_eq!(staff.highest.units.len(), 5);
}

#[test]
fn departments_2019_recomputed_rank_as_printed_and_compare_with_2020() {
    let data = dataset();
    let (fw19, r19) = data.results(2019, "department").unwrap();
    assert!(!r19.published);
    // Bảng 1's "Năm 2019" ranks, recomputed from Bảng 2–7's 2019 groups: identical.
    let printed = chiso_data::table::read_csv(&data_dir().join("periods/2019-department-published.csv")).unwrap();
    for line in &printed.rows[1..] {
        assert_eq!(row(&r19, &line[0]).rank, Some(line[1].parse().unwrap()), "{}", line[0]);
    }
    let (fw, r20) = data.results(2020, "department").unwrap();
    let cmp = compare(&r20, fw, &r19, fw19, &data.registry);
    let of = |name: &str| &cmp[r20.units.iter().position(|u| u.name == name).unwrap()];
    // "Sở Lao động, Thương binh và Xã hội … từ vị trí thứ 19 năm 2019 lên vị trí thứ 6".
    let ld = of("Sở Lao động, Thương binh và Xã hội");
    assert_eq!((ld.previous_rank, ld.rank_change, ld.baseline.clone()), (Some(19), Some(13), Baseline::Same));
    assert_eq!(ld.total_change, Some(dec!(16.3)));
    assert_eq!(ld.delta(fw.index_of("infra").unwrap()), Some(dec!(4.1)));
    // "Sở Xây dựng … xếp vị trí thấp nhất (20/20) hai năm liên tiếp".
    assert_eq!(of("Sở Xây dựng").previous_rank, Some(20));
    let m = movers(&cmp);
    assert_eq!(m.rise, Some((13, vec![UnitId("so-lao-dong-thuong-binh-xa-hoi".into())])));
    // Biggest fall, five places, shared by three: Kế hoạch và Đầu tư 10 → 15,
    // Tài nguyên và Môi trường 13 → 18, Thanh tra tỉnh 14 → 19.
    let (fall, who) = m.fall.unwrap();
    assert_eq!(fall, -5);
    let ids: Vec<&str> = who.iter().map(|u| u.0.as_str()).collect();
    assert_eq!(ids, ["so-ke-hoach-dau-tu", "so-tai-nguyen-moi-truong", "thanh-tra-tinh"]);
}

#[test]
fn bang_8_districts_2020_none_reaches_a_level_thach_an_has_no_data() {
    let data = dataset();
    let (fw, r) = data.results(2020, "district").unwrap();
    let order: Vec<(&str, Option<u32>)> = r.units.iter().map(|u| (u.name.as_str(), u.rank)).collect();
    assert_eq!(
        order,
        [
            ("Thành phố Cao Bằng", Some(1)),
            ("Huyện Hà Quảng", Some(2)),
            ("Huyện Trùng Khánh", Some(3)),
            ("Huyện Hòa An", Some(4)),
            ("Huyện Nguyên Bình", Some(5)),
            ("Huyện Bảo Lạc", Some(6)),
            ("Huyện Hạ Lang", Some(7)),
            ("Huyện Bảo Lâm", Some(8)),
            ("Huyện Quảng Hòa", Some(9)),
            ("Huyện Thạch An", None),
        ]
    );
    // "không có đơn vị nào đạt điểm xếp hạng Mức IV": all nine are KXH but ranked.
    assert!(r.units[..9].iter().all(|u| u.status == Status::BelowLevels && u.level.is_none()));
    let thach_an = row(&r, "Huyện Thạch An");
    assert_eq!((thach_an.status, thach_an.rank, &thach_an.level), (Status::NoData, None, &None));
    // Printed totals are rounded from sub-criteria we do not have; chiso adds the printed
    // groups: Hòa An 14,07 + 4,71 + 5,00 + 20,50 + 18,86 + 2,26 + 1,00 = 66,40 (printed 66,41).
    assert_eq!(total(&r, "Thành phố Cao Bằng"), dec!(78.17));
    assert_eq!(total(&r, "Huyện Hòa An"), dec!(66.40));
    assert_eq!(score_of(fw, &r, "Huyện Hòa An", "readiness"), dec!(23.78));
    assert_eq!(score_of(fw, &r, "Thành phố Cao Bằng", "results"), dec!(48.01));
    assert_eq!(total(&r, "Huyện Quảng Hòa"), dec!(44.37));
    let s = spread(&r, fw, None).unwrap();
    // Printed 33,79 (from the printed 44,38); the sum of printed parts gives 33,80.
    assert_eq!(s.gap, dec!(33.80));
    assert_eq!(s.count, 9);
    // "đạt 65% điểm tối đa" / "đạt 37%": percentages with the framework's 0 decimals.
    assert_eq!((s.highest.percent, s.lowest.percent), (Some(dec!(65)), Some(dec!(37))));
    let c = level_counts(&r, fw);
    assert_eq!((c.levels.iter().map(|l| l.1).sum::<usize>(), c.below_levels, c.no_data), (0, 9, 1));
}

#[test]
fn a_total_exactly_at_a_district_threshold_gets_that_level() {
    let data = dataset();
    let fw = data.framework("cao-bang-1513-district").unwrap();
    let name = |t: Decimal| fw.level_for(t).map(|i| fw.levels[i].name.as_str());
    assert_eq!(name(dec!(93.05)), Some("Mức III"));
    assert_eq!(name(dec!(93.04)), Some("Mức IV"));
    assert_eq!(name(dec!(100.4)), Some("Mức II"));
    assert_eq!(name(dec!(85.69)), None);
}

#[test]
fn districts_compare_through_lineage_with_the_published_2019_ranking() {
    let data = dataset();
    let (fw, r20) = data.results(2020, "district").unwrap();
    let (fw19, r19) = data.results(2019, "district").unwrap();
    assert!(r19.published);
    let cmp = compare(&r20, fw, &r19, fw19, &data.registry);
    let of = |name: &str| &cmp[r20.units.iter().position(|u| u.name == name).unwrap()];
    // Bảng 8, "Năm 2019": 4, 7, 9, 6, 3, 12, 5, 8, 13 (out of 13 districts then).
    let previous: Vec<Option<u32>> = cmp.iter().map(|c| c.previous_rank).collect();
    assert_eq!(previous, [Some(4), Some(7), Some(9), Some(6), Some(3), Some(12), Some(5), Some(8), Some(13), None]);
    // Quảng Hòa is new in 2020, formed from Quảng Uyên and Phục Hòa; compared with Quảng Uyên.
    let qh = of("Huyện Quảng Hòa");
    assert_eq!(
        qh.baseline,
        Baseline::Merged {
            continues: Some(UnitId("quang-uyen".into())),
            from: vec![UnitId("quang-uyen".into()), UnitId("phuc-hoa".into())]
        }
    );
    // Printed: 13th of 13 in 2019, 9th of 9 in 2020. Among the nine comparable districts
    // (each with a 2019 total by a declared method) it was last and is last: no move.
    assert_eq!(qh.previous_rank, Some(13));
    assert_eq!((qh.comparable_previous_rank, qh.comparable_rank, qh.comparable_count), (Some(9), Some(9), 9));
    assert_eq!(qh.rank_change, Some(0));
    assert_eq!(qh.method, chiso_domain::compare::Method::Continues { from: UnitId("quang-uyen".into()) });
    // Presence 8,00 in 2020 against Quảng Uyên's 4,50 in 2019 (Bảng 14).
    assert_eq!(qh.delta(fw.index_of("presence").unwrap()), Some(dec!(3.50)));
    // Hà Quảng absorbed Thông Nông and keeps its own 2019 record.
    assert!(matches!(&of("Huyện Hà Quảng").baseline, Baseline::Merged { continues: Some(u), .. } if u.0 == "ha-quang"));
    // The recomputed 2019 order of the nine with figures agrees with the printed ranks.
    let with_figures: Vec<_> = r19.units.iter().filter(|u| u.total_exact.is_some()).collect();
    for pair in with_figures.windows(2) {
        assert!(pair[0].total_exact >= pair[1].total_exact, "{} / {}", pair[0].name, pair[1].name);
    }
}

#[test]
fn the_data_files_hold_exactly_what_the_report_prints() {
    let data = dataset();
    let printed = seed::read_dir(&data_dir().join("seed"), &data.registry, &data.frameworks).unwrap();
    let mut checked = 0;
    for period in &data.periods {
        let (fw, r) = data.results(period.year, &period.kind).unwrap();
        for u in r.units.iter().filter(|u| !u.scores.is_empty()) {
            for (i, c) in fw.criteria.iter().enumerate() {
                let Some(p) = printed.value(&u.unit, period.year, &c.id.0) else { continue };
                if c.is_leaf() {
                    assert_eq!(u.presented(fw, i), Some(p), "{} {} {}", period.year, u.name, c.id);
                    checked += 1;
                }
            }
        }
    }
    // 20 departments × 6 groups × 2 years + 9 districts × 7 groups × 2 years.
    assert_eq!(checked, 20 * 6 * 2 + 9 * 7 * 2);
}

#[test]
fn the_importer_reports_every_value_printed_two_ways() {
    let data = dataset();
    let printed = seed::read_dir(&data_dir().join("seed"), &data.registry, &data.frameworks).unwrap();
    let conflicts = printed.conflicts();
    assert_eq!(conflicts.len(), 20);
    let find = |unit: &str, year: i32, criterion: &str| {
        conflicts
            .iter()
            .find(|c| c.unit.0 == unit && c.year == year && c.criterion == criterion)
            .map(|c| c.values.iter().map(|(v, s)| (v.to_string(), s.table.clone())).collect::<Vec<_>>())
    };
    assert_eq!(
        find("thanh-pho-cao-bang", 2020, "interaction").unwrap(),
        [("22.25".into(), "bang08".into()), ("22.50".into(), "bang13".into()), ("22.50".into(), "bang15".into())]
    );
    assert_eq!(find("hoa-an", 2020, "interaction").unwrap()[0], ("18.86".into(), "bang08".into()));
    // Bảng 16's header says 2019/2018 for what are 2020/2019 values: its "2019" clashes with Bảng 13.
    assert!(find("quang-uyen", 2019, "transaction").is_some());
    // No department value is printed two ways.
    assert!(conflicts.iter().all(|c| data.registry.get(&c.unit).unwrap().kind == "district"));
    // "Huyện Quảng Uyên" printed for Quảng Hòa in Bảng 9, 14 and 17.
    let renamed: Vec<&str> = printed.renamed.iter().map(|(_, s)| s.table.as_str()).collect();
    assert_eq!(renamed, ["bang09", "bang14", "bang17"]);
}
