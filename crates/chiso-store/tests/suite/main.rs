//! Storage, on SQLite and PostgreSQL: every integration test of chiso-store in one binary (linked once, not
//! once per file).

/// A scenario as two tests: on SQLite, and on PostgreSQL when `CHISO_TEST_POSTGRES_URL` is
/// set. The scenario is given the test database (`db`) or its store (`store`).
macro_rules! on_both {
    ($sqlite:ident, $postgres:ident: $scenario:ident(store)) => {
        on_both!(@tests $sqlite, $postgres, |db| $scenario(&db.store));
    };
    ($sqlite:ident, $postgres:ident: $scenario:ident(db)) => {
        on_both!(@tests $sqlite, $postgres, |db| $scenario(&db));
    };
    (@tests $sqlite:ident, $postgres:ident, |$db:ident| $run:expr) => {
        #[tokio::test(flavor = "multi_thread")]
        async fn $sqlite() {
            let $db = chiso_testkit::db::sqlite().await;
            $run.await;
        }
        #[tokio::test(flavor = "multi_thread")]
        async fn $postgres() {
            if let Some($db) = chiso_testkit::db::postgres().await {
                $run.await;
            }
        }
    };
}

mod accounts;
mod audit_page;
mod backup;
mod changes;
mod failures;
mod jobs;
mod store;
mod tamper;
