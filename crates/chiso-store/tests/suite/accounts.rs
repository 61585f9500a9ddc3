//! Login counters, API tokens, disabled users and user names, on SQLite and PostgreSQL.

use chiso_testkit::db as common;

use chiso_store::{Admission, Role, Store, StoreError, ThrottleKey};

fn keys(name: &str, addr: &str) -> Vec<ThrottleKey> {
    vec![
        ThrottleKey { key: format!("p:{name} {addr}"), username: Some(name.into()), threshold: 5 },
        ThrottleKey { key: format!("a:{addr}"), username: None, threshold: 50 },
        ThrottleKey { key: format!("u:{name}"), username: Some(name.into()), threshold: 50 },
    ]
}

/// Sixty simultaneous attempts: exactly five are let through to the password check, on any
/// backend and any interleaving; the rest are refused unchecked. Unlock lifts it at once.
async fn throttle(store: &Store) {
    store.create_user("admin", "h", Role::Admin, &[], "test", false).await.unwrap();
    let tasks: Vec<_> = (0..60)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.login_attempt(&keys("admin", "10.0.0.1")).await.unwrap() })
        })
        .collect();
    let mut admitted = 0;
    for t in tasks {
        if t.await.unwrap() == Admission::Admitted {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 5, "attempts checked past the limit");
    assert!(matches!(store.login_attempt(&keys("admin", "10.0.0.1")).await.unwrap(), Admission::Blocked { .. }));
    // Another address is not held back by this one's failures.
    assert_eq!(store.login_attempt(&keys("admin", "10.0.0.2")).await.unwrap(), Admission::Admitted);
    // A success clears the account's counters and refunds the address's one attempt.
    let k = keys("admin", "10.0.0.2");
    store.login_succeeded(&[k[0].clone(), k[2].clone()], &[k[1].clone()]).await.unwrap();
    // The administrator lifts the delays from the CLI; on the record.
    assert!(store.unlock_user("admin", "cli").await.unwrap() >= 1);
    assert_eq!(store.login_attempt(&keys("admin", "10.0.0.1")).await.unwrap(), Admission::Admitted);
    assert!(store.audit_events("user/admin").await.unwrap().iter().any(|e| e.action == "user.unlock"));
    // One address guessing across many names is held back too.
    for i in 0..49 {
        assert_eq!(store.login_attempt(&keys(&format!("u{i}"), "10.0.0.9")).await.unwrap(), Admission::Admitted);
    }
    assert_eq!(store.login_attempt(&keys("khac", "10.0.0.9")).await.unwrap(), Admission::Admitted, "the 50th");
    assert!(matches!(store.login_attempt(&keys("moi", "10.0.0.9")).await.unwrap(), Admission::Blocked { .. }));
}

#[tokio::test(flavor = "multi_thread")]
async fn simultaneous_logins_are_counted_before_checking_on_sqlite() {
    let db = common::sqlite().await;
    assert!(db.url.starts_with("sqlite://"));
    throttle(&db.store).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn simultaneous_logins_are_counted_before_checking_on_postgres() {
    if let Some(db) = common::postgres().await {
        throttle(&db.store).await;
    }
}

/// Tokens expire, are revoked one by one, by a password reset and by disabling the user; the
/// record names them by id and never holds a token.
async fn tokens(store: &Store) {
    let id = store.create_user("may.chu", "h", Role::Viewer, &[], "admin", false).await.unwrap();
    let live = store.issue_token("a1".repeat(32).as_str(), id, "cổng", 3600, "admin").await.unwrap();
    assert_eq!(live, "a1a1a1a1a1a1");
    store.issue_token("b2".repeat(32).as_str(), id, "cũ", -1, "admin").await.unwrap();
    assert!(store.user_by_token(&"a1".repeat(32)).await.unwrap().is_some());
    assert!(store.user_by_token(&"b2".repeat(32)).await.unwrap().is_none(), "an expired token");
    let list = store.tokens().await.unwrap();
    assert_eq!(list.iter().map(|t| (t.id.as_str(), t.live())).collect::<Vec<_>>().len(), 2);
    assert!(list.iter().any(|t| t.id == "b2b2b2b2b2b2" && !t.live()));

    // Revoked by id.
    store.issue_token("c3".repeat(32).as_str(), id, "x", 3600, "admin").await.unwrap();
    store.revoke_token("c3c3c3c3c3c3", "admin").await.unwrap();
    assert!(store.user_by_token(&"c3".repeat(32)).await.unwrap().is_none(), "a revoked token");
    assert!(matches!(store.revoke_token("ffffffffffff", "admin").await, Err(StoreError::NotFound)));
    assert!(matches!(store.revoke_token("' OR 1=1 --", "admin").await, Err(StoreError::NotFound)));

    // A password reset revokes every token.
    store.set_password("may.chu", "h2", "admin", false).await.unwrap();
    assert!(store.user_by_token(&"a1".repeat(32)).await.unwrap().is_none(), "a token outlived a password reset");

    // Disabling: no token, no session, no new token; enabling gives none back.
    store.issue_token("d4".repeat(32).as_str(), id, "y", 3600, "admin").await.unwrap();
    store.create_session("s1", id, "c", 3600).await.unwrap();
    store.set_disabled("may.chu", true, "admin").await.unwrap();
    assert!(store.user_by_name("may.chu").await.unwrap().unwrap().disabled);
    assert!(store.user_by_token(&"d4".repeat(32)).await.unwrap().is_none());
    assert!(store.session("s1").await.unwrap().is_none());
    assert!(store.issue_token("e5".repeat(32).as_str(), id, "z", 3600, "admin").await.is_err());
    store.set_disabled("may.chu", false, "admin").await.unwrap();
    assert!(store.user_by_token(&"d4".repeat(32)).await.unwrap().is_none());

    let events = store.audit_events("user/may.chu").await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in ["token.issue", "token.revoke", "user.password", "user.disable", "user.enable"] {
        assert!(actions.contains(&a), "{a} not on the record: {actions:?}");
    }
    for e in &events {
        let all = format!("{} {} {}", e.old_value, e.new_value, e.reason);
        assert!(!all.contains(&"a1".repeat(32)) && !all.contains(&"d4".repeat(16)), "a token on the record: {all}");
    }
    assert!(store.verify_chain().await.unwrap().is_ok());
}

on_both!(tokens_expire_and_are_revoked_on_sqlite, tokens_expire_and_are_revoked_on_postgres: tokens(store));

/// One form per name: look-alikes of an existing name are not a second account.
async fn names(store: &Store) {
    store.create_user("admin", "h", Role::Admin, &[], "test", false).await.unwrap();
    for odd in ["Admin", "ADMİN", "\u{430}dmin", "ａｄｍｉｎ", " admin ", "ADMIN", "adm\u{0131}n", "admin\u{200b}"]
    {
        assert!(
            matches!(store.create_user(odd, "h", Role::Admin, &[], "test", false).await, Err(StoreError::Conflict(_))),
            "{odd:?} made a second account"
        );
    }
    assert_eq!(store.users().await.unwrap().len(), 1);
    // Lookups fold the same way.
    for typed in ["ADMIN", " Admin", "ａｄｍｉｎ"] {
        assert_eq!(store.user_by_name(typed).await.unwrap().unwrap().username, "admin", "{typed:?}");
    }
    assert!(store.user_by_name("\u{430}dmin").await.unwrap().is_none());
    store.create_user("Nguyen.Van-A_2", "h", Role::Viewer, &[], "test", false).await.unwrap();
    assert!(store.user_by_name("nguyen.van-a_2").await.unwrap().is_some());
}

on_both!(look_alike_user_names_are_refused_on_sqlite, look_alike_user_names_are_refused_on_postgres: names(store));

#[test]
fn user_names_have_one_form() {
    use chiso_store::username_key;
    assert_eq!(username_key(" Nguyen.Van.A ").as_deref(), Some("nguyen.van.a"));
    assert_eq!(username_key("ａｄｍｉｎ").as_deref(), Some("admin"));
    for bad in ["ADMİN", "\u{430}dmin", "nguyễn", "", ".x", "a b", "a'b", &"a".repeat(65)] {
        assert_eq!(username_key(bad), None, "{bad:?}");
    }
}

/// A counter left alone for a day starts again from zero; one still blocking does not.
async fn forgetting(db: &common::TestDb) {
    let store = &db.store;
    while store.login_attempt(&keys("cu", "10.0.0.7")).await.unwrap() == Admission::Admitted {}
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let age = |blocked_until: i64| {
        sqlx::query("UPDATE login_throttle SET updated_at = $1, blocked_until = $2 WHERE key = $3")
            .bind(chiso_store::unix_now() - 2 * 24 * 3600)
            .bind(blocked_until)
            .bind("p:cu 10.0.0.7")
    };
    age(chiso_store::unix_now() + 600).execute(&pool).await.unwrap();
    assert!(matches!(store.login_attempt(&keys("cu", "10.0.0.7")).await.unwrap(), Admission::Blocked { .. }));
    age(0).execute(&pool).await.unwrap();
    for _ in 0..5 {
        assert_eq!(store.login_attempt(&keys("cu", "10.0.0.7")).await.unwrap(), Admission::Admitted);
    }
    assert!(matches!(store.login_attempt(&keys("cu", "10.0.0.7")).await.unwrap(), Admission::Blocked { .. }));
    pool.close().await;
}

on_both!(old_counters_are_forgotten_on_sqlite, old_counters_are_forgotten_on_postgres: forgetting(db));

/// A name stored before names were normalised is found by its folded form, and blocks its
/// look-alikes.
async fn legacy(db: &common::TestDb) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query("INSERT INTO users (username, password_hash, role, created_at) VALUES ('Old.Name', 'h', 'viewer', '')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let store = Store::open(&db.url).await.unwrap();
    for typed in ["Old.Name", "old.name", "OLD.NAME"] {
        assert_eq!(store.user_by_name(typed).await.unwrap().unwrap().username, "Old.Name", "{typed:?}");
    }
    assert!(matches!(
        store.create_user("old.name", "h", Role::Viewer, &[], "t", false).await,
        Err(StoreError::Conflict(_))
    ));
    store.close().await;
}

on_both!(names_stored_before_normalising_are_found_on_sqlite, names_stored_before_normalising_are_found_on_postgres: legacy(db));

/// A role or status this version does not know (a newer database, a hand edit) is refused as
/// corrupt, never read as the least role or a guessed status.
async fn unknown_values(db: &common::TestDb) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    sqlx::query("INSERT INTO users (username, password_hash, role, created_at) VALUES ('sep', 'h', 'Admin', '')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO periods (year, kind, framework, deadline, status) VALUES (2030, 'x', 'f', NULL, 'archived')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let store = Store::open(&db.url).await.unwrap();
    assert!(matches!(store.user_by_name("sep").await, Err(StoreError::Corrupt(m)) if m.contains("\"Admin\"")));
    assert!(matches!(store.period(2030, "x").await, Err(StoreError::Corrupt(m)) if m.contains("archived")));
    store.close().await;
}

on_both!(unknown_roles_and_statuses_are_refused_on_sqlite, unknown_roles_and_statuses_are_refused_on_postgres: unknown_values(db));
