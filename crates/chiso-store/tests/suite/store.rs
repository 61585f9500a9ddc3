use chiso_testkit::db as common;

use chiso_domain::Transition;

use chiso_store::{NewEvent, PeriodRow, Role, Store, StoreError};

async fn story(store: &Store) {
    // Users with units.
    let id = store.create_user("bao.cao", "hash", Role::Reporter, &["so-y-te".into()], "admin", false).await.unwrap();
    assert!(matches!(
        store.create_user("bao.cao", "x", Role::Viewer, &[], "admin", false).await,
        Err(StoreError::Conflict(_))
    ));
    let u = store.user_by_name("bao.cao").await.unwrap().unwrap();
    assert_eq!((u.id, u.role, u.units.clone()), (id, Role::Reporter, vec!["so-y-te".to_string()]));

    // Sessions expire and die with a password reset.
    store.create_session("h1", id, "csrf1", 3600).await.unwrap();
    store.create_session("h2", id, "csrf2", -1).await.unwrap();
    assert_eq!(store.session("h1").await.unwrap().unwrap().1, "csrf1");
    assert!(store.session("h2").await.unwrap().is_none());
    store.set_password("bao.cao", "hash2", "admin", false).await.unwrap();
    assert!(store.session("h1").await.unwrap().is_none());

    // A password the system gives is to be changed first: on the user, their sessions and
    // their tokens' user; one they choose clears it.
    let one_time = |name: &str| {
        let name = name.to_string();
        async move { store.user_by_name(&name).await.unwrap().unwrap().must_change_password }
    };
    assert!(!one_time("bao.cao").await);
    store.create_user("moi", "h", Role::Viewer, &[], "admin", true).await.unwrap();
    assert!(one_time("moi").await);
    store.set_password("bao.cao", "hash3", "admin", true).await.unwrap();
    assert!(one_time("bao.cao").await);
    store.create_session("h3", id, "csrf3", 3600).await.unwrap();
    assert!(store.session("h3").await.unwrap().unwrap().0.must_change_password);
    store.issue_token("t3", id, "x", 3600, "admin").await.unwrap();
    assert!(store.user_by_token("t3").await.unwrap().unwrap().must_change_password);
    store.set_password("bao.cao", "hash4", "bao.cao", false).await.unwrap();
    assert!(!one_time("bao.cao").await);

    // A period, a draft, a submission, a verification: every change on the record.
    let p = PeriodRow {
        year: 2021,
        kind: "department".into(),
        framework: "f".into(),
        deadline: Some("2021-12-31".into()),
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&p, "admin").await.unwrap();
    assert_eq!(store.period(2021, "department").await.unwrap().unwrap(), p);
    let a = |f: &str, v: &str| chiso_store::NewAnswer::new(f, v, "");
    store
        .save_answers(&common::submission("so-y-te"), &[a("infra", "7"), a("app", "14,5")], None, "bao.cao", "")
        .await
        .unwrap();
    store.save_answers(&common::submission("so-y-te"), &[a("infra", "7.5")], None, "bao.cao", "").await.unwrap();
    store.transition(&common::submission("so-y-te"), Transition::Submit, "bao.cao", "").await.unwrap();
    // Once submitted, a draft save is refused and changes nothing.
    let refused = store.save_answers(&common::submission("so-y-te"), &[a("infra", "8")], None, "bao.cao", "").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))));
    store
        .verify_answer(2021, "department", "so-y-te", "infra", Some("6"), "tham.dinh", "Không có minh chứng máy chủ")
        .await
        .unwrap();
    let answers = store.answers(2021, "department", "so-y-te").await.unwrap();
    let infra = answers.iter().find(|r| r.field == "infra").unwrap();
    assert_eq!((infra.value.as_str(), infra.effective()), ("7.5", "6"));
    let trail = store.audit_events("answer/2021/department/so-y-te/infra").await.unwrap();
    let changes: Vec<(&str, &str, &str, &str)> = trail
        .iter()
        .map(|e| (e.actor.as_str(), e.old_value.as_str(), e.new_value.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("bao.cao", "", "7", ""),
            ("bao.cao", "7", "7.5", ""),
            ("tham.dinh", "7.5", "6", "Không có minh chứng máy chủ")
        ]
    );

    // Snapshots are versioned.
    assert_eq!(store.publish(2021, "department", "{\"v\":1}", "Công bố", "admin").await.unwrap(), 1);
    assert_eq!(store.publish(2021, "department", "{\"v\":2}", "Sửa số liệu Sở Y tế", "admin").await.unwrap(), 2);
    let s = store.latest_snapshot(2021, "department").await.unwrap().unwrap();
    assert_eq!((s.version, s.results.as_str(), s.reason.as_str()), (2, "{\"v\":2}", "Sửa số liệu Sở Y tế"));
    // The units the latest version names, read by the database, in the document's order.
    assert_eq!(store.snapshot_units(2021, "department").await.unwrap(), Vec::<String>::new());
    let doc = r#"{"period": 2021, "results": [{"unit": "Sở Y tế", "rank": 2}, {"unit": "Ban Dân tộc \"mới\""},
        {"unit": "Sở Tư pháp", "scores": {"a": "1"}}]}"#;
    assert_eq!(store.publish(2021, "department", doc, "Đính chính", "admin").await.unwrap(), 3);
    assert_eq!(
        store.snapshot_units(2021, "department").await.unwrap(),
        ["Sở Y tế", "Ban Dân tộc \"mới\"", "Sở Tư pháp"]
    );
    assert!(store.snapshot_units(2022, "department").await.unwrap().is_empty(), "not published");
    assert_eq!(store.period(2021, "department").await.unwrap().unwrap().status, chiso_domain::PeriodStatus::Published);

    // The chain verifies, and documents round-trip.
    store.put_document("units.toml", "[[unit]]", "admin", "seed").await.unwrap();
    assert_eq!(store.document("units.toml").await.unwrap().as_deref(), Some("[[unit]]"));
    store
        .record(&NewEvent {
            actor: "a".into(),
            action: "x".into(),
            entity: "e".into(),
            old: "".into(),
            new: "".into(),
            reason: "".into(),
            detail: "".into(),
        })
        .await
        .unwrap();
    let n = store.verify_chain().await.unwrap().unwrap();
    assert!(n >= 10, "{n}");
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

/// Tampering with any past event is found, at that event.
async fn tamper(db: &common::TestDb) {
    let store = &db.store;
    for i in 0..5 {
        store.put_document(&format!("d{i}"), "x", "admin", "").await.unwrap();
    }
    assert_eq!(store.verify_chain().await.unwrap(), Ok(5));
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE audit SET new_value = 'y' WHERE seq = 3").execute(&pool).await.unwrap();
    let e = store.verify_chain().await.unwrap().unwrap_err();
    assert_eq!(e.seq, 3);
    sqlx::query("DELETE FROM audit WHERE seq = 5").execute(&pool).await.unwrap();
    sqlx::query("UPDATE audit SET new_value = 'x' WHERE seq = 3").execute(&pool).await.unwrap();
    let e = store.verify_chain().await.unwrap().unwrap_err();
    assert_eq!(e.seq, 5);
    pool.close().await;
}

on_both!(the_story_on_sqlite, the_story_on_postgres: story(store));

on_both!(a_tampered_chain_is_found_on_sqlite, a_tampered_chain_is_found_on_postgres: tamper(db));

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let db = common::sqlite().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = db.store.clone();
        tasks.push(tokio::spawn(async move { s.put_document(&format!("c{i}"), "v", "u", "").await.unwrap() }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(db.store.verify_chain().await.unwrap(), Ok(40));
}

/// A unit's trail is its own: `so-y-te` does not see `so-y-te-moi` (whose id begins with
/// it), nor a unit whose id holds LIKE wildcards.
async fn trail_is_exact(store: &Store) {
    store.create_period(&common::period(), "admin").await.unwrap();
    for (unit, value) in [("so-y-te", "1"), ("so-y-te-moi", "2"), ("so_y_te", "3")] {
        let answers = [chiso_store::NewAnswer::new("infra", value.to_string(), "")];
        store.save_answers(&common::submission(unit), &answers, None, "bcv", "").await.unwrap();
    }
    let trail = store.unit_events("so-y-te").await.unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!(trail[0].entity, "answer/2021/department/so-y-te/infra");
    assert_eq!(store.unit_events("so_y_te").await.unwrap().len(), 1);
    assert_eq!(store.unit_events("so%").await.unwrap().len(), 0);
    assert_eq!(store.audit_events("answer/2021/department/so_").await.unwrap().len(), 1);
}

on_both!(a_units_trail_matches_it_exactly_on_sqlite, a_units_trail_matches_it_exactly_on_postgres: trail_is_exact(store));

/// A unit's reporter takes back a wrong file: the row goes, the trail says which file it was
/// and who took it back, and the replay of the trail still matches the database.
async fn evidence_taken_back(store: &Store) {
    let e = chiso_store::EvidenceRow {
        id: 0,
        criterion: "infra".into(),
        sha256: "ab".repeat(32),
        filename: "Biên bản nhầm.pdf".into(),
        content_type: "application/pdf".into(),
        size: 10,
        uploaded_by: "bao.cao".into(),
        at: String::new(),
    };
    let kept = store.add_evidence(2021, "department", "so-y-te", &e).await.unwrap();
    let wrong = store.add_evidence(2021, "department", "so-y-te", &e).await.unwrap();
    store.delete_evidence(wrong, "bao.cao").await.unwrap();
    let left = store.evidence(2021, "department", "so-y-te").await.unwrap();
    assert_eq!(left.iter().map(|x| x.id).collect::<Vec<_>>(), vec![kept], "one of two equal files taken back");
    let events = store.audit_events("evidence/").await.unwrap();
    let last = events.last().unwrap();
    assert_eq!((last.action.as_str(), last.actor.as_str()), ("evidence.delete", "bao.cao"));
    assert!(last.old_value.contains("Biên bản nhầm.pdf"), "{}", last.old_value);
    assert!(matches!(store.delete_evidence(wrong, "bao.cao").await, Err(chiso_store::StoreError::NotFound)));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![], "the trail still accounts for every row");
    assert!(store.verify_chain().await.unwrap().is_ok());
}

on_both!(evidence_taken_back_on_sqlite, evidence_taken_back_on_postgres: evidence_taken_back(store));

/// A reporter's "submit" saves the figures and moves the submission in one transaction: a
/// move the workflow refuses leaves the figures as they were.
async fn submit_is_one_write(store: &Store) {
    let period = PeriodRow {
        year: 2021,
        kind: "department".into(),
        framework: "f".into(),
        deadline: Some("2099-12-31".into()),
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&period, "admin").await.unwrap();
    let k = common::submission("so-y-te");
    let figures = |v: &str| vec![chiso_store::NewAnswer::new("infra", v, "")];
    store.save_answers(&k, &figures("7"), None, "bao.cao", "").await.unwrap();
    // Verifying is not the reporter's move from a draft: refused, and the new figure not kept.
    let refused = store.save_and_transition(&k, &figures("8"), Transition::Verify, "bao.cao", "x").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    let stored = store.answers(2021, "department", "so-y-te").await.unwrap();
    assert_eq!(stored[0].value, "7", "nothing of the refused write is kept");
    let to = store.save_and_transition(&k, &figures("8"), Transition::Submit, "bao.cao", "Nộp báo cáo").await.unwrap();
    assert_eq!(to, chiso_domain::SubmissionStatus::Submitted);
    assert_eq!(store.answers(2021, "department", "so-y-te").await.unwrap()[0].value, "8");
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![], "both on the record");
}

on_both!(submit_is_one_write_on_sqlite, submit_is_one_write_on_postgres: submit_is_one_write(store));

/// A period opened by mistake goes, with its units' extensions, while it holds nothing; one
/// with a draft stays, and says so. The replay of the trail still matches the database.
async fn empty_period_removed(store: &Store) {
    let period = |year| PeriodRow {
        year,
        kind: "department".into(),
        framework: "f".into(),
        deadline: Some("2099-12-31".into()),
        status: chiso_domain::PeriodStatus::Open,
    };
    store.create_period(&period(2030), "admin").await.unwrap();
    store.create_period(&period(2021), "admin").await.unwrap();
    store.put_document("exception/2030/department/so-y-te", "2100-01-31", "admin", "gia hạn").await.unwrap();
    store.put_document("exception/2021/department/so-y-te", "2100-01-31", "admin", "gia hạn").await.unwrap();
    let answers = [chiso_store::NewAnswer::new("infra", "1", "")];
    store.save_answers(&common::submission("so-y-te"), &answers, None, "bcv", "").await.unwrap();

    let used = store.remove_period(2021, "department", "admin", "mở nhầm").await.unwrap();
    assert_eq!(used.submissions, 1, "{used:?}");
    assert!(store.period(2021, "department").await.unwrap().is_some(), "a period with a draft stays");

    let used = store.remove_period(2030, "department", "admin", "mở nhầm năm").await.unwrap();
    assert!(used.is_empty(), "{used:?}");
    assert!(store.period(2030, "department").await.unwrap().is_none());
    assert_eq!(store.documents("exception/2030/").await.unwrap(), vec![], "its extensions go with it");
    assert_eq!(store.documents("exception/2021/").await.unwrap().len(), 1, "another period's stay");
    let last = store.audit_events("period/2030/").await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str(), last.reason.as_str()),
        ("period.remove", "admin", "mở nhầm năm")
    );
    assert!(last.old_value.contains("2099-12-31"), "{}", last.old_value);
    assert!(matches!(store.remove_period(2030, "department", "admin", "x").await, Err(StoreError::NotFound)));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![], "the trail accounts for the removal");
    assert!(store.verify_chain().await.unwrap().is_ok());
    // The year can be opened again.
    store.create_period(&period(2030), "admin").await.unwrap();
}

on_both!(an_empty_period_is_removed_on_sqlite, an_empty_period_is_removed_on_postgres: empty_period_removed(store));

/// An administrator's import of many units is one write: a unit that left the draft state
/// refuses it whole; submitted on the units' behalf, each move is on the record.
async fn many_units_in_one_write(store: &Store) {
    store.create_period(&common::period(), "admin").await.unwrap();
    let figures = vec![chiso_store::NewAnswer::new("infra", "7", "")];
    store.save_answers(&common::submission("so-y-te"), &figures, None, "yte", "").await.unwrap();
    store.transition(&common::submission("so-y-te"), Transition::Submit, "yte", "Nộp").await.unwrap();
    let units = |names: &[&str]| -> Vec<_> { names.iter().map(|u| (common::submission(u), figures.clone())).collect() };
    let refused = store.save_units(&units(&["so-tu-phap", "so-y-te"]), Some("nộp thay"), "admin", "Excel").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    assert!(store.submission(2021, "department", "so-tu-phap").await.unwrap().is_none(), "nothing of it kept");
    store
        .save_units(&units(&["so-tu-phap", "so-noi-vu"]), Some("nộp thay: báo cáo tỉnh"), "admin", "Excel")
        .await
        .unwrap();
    for unit in ["so-tu-phap", "so-noi-vu"] {
        let s = store.submission(2021, "department", unit).await.unwrap().unwrap();
        assert_eq!(s.status, chiso_domain::SubmissionStatus::Submitted);
        let last = store.audit_events(&format!("submission/2021/department/{unit}")).await.unwrap().pop().unwrap();
        assert_eq!((last.actor.as_str(), last.reason.as_str()), ("admin", "nộp thay: báo cáo tỉnh"));
    }
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);
    // A whole period's answers in one row per unit, the verified value counting; the N/A notes.
    let mixed = vec![
        chiso_store::NewAnswer::new("app", "N/A", "Không có phần mềm; \"dấu\" \u{1e}"),
        chiso_store::NewAnswer::new("web", "12,5", ""),
    ];
    store.save_units(&[(common::submission("so-xay-dung"), mixed)], None, "admin", "Excel").await.unwrap();
    store.verify_answer(2021, "department", "so-y-te", "infra", Some("6"), "thamdinh", "Theo biên bản").await.unwrap();
    let mut all = Vec::new();
    store.each_period_effective_answers(2021, "department", |unit, answers| all.push((unit, answers))).await.unwrap();
    assert!(all.is_sorted_by(|a, b| a.0 < b.0), "in unit order, each once");
    let of = |u: &str| {
        let mut a = all.iter().find(|(x, _)| x == u).unwrap().1.clone();
        a.sort();
        a
    };
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(of("so-y-te"), vec![("infra".to_string(), "6".to_string())]);
    assert_eq!(of("so-xay-dung"), vec![("app".into(), "N/A".into()), ("web".into(), "12,5".into())]);
    let notes = store.period_na_notes(2021, "department").await.unwrap();
    assert_eq!(notes, vec![("so-xay-dung".into(), "app".into(), "Không có phần mềm; \"dấu\" \u{1e}".into())]);
}

on_both!(many_units_in_one_write_on_sqlite, many_units_in_one_write_on_postgres: many_units_in_one_write(store));

/// An import larger than one statement (1,250 answers: two answer inserts) writes the rows
/// the same saves made one unit at a time write, each unit's changes on the record in one
/// event (every field's new value, its note, the draft it made), then each move: a chain
/// that verifies, a replay that agrees.
async fn a_large_import_records_each_units_changes_in_one_event(store: &Store, apart: &Store) {
    let units: Vec<(chiso_domain::SubmissionKey, Vec<chiso_store::NewAnswer>)> = (0..5)
        .map(|u| {
            let answers = (0..250)
                .map(|f| {
                    let note = if f % 50 == 0 { "Không áp dụng: \"chưa\"" } else { "" };
                    chiso_store::NewAnswer::new(format!("f{f:03}"), format!("{u}.{f}"), note)
                })
                .collect();
            (common::submission(&format!("don-vi-{u}")), answers)
        })
        .collect();
    for s in [store, apart] {
        s.create_period(&common::period(), "admin").await.unwrap();
    }
    store.save_units(&units, Some("nộp thay"), "admin", "Excel").await.unwrap();
    for (k, answers) in &units {
        apart.save_answers(k, answers, None, "admin", "Excel").await.unwrap();
        apart.transition(k, Transition::Submit, "admin", "nộp thay").await.unwrap();
    }
    let together = store.audit_events("").await.unwrap();
    let what: Vec<(&str, &str)> = together.iter().map(|e| (e.action.as_str(), e.entity.as_str())).collect();
    assert_eq!(what.len(), 1 + 5 + 5, "the period, each unit's answers, each move");
    assert_eq!(what[1], (chiso_store::ANSWERS_IMPORTED, "submission/2021/department/don-vi-0"));
    assert_eq!(what[2], ("submission.status", "submission/2021/department/don-vi-0"));
    let first = &together[1];
    assert_eq!((first.actor.as_str(), first.reason.as_str(), first.old_value.as_str()), ("admin", "Excel", "{}"));
    let new: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&first.new_value).unwrap();
    assert_eq!(new.len(), 250);
    assert_eq!((&new["f000"], &new["f249"]), (&serde_json::json!("0.0"), &serde_json::json!("0.249")));
    let detail: serde_json::Value = serde_json::from_str(&first.detail).unwrap();
    assert_eq!(detail["status"], "draft");
    assert_eq!(detail["notes"].as_object().unwrap().len(), 5, "the non-empty notes");
    assert_eq!(detail["notes"]["f050"], "Không áp dụng: \"chưa\"");
    assert_eq!(store.verify_chain().await.unwrap(), Ok(together.len()));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);
    let statuses =
        |subs: Vec<chiso_store::SubmissionRow>| -> Vec<_> { subs.into_iter().map(|s| (s.unit, s.status)).collect() };
    assert_eq!(
        statuses(store.submissions(2021, "department").await.unwrap()),
        statuses(apart.submissions(2021, "department").await.unwrap())
    );
    assert_eq!(
        store.period_answers(2021, "department").await.unwrap(),
        apart.period_answers(2021, "department").await.unwrap()
    );
    // The fields the period's answers name, each once, in order.
    let mut fields: Vec<String> =
        store.period_answers(2021, "department").await.unwrap().into_iter().map(|a| a.answer.field).collect();
    fields.sort();
    fields.dedup();
    assert!(!fields.is_empty());
    assert_eq!(store.period_fields(2021, "department").await.unwrap(), fields);
}

#[tokio::test]
async fn a_large_import_records_each_units_changes_in_one_event_on_sqlite() {
    let (one, two) = (common::sqlite().await, common::sqlite().await);
    a_large_import_records_each_units_changes_in_one_event(&one.store, &two.store).await;
}

#[tokio::test]
async fn a_large_import_records_each_units_changes_in_one_event_on_postgres() {
    if let (Some(one), Some(two)) = (common::postgres().await, common::postgres().await) {
        a_large_import_records_each_units_changes_in_one_event(&one.store, &two.store).await;
    }
}

/// An import of more units than the store saves at a time (600 units: three chunks) writes
/// what saves one unit at a time write, and a unit that left the draft state in its last
/// chunk refuses it whole: nothing of the earlier chunks is kept, the record unchanged.
async fn an_import_of_many_chunks_is_one_write(store: &Store, apart: &Store) {
    let units: Vec<(chiso_domain::SubmissionKey, Vec<chiso_store::NewAnswer>)> = (0..600)
        .map(|u| {
            let answers = vec![
                chiso_store::NewAnswer::new("infra", format!("{u}"), ""),
                chiso_store::NewAnswer::new("app", "N/A", if u % 7 == 0 { "chưa có" } else { "" }),
            ];
            (common::submission(&format!("don-vi-{u:03}")), answers)
        })
        .collect();
    for s in [store, apart] {
        s.create_period(&common::period(), "admin").await.unwrap();
    }
    let late = &units[550].0;
    store.save_answers(late, &units[550].1, None, "dv", "").await.unwrap();
    store.transition(late, Transition::Submit, "dv", "Nộp").await.unwrap();
    let before = store.audit_events("").await.unwrap();
    let refused = store.save_units(&units, None, "admin", "Excel").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    assert_eq!(store.audit_events("").await.unwrap(), before, "the record unchanged");
    assert_eq!(store.period_answers(2021, "department").await.unwrap().len(), 2, "only the late unit's answers");
    assert!(store.submission(2021, "department", "don-vi-000").await.unwrap().is_none());

    let without: Vec<_> = units.iter().filter(|(k, _)| k != late).cloned().collect();
    store.save_units(&without, Some("nộp thay"), "admin", "Excel").await.unwrap();
    apart.save_answers(late, &units[550].1, None, "dv", "").await.unwrap();
    apart.transition(late, Transition::Submit, "dv", "Nộp").await.unwrap();
    for (k, answers) in &without {
        apart.save_answers(k, answers, None, "admin", "Excel").await.unwrap();
        apart.transition(k, Transition::Submit, "admin", "nộp thay").await.unwrap();
    }
    let together = store.audit_events("").await.unwrap();
    let imported = together.iter().filter(|e| e.action == chiso_store::ANSWERS_IMPORTED).count();
    assert_eq!(
        (together.len(), imported),
        (1 + 3 + 599 * 2, 599),
        "the period, the late unit's save and move, each unit's answers and move"
    );
    assert_eq!(store.verify_chain().await.unwrap(), Ok(together.len()));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);
    assert_eq!(
        store.period_answers(2021, "department").await.unwrap(),
        apart.period_answers(2021, "department").await.unwrap()
    );
    let statuses =
        |subs: Vec<chiso_store::SubmissionRow>| -> Vec<_> { subs.into_iter().map(|s| (s.unit, s.status)).collect() };
    let stored = statuses(store.submissions(2021, "department").await.unwrap());
    assert_eq!(stored.len(), 600);
    assert_eq!(stored, statuses(apart.submissions(2021, "department").await.unwrap()));
}

#[tokio::test]
async fn an_import_of_many_chunks_is_one_write_on_sqlite() {
    let (one, two) = (common::sqlite().await, common::sqlite().await);
    an_import_of_many_chunks_is_one_write(&one.store, &two.store).await;
}

#[tokio::test]
async fn an_import_of_many_chunks_is_one_write_on_postgres() {
    if let (Some(one), Some(two)) = (common::postgres().await, common::postgres().await) {
        an_import_of_many_chunks_is_one_write(&one.store, &two.store).await;
    }
}

/// An import over the units' drafts (an administrator's corrected workbook) reads what they
/// hold: only the changed answers are written, on the record with their old values (one
/// event per unit), and a unit first seen gets its draft.
async fn an_import_over_drafts_records_only_the_changes(store: &Store) {
    store.create_period(&common::period(), "admin").await.unwrap();
    let answers = |infra: &str| {
        vec![chiso_store::NewAnswer::new("infra", infra, ""), chiso_store::NewAnswer::new("web", "12,5", "")]
    };
    store.save_units(&[(common::submission("so-y-te"), answers("7"))], None, "admin", "Excel").await.unwrap();
    let before = store.audit_events("submission/2021/department/").await.unwrap().len();
    let again = [(common::submission("so-y-te"), answers("7,5")), (common::submission("so-tu-phap"), answers("6"))];
    store.save_units(&again, None, "admin", "Excel sửa").await.unwrap();
    let events = store.audit_events("submission/2021/department/").await.unwrap();
    let new: Vec<_> = events[before..]
        .iter()
        .map(|e| (e.entity.as_str(), e.old_value.as_str(), e.new_value.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        new,
        vec![
            ("submission/2021/department/so-y-te", r#"{"infra":"7"}"#, r#"{"infra":"7,5"}"#, r#"{"notes":{}}"#),
            (
                "submission/2021/department/so-tu-phap",
                "{}",
                r#"{"infra":"6","web":"12,5"}"#,
                r#"{"notes":{},"status":"draft"}"#
            ),
        ]
    );
    assert!(events[before..].iter().all(|e| e.action == chiso_store::ANSWERS_IMPORTED && e.reason == "Excel sửa"));
    assert_eq!(store.replay().await.unwrap().discrepancies, vec![]);
}

on_both!(an_import_over_drafts_records_only_the_changes_on_sqlite, an_import_over_drafts_records_only_the_changes_on_postgres: an_import_over_drafts_records_only_the_changes(store));

/// The database itself keeps every answer with its submission, whatever writes to it (on
/// SQLite a foreign key, on PostgreSQL statement triggers, migrations 0008 and 0009): an
/// answer for a unit without a submission is refused, alone or among answers of a unit that
/// has one, and so is removing or re-keying a submission that has answers; an answer for an
/// existing submission is taken, and so is a status moved.
async fn answers_stay_with_their_submissions(db: &common::TestDb) {
    use sqlx::Executor;
    db.store.create_period(&common::period(), "admin").await.unwrap();
    let answers = [chiso_store::NewAnswer::new("infra", "1", "")];
    db.store.save_answers(&common::submission("so-y-te"), &answers, None, "bcv", "").await.unwrap();
    let raw = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let refused = [
        "INSERT INTO answers (year, kind, unit_id, field, value) VALUES (2021, 'department', 'so-khac', 'infra', '1')",
        "INSERT INTO answers (year, kind, unit_id, field, value) VALUES \
         (2021, 'department', 'so-y-te', 'web', '2'), (2021, 'department', 'so-khac', 'infra', '1')",
        "UPDATE answers SET unit_id = 'so-khac' WHERE unit_id = 'so-y-te'",
        "DELETE FROM submissions WHERE unit_id = 'so-y-te'",
        "UPDATE submissions SET unit_id = 'so-khac' WHERE unit_id = 'so-y-te'",
    ];
    for sql in refused {
        assert!(raw.execute(sql).await.is_err(), "refused: {sql}");
    }
    raw.execute(
        "INSERT INTO answers (year, kind, unit_id, field, value) VALUES (2021, 'department', 'so-y-te', 'web', '2')",
    )
    .await
    .unwrap();
    raw.execute("UPDATE submissions SET status = 'submitted' WHERE unit_id = 'so-y-te'").await.unwrap();
    raw.close().await;
    let fields: Vec<String> =
        db.store.answers(2021, "department", "so-y-te").await.unwrap().into_iter().map(|a| a.field).collect();
    assert_eq!(fields, ["infra", "web"]);
}

on_both!(answers_stay_with_their_submissions_on_sqlite, answers_stay_with_their_submissions_on_postgres: answers_stay_with_their_submissions(db));
