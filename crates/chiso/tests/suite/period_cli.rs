//! `chiso period …` on a seeded database goes through the same commands as the
//! administrator's page: the same refusals (a deadline already past, a period that exists,
//! publishing without a reason), the units still missing in Vietnamese order, a publication
//! that becomes the next version.

use crate::command::{run_on as run, text};
use chiso_store::Store;

/// A date `days` from today in Vietnam as `YYYY-MM-DD`.
fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    chiso_domain::date::Date::from_unix(now + 7 * 3600 + days * 86_400).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn periods_are_opened_listed_chased_and_published_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    let store = Store::open(&db).await.unwrap();
    chiso_app::seed::bootstrap(&store, &dir.path().join("data"), chiso_app::seed::Start::Demo).await.unwrap();
    store.close().await;

    let list = run(dir.path(), &db, &["period", "list"]);
    assert!(list.status.success(), "{}", text(&list));
    let lines: Vec<String> = String::from_utf8_lossy(&list.stdout).lines().map(str::to_string).collect();
    assert!(lines.contains(&"2020\tdepartment\tcao-bang-1513-department\t\tpublished\t1".to_string()), "{lines:?}");

    let fw = "cao-bang-1513-department";
    let past = run(dir.path(), &db, &["period", "open", "2021", "--framework", fw, "--deadline", &in_days(-1)]);
    assert!(!past.status.success());
    assert!(text(&past).contains("Hạn nộp đã qua"), "{}", text(&past));
    let deadline = in_days(30);
    let open = run(dir.path(), &db, &["period", "open", "2021", "--framework", fw, "--deadline", &deadline]);
    assert!(open.status.success(), "{}", text(&open));
    assert!(text(&open).contains(&format!("Đã mở kỳ đánh giá 2021 (department), hạn nộp {deadline}")));
    let again = run(dir.path(), &db, &["period", "open", "2021", "--framework", fw, "--deadline", &deadline]);
    assert!(!again.status.success(), "a period that exists is opened twice");
    let english =
        run(dir.path(), &db, &["--lang", "en", "period", "open", "2021", "--framework", "x", "--deadline", &deadline]);
    assert!(text(&english).contains("not found"), "{}", text(&english));

    let missing = run(dir.path(), &db, &["period", "missing", "2021", "department"]);
    assert!(missing.status.success(), "{}", text(&missing));
    let rows: Vec<String> = String::from_utf8_lossy(&missing.stdout).lines().map(str::to_string).collect();
    assert_eq!(rows[0], "unit,name,status,deadline");
    assert_eq!(rows.len(), 1 + 20, "every department of 2021 is missing");
    assert_eq!(rows[1], format!("ban-dan-toc,Ban Dân tộc,none,{deadline}"), "Vietnamese order, “Ban” first");
    assert!(rows.iter().any(|r| r.starts_with("so-y-te,Sở Y tế,none,")));

    // The open 2021 period: publishing it before its deadline with every unit missing is
    // refused unless asked for on purpose, and then said in the trail.
    let early = run(dir.path(), &db, &["period", "publish", "2021", "department", "--reason", "Thử"]);
    assert!(!early.status.success());
    assert!(text(&early).contains("còn 20 đơn vị chưa nộp"), "{}", text(&early));
    let early = run(dir.path(), &db, &["period", "publish", "2021", "department", "--reason", "Thử", "--early"]);
    assert!(early.status.success(), "{}", text(&early));

    let no_reason = run(dir.path(), &db, &["period", "publish", "2020", "department", "--reason", " "]);
    assert!(!no_reason.status.success());
    assert!(text(&no_reason).contains("Cần ghi lý do"), "{}", text(&no_reason));
    let publish = run(dir.path(), &db, &["period", "publish", "2020", "department", "--reason", "Công bố lại"]);
    assert!(publish.status.success(), "{}", text(&publish));
    assert!(text(&publish).contains("phiên bản 2"), "{}", text(&publish));

    let store = Store::open(&db).await.unwrap();
    let events = store.audit_events("").await.unwrap();
    assert!(events.iter().any(|e| e.actor == "cli" && e.reason == "Công bố lại"), "the publication is on the record");
    assert!(
        events.iter().any(|e| e.reason.starts_with("Thử [công bố khi còn 20 đơn vị chưa nộp")),
        "early, and said so"
    );
    store.close().await;
}

/// A period opened by mistake is removed from the command line with a reason on the record;
/// one with published results stays, and the refusal says why.
#[tokio::test(flavor = "multi_thread")]
async fn an_empty_period_is_removed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    let store = Store::open(&db).await.unwrap();
    chiso_app::seed::bootstrap(&store, &dir.path().join("data"), chiso_app::seed::Start::Demo).await.unwrap();
    store.close().await;
    let fw = "cao-bang-1513-department";
    let open = run(dir.path(), &db, &["period", "open", "2021", "--framework", fw, "--deadline", &in_days(30)]);
    assert!(open.status.success(), "{}", text(&open));

    // A past year as history, without a deadline; neither a deadline nor history: refused.
    let history = run(dir.path(), &db, &["period", "open", "2022", "--framework", fw, "--history"]);
    assert!(history.status.success(), "{}", text(&history));
    assert!(text(&history).contains("Đã mở kỳ đánh giá 2022 (department) làm kỳ lịch sử"), "{}", text(&history));
    let neither = run(dir.path(), &db, &["period", "open", "2023", "--framework", fw]);
    assert!(!neither.status.success(), "{}", text(&neither));
    let list = run(dir.path(), &db, &["period", "list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("2022\tdepartment\tcao-bang-1513-department\t\topen"));
    let removed = run(dir.path(), &db, &["period", "remove", "2022", "department", "--reason", "Thử"]);
    assert!(removed.status.success(), "{}", text(&removed));

    let published = run(dir.path(), &db, &["period", "remove", "2020", "department", "--reason", "Nhầm"]);
    assert!(!published.status.success());
    assert!(text(&published).contains("Không xoá được kỳ đánh giá đã có dữ liệu"), "{}", text(&published));
    let english = run(dir.path(), &db, &["--lang", "en", "period", "remove", "2020", "department", "--reason", "x"]);
    assert!(text(&english).contains("cannot be removed"), "{}", text(&english));

    let removed = run(dir.path(), &db, &["period", "remove", "2021", "department", "--reason", "Mở nhầm năm"]);
    assert!(removed.status.success(), "{}", text(&removed));
    assert!(text(&removed).contains("Đã xoá kỳ đánh giá 2021 (department)"), "{}", text(&removed));
    let list = run(dir.path(), &db, &["period", "list"]);
    assert!(!String::from_utf8_lossy(&list.stdout).contains("2021\t"), "{}", text(&list));

    let store = Store::open(&db).await.unwrap();
    let events = store.audit_events("period/2021/").await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str(), last.reason.as_str()),
        ("period.remove", "cli", "Mở nhầm năm")
    );
    assert!(store.period(2020, "department").await.unwrap().is_some());
    store.close().await;
}
