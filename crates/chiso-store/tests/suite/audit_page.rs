//! The audit log at national size, on SQLite and PostgreSQL: pages newest first with links
//! both ways, filters an auditor asks for, and the chain verified from its checkpoint while
//! a broken link is still reported (by the page after the checkpoint, by the full
//! verification before it).

use chiso_store::{AuditCursor, AuditFilter, NewEvent, Store};
use chiso_testkit::db as common;

fn ev(actor: &str, action: &str, entity: &str, new: &str) -> NewEvent {
    NewEvent::new(actor, action, entity, "", new, "")
}

/// 30 events: answers of two units over two years by two people, and some documents.
async fn fill(store: &Store) {
    for i in 0..30 {
        let (actor, action, entity) = match i % 3 {
            0 => ("bao.cao", "answer.set", format!("answer/{}/department/so-y-te/infra", 2020 + i % 2)),
            1 => ("bao.cao", "answer.set", format!("answer/{}/department/so-y-te-moi/infra", 2020 + i % 2)),
            _ => ("admin", "document.put", format!("document/d{i}")),
        };
        store.record(&ev(actor, action, &entity, &i.to_string())).await.unwrap();
    }
}

fn seqs(p: &chiso_store::AuditPage) -> Vec<i64> {
    p.events.iter().map(|e| e.seq).collect()
}

async fn pages(store: &Store) {
    fill(store).await;
    let all = AuditFilter::default();
    let first = store.audit_page(&all, AuditCursor::Newest, 12).await.unwrap();
    assert_eq!(seqs(&first), (19..=30).rev().collect::<Vec<_>>());
    assert_eq!((first.older, first.newer), (Some(19), None));
    let second = store.audit_page(&all, AuditCursor::Before(19), 12).await.unwrap();
    assert_eq!(seqs(&second), (7..=18).rev().collect::<Vec<_>>());
    assert_eq!((second.older, second.newer), (Some(7), Some(18)));
    let last = store.audit_page(&all, AuditCursor::Before(7), 12).await.unwrap();
    assert_eq!(seqs(&last), (1..=6).rev().collect::<Vec<_>>());
    assert_eq!((last.older, last.newer), (None, Some(6)));
    // Back from the last page: the same second page, newest first.
    let back = store.audit_page(&all, AuditCursor::After(6), 12).await.unwrap();
    assert_eq!(seqs(&back), seqs(&second));
    assert_eq!((back.older, back.newer), (Some(7), Some(18)));

    // A unit exactly: so-y-te, not so-y-te-moi; across pages.
    let unit = AuditFilter { unit: Some("so-y-te".into()), ..Default::default() };
    let p = store.audit_page(&unit, AuditCursor::Newest, 4).await.unwrap();
    assert_eq!(seqs(&p), vec![28, 25, 22, 19]);
    assert!(p.events.iter().all(|e| e.entity.contains("/so-y-te/")));
    let p = store.audit_page(&unit, AuditCursor::Before(19), 100).await.unwrap();
    assert_eq!(seqs(&p), vec![16, 13, 10, 7, 4, 1]);
    assert_eq!((p.older, p.newer), (None, Some(16)));

    // A year, an actor, an action, combined.
    let year = AuditFilter { year: Some(2021), unit: Some("so-y-te-moi".into()), ..Default::default() };
    let p = store.audit_page(&year, AuditCursor::Newest, 100).await.unwrap();
    // i % 3 == 1 and i odd: i = 1, 7, 13, 19, 25 → seq i + 1.
    assert_eq!(seqs(&p), vec![26, 20, 14, 8, 2]);
    let admin = AuditFilter { actor: Some("admin".into()), action: Some("document.put".into()), ..Default::default() };
    let p = store.audit_page(&admin, AuditCursor::Newest, 100).await.unwrap();
    assert_eq!(p.events.len(), 10);
    assert!(p.events.iter().all(|e| e.actor == "admin"));
    let nobody = AuditFilter { actor: Some("khach".into()), ..Default::default() };
    let p = store.audit_page(&nobody, AuditCursor::Newest, 100).await.unwrap();
    assert!(p.events.is_empty() && p.older.is_none() && p.newer.is_none());

    // Days: every event is today (UTC); yesterday and before holds none.
    let today = chiso_store::now_utc()[..10].to_string();
    let on = AuditFilter { from: Some(today.clone()), to: Some(today), ..Default::default() };
    assert_eq!(store.audit_page(&on, AuditCursor::Newest, 100).await.unwrap().events.len(), 30);
    let before = AuditFilter { to: Some("2000-01-01".into()), ..Default::default() };
    assert!(store.audit_page(&before, AuditCursor::Newest, 100).await.unwrap().events.is_empty());
    // The entity prefix (the API's older parameter) still narrows.
    let docs = AuditFilter { prefix: "document/".into(), ..Default::default() };
    assert_eq!(store.audit_page(&docs, AuditCursor::Newest, 100).await.unwrap().events.len(), 10);
}

async fn checkpoint(db: &common::TestDb) {
    let store = &db.store;
    fill(store).await;
    // No checkpoint yet: everything is verified, and the checkpoint set at the end.
    let s = store.verify_chain_since_checkpoint().await.unwrap().unwrap();
    assert_eq!((s.events, s.checked, s.since), (30, 30, 0));
    store.record(&ev("admin", "document.put", "document/late", "x")).await.unwrap();
    store.record(&ev("admin", "document.put", "document/later", "y")).await.unwrap();
    // Only the two new events are read.
    let s = store.verify_chain_since_checkpoint().await.unwrap().unwrap();
    assert_eq!((s.events, s.checked, s.since), (32, 2, 30));

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    // An event older than the checkpoint altered: the page's verification does not read it,
    // the full one (`chiso verify`) finds it.
    sqlx::query("UPDATE audit SET new_value = 'sua' WHERE seq = 5").execute(&pool).await.unwrap();
    assert!(store.verify_chain_since_checkpoint().await.unwrap().is_ok());
    assert_eq!(store.verify_chain().await.unwrap().unwrap_err().seq, 5);
    sqlx::query("UPDATE audit SET new_value = '4' WHERE seq = 5").execute(&pool).await.unwrap();
    assert_eq!(store.verify_chain().await.unwrap(), Ok(32));

    // An event newer than the checkpoint altered: the page finds it.
    store.record(&ev("admin", "document.put", "document/x", "1")).await.unwrap();
    store.record(&ev("admin", "document.put", "document/y", "2")).await.unwrap();
    sqlx::query("UPDATE audit SET reason = 'sua' WHERE seq = 34").execute(&pool).await.unwrap();
    let e = store.verify_chain_since_checkpoint().await.unwrap().unwrap_err();
    assert_eq!(e.seq, 34);
    // The checkpoint did not move past the broken link: it is found again.
    assert_eq!(store.verify_chain_since_checkpoint().await.unwrap().unwrap_err().seq, 34);
    sqlx::query("UPDATE audit SET reason = '' WHERE seq = 34").execute(&pool).await.unwrap();
    assert_eq!(store.verify_chain_since_checkpoint().await.unwrap().unwrap().checked, 2);

    // The checkpoint's own event altered (or a database restored under it): it no longer
    // matches, and the whole chain is verified again.
    sqlx::query("UPDATE audit SET hash = 'x' WHERE seq = 34").execute(&pool).await.unwrap();
    assert_eq!(store.verify_chain_since_checkpoint().await.unwrap().unwrap_err().seq, 34);
    pool.close().await;
}

on_both!(audit_pages_on_sqlite, audit_pages_on_postgres: pages(store));

on_both!(audit_checkpoint_on_sqlite, audit_checkpoint_on_postgres: checkpoint(db));

/// A unit's events when its periods are stored (SQLite then reads them through the entity
/// index): every kind of entity about the unit, exactly, newest first, both ways, and with a
/// year; the same pages as filtering the whole log by hand.
async fn unit_pages_with_periods(store: &Store) {
    use chiso_domain::PeriodStatus;
    for year in [2020, 2021] {
        let p = chiso_store::PeriodRow {
            year,
            kind: "department".into(),
            framework: "f".into(),
            deadline: None,
            status: PeriodStatus::Open,
        };
        store.create_period(&p, "admin").await.unwrap();
    }
    fill(store).await;
    for entity in [
        "submission/2021/department/so-y-te",
        "comment/2020/department/so-y-te/infra",
        "evidence/2021/department/so-y-te/7",
        "submission/2021/department/so-y-te-moi",
        "answer/2021/department/so-y-t/infra",
    ] {
        store.record(&ev("bao.cao", "x.set", entity, "1")).await.unwrap();
    }
    let all = store.audit_events("").await.unwrap();
    let of = |year: Option<i32>| -> Vec<i64> {
        let mut v: Vec<i64> = all
            .iter()
            .filter(|e| {
                let parts: Vec<&str> = e.entity.split('/').collect();
                parts.len() >= 4
                    && parts[3] == "so-y-te"
                    && ["answer", "comment", "evidence", "submission"].contains(&parts[0])
                    && year.is_none_or(|y| parts[1] == y.to_string())
            })
            .map(|e| e.seq)
            .collect();
        v.reverse();
        v
    };
    let unit = AuditFilter { unit: Some("so-y-te".into()), ..Default::default() };
    let expected = of(None);
    assert_eq!(expected.len(), 13, "ten answers, a submission, a comment, an evidence");
    let first = store.audit_page(&unit, AuditCursor::Newest, 5).await.unwrap();
    assert_eq!(seqs(&first), expected[..5]);
    let next = store.audit_page(&unit, AuditCursor::Before(first.older.unwrap()), 100).await.unwrap();
    assert_eq!(seqs(&next), expected[5..]);
    let back = store.audit_page(&unit, AuditCursor::After(next.newer.unwrap()), 5).await.unwrap();
    assert_eq!(seqs(&back), seqs(&first));
    let in_2021 = AuditFilter { unit: Some("so-y-te".into()), year: Some(2021), ..Default::default() };
    assert_eq!(seqs(&store.audit_page(&in_2021, AuditCursor::Newest, 100).await.unwrap()), of(Some(2021)));
}

on_both!(unit_pages_with_periods_on_sqlite, unit_pages_with_periods_on_postgres: unit_pages_with_periods(store));
