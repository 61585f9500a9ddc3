//! Accounts, with the same rules for the administrator's page, the API and the CLI: a new
//! user's name in its one form (NFKC, lower case, a safe alphabet), a known role (never a
//! guess), a long enough password, units that exist in the registry, and a reporter bound to
//! at least one of them.

use crate::auth::{self, hash_password};
use crate::catalog::Catalog;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use axum::http::StatusCode;
use chiso_store::{Role, Store, username_key};

/// The shortest password a person may choose.
pub const MIN_PASSWORD: usize = 10;

/// Checks and adds a user; returns the name as stored. `units`: unit codes.
pub(crate) async fn add_user(
    store: &Store,
    actor: &str,
    username: &str,
    password: &str,
    role: &str,
    units: &[String],
) -> AppResult<String> {
    let role = Role::parse(role.trim()).ok_or_else(|| AppError::bad_request(|t| t.bad_role))?;
    let name = username_key(username).ok_or_else(|| AppError::bad_request(|t| t.bad_username))?;
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::bad_request(|t| t.short_password));
    }
    let units: Vec<String> = units.iter().map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect();
    if role == Role::Reporter && units.is_empty() {
        return Err(AppError::bad_request(|t| t.reporter_needs_unit));
    }
    if !units.is_empty() {
        let cat = Catalog::load(store).await?;
        if let Some(bad) = units.iter().find(|x| cat.registry.get(&chiso_domain::UnitId((*x).clone())).is_none()) {
            let bad = bad.clone();
            return Err(AppError::with(StatusCode::BAD_REQUEST, move |l| (l.t().no_such_unit)(&bad)));
        }
    }
    let password = password.to_string();
    let hash = auth::off_the_workers(move || hash_password(&password)).await;
    store.create_user(&name, &hash, role, &units, actor).await?;
    Ok(name)
}

/// `chiso user add`: the same checks as the administrator's page, the refusal in the CLI's
/// language (`english` or Vietnamese). Returns the name as stored.
pub async fn add_user_cli(
    store: &Store,
    username: &str,
    password: &str,
    role: &str,
    units: &[String],
    english: bool,
) -> Result<String, String> {
    let lang = if english { Lang::En } else { Lang::Vi };
    add_user(store, "cli", username, password, role, units).await.map_err(|e| e.message(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn what_the_page_refuses_the_cli_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.sqlite").display())).await.unwrap();
        crate::seed::bootstrap(&store, dir.path()).await.unwrap();
        let pw = "mat-khau-du-dai";
        let refused = [
            ("bao.cao", "reporter", vec![]),
            ("bao.cao", "reporter", vec!["khong-co".to_string()]),
            ("bao.cao", "superuser", vec![]),
            ("bao.cao", "Admin ", vec![]),
            ("Admin", "viewer", vec![]),
            ("ADMİN", "viewer", vec![]),
            ("\u{430}dmin", "viewer", vec![]),
            ("ａｄｍｉｎ", "viewer", vec![]),
            ("", "viewer", vec![]),
            ("-x", "viewer", vec![]),
        ];
        for (name, role, units) in refused {
            let r = add_user_cli(&store, name, pw, role, &units, true).await;
            assert!(r.is_err(), "{name:?} {role:?} {units:?} accepted");
        }
        assert_eq!(store.users().await.unwrap().len(), 1, "only the administrator");
        let name = add_user_cli(&store, " Bao.Cao ", pw, "reporter", &["so-y-te".into()], false).await.unwrap();
        assert_eq!(name, "bao.cao");
        let short = add_user_cli(&store, "ngan", "ngan", "viewer", &[], true).await;
        assert!(short.is_err_and(|m| m.contains("10")), "a short password");
        store.close().await;
    }
}
