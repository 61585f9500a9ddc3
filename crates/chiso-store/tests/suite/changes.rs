//! The change counter several servers follow, on SQLite and PostgreSQL: it moves with every
//! recorded change, and the changes between two readings name only what caches depend on
//! (publications, documents, periods), in order.

use chiso_store::{NewEvent, Store};
use chiso_testkit::db as common;

async fn counter(store: &Store) {
    let start = store.change_seq().await.unwrap();
    store.put_document("units.toml", "# đơn vị\n", "admin", "tải lên").await.unwrap();
    let ev = |action: &str, entity: &str| NewEvent::new("admin", action, entity, "", "x", "");
    store.record(&ev("answer.set", "answer/2021/department/so-y-te/infra")).await.unwrap();
    store.record(&ev("results.publish", "results/2021/department")).await.unwrap();
    store.record(&ev("token.issue", "user/admin")).await.unwrap();
    let head = store.change_seq().await.unwrap();
    assert_eq!(head, start + 4, "every recorded change moves the counter");

    let changes = store.changes_between(start, head).await.unwrap();
    let seen: Vec<(&str, &str, Option<i32>)> =
        changes.iter().map(|c| (c.action.as_str(), c.entity.as_str(), c.year())).collect();
    assert_eq!(
        seen,
        [("document.put", "document/units.toml", None), ("results.publish", "results/2021/department", Some(2021))],
        "only what caches depend on"
    );
    assert_eq!(changes.iter().map(|c| c.seq).collect::<Vec<_>>(), [start + 1, start + 3]);
    assert!(store.changes_between(head, head).await.unwrap().is_empty());
    assert_eq!(store.changes_between(start + 1, start + 2).await.unwrap(), [], "bounded by both ends");
    assert!(!store.is_closed());
}

#[tokio::test]
async fn the_change_counter_on_sqlite() {
    counter(&common::sqlite().await.store).await;
}

#[tokio::test]
async fn the_change_counter_on_postgres() {
    let Some(db) = common::postgres().await else { return };
    counter(&db.store).await;
    db.store.close().await;
    assert!(db.store.is_closed());
}
