//! One story, two databases: a temp SQLite file, and PostgreSQL when
//! `CHISO_TEST_POSTGRES_URL` names a server (scripts/test starts one on loopback).

use chiso_store::{SigningKey, Store};

/// The signing key of the tests' installation (its data directory's `signing.key`).
pub fn key() -> SigningKey {
    SigningKey::from_bytes([42; 32])
}

/// A 2021 department submission, the period the storage stories use.
pub fn submission(unit: &str) -> chiso_domain::SubmissionKey {
    chiso_domain::SubmissionKey::new(2021, "department", unit)
}

/// The 2021 department period of those stories: open, without a deadline, framework `f`.
pub fn period() -> chiso_store::PeriodRow {
    chiso_store::PeriodRow {
        year: 2021,
        kind: "department".into(),
        framework: "f".into(),
        deadline: None,
        status: chiso_domain::PeriodStatus::Open,
    }
}

pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("chiso.sqlite").display());
    TestDb { store: Store::open(&url).await.unwrap().with_signing_key(key()), url, _dir: Some(dir) }
}

/// A fresh database on the test server, or `None` (with a notice) when there is none.
pub async fn postgres() -> Option<TestDb> {
    let url = postgres_url().await?;
    Some(TestDb { store: Store::open(&url).await.unwrap().with_signing_key(key()), url, _dir: None })
}

/// The URL of a fresh, empty PostgreSQL database on the test server named by
/// `CHISO_TEST_POSTGRES_URL` (scripts/test starts one on loopback), or `None` with a notice.
pub async fn postgres_url() -> Option<String> {
    let Ok(admin) = std::env::var("CHISO_TEST_POSTGRES_URL") else {
        eprintln!("CHISO_TEST_POSTGRES_URL is not set: PostgreSQL half of this test skipped (scripts/test sets it)");
        return None;
    };
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let name = format!("chiso_test_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
    pool.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_string();
    Some(format!("{base}/{name}"))
}
