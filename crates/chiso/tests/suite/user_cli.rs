//! `chiso user …` on a seeded database: `add` refuses what the administrator's page refuses
//! (look-alike names, a reporter without a unit or with a unit not in the registry, an
//! unknown role), tokens are listed and revoked, a locked-out name is unlocked, a user is
//! disabled and enabled.

use crate::command::{run_on as run, text};
use chiso_store::{Admission, Store, ThrottleKey};

fn keys(name: &str) -> Vec<ThrottleKey> {
    vec![ThrottleKey { key: format!("p:{name} 10.0.0.1"), username: Some(name.into()), threshold: 5 }]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_refuses_what_the_page_refuses_and_manages_tokens_and_lockouts() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    let store = Store::open(&db).await.unwrap();
    chiso_app::seed::bootstrap(&store, &dir.path().join("data"), chiso_app::seed::Start::Demo).await.unwrap();
    store.close().await;

    for args in [
        vec!["Admin", "--role", "viewer"],
        vec!["ADMİN", "--role", "viewer"],
        vec!["\u{430}dmin", "--role", "viewer"],
        vec!["bcv", "--role", "reporter"],
        vec!["bcv", "--role", "reporter", "--units", "khong-co-don-vi"],
        vec!["bcv", "--role", "superuser"],
        vec!["bcv", "--role", "Admin"],
    ] {
        let o = run(dir.path(), &db, &[&["user", "add"], args.as_slice()].concat());
        assert!(!o.status.success(), "{args:?} accepted: {}", text(&o));
    }
    let o = run(dir.path(), &db, &["user", "add", "bcv", "--role", "reporter", "--units", "khong-co-don-vi"]);
    assert!(text(&o).contains("khong-co-don-vi"), "the refusal names the unit: {}", text(&o));
    let store = Store::open(&db).await.unwrap();
    assert_eq!(store.users().await.unwrap().len(), 1, "only the administrator");
    store.close().await;

    let o = run(dir.path(), &db, &["user", "add", "Nguyen.Van.A", "--role", "reporter", "--units", "so-y-te"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("nguyen.van.a"), "{}", text(&o));

    // A token: printed once, listed by id, revoked by id.
    let o = run(dir.path(), &db, &["user", "token", "NGUYEN.VAN.A", "--days", "1"]);
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let id = chiso_web::sha256_hex(&token)[..12].to_string();
    let list = text(&run(dir.path(), &db, &["user", "tokens"]));
    assert!(list.contains(&id) && list.contains("nguyen.van.a") && !list.contains(&token), "{list}");
    let store = Store::open(&db).await.unwrap();
    assert!(store.user_by_token(&chiso_web::sha256_hex(&token)).await.unwrap().is_some());
    let o = run(dir.path(), &db, &["user", "revoke-token", &id]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(store.user_by_token(&chiso_web::sha256_hex(&token)).await.unwrap().is_none(), "a revoked token works");
    assert!(!run(dir.path(), &db, &["user", "revoke-token", "ffffffffffff"]).status.success());

    // Locked out, unlocked from the CLI.
    while store.login_attempt(&keys("nguyen.van.a")).await.unwrap() == Admission::Admitted {}
    let o = run(dir.path(), &db, &["user", "unlock", "Nguyen.Van.A"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(store.login_attempt(&keys("nguyen.van.a")).await.unwrap(), Admission::Admitted);

    // Disabled and enabled.
    assert!(run(dir.path(), &db, &["user", "disable", "nguyen.van.a"]).status.success());
    assert!(store.user_by_name("nguyen.van.a").await.unwrap().unwrap().disabled);
    assert!(!run(dir.path(), &db, &["user", "token", "nguyen.van.a"]).status.success(), "a token for a disabled user");
    assert!(run(dir.path(), &db, &["user", "enable", "nguyen.van.a"]).status.success());
    assert!(!store.user_by_name("nguyen.van.a").await.unwrap().unwrap().disabled);
    let actions: Vec<String> =
        store.audit_events("user/nguyen.van.a").await.unwrap().into_iter().map(|e| e.action).collect();
    for a in ["user.create", "token.issue", "token.revoke", "user.unlock", "user.disable", "user.enable"] {
        assert!(actions.iter().any(|x| x == a), "{a} not on the record: {actions:?}");
    }
    store.close().await;
}
