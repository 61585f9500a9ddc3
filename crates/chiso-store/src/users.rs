//! Users, their roles and units, and sessions. Secrets are stored hashed. User names are
//! kept in one form (NFKC, lower case, a safe alphabet: see [`username_key`]), so that
//! `Admin`, `ADMİN` or a Cyrillic `аdmin` cannot stand beside `admin`.

use crate::audit::{NewEvent, append};
use crate::clock::unix_now;
use crate::{Result, Store, StoreError, now_utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Reporter,
    Assessor,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reporter => "reporter",
            Role::Assessor => "assessor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "reporter" => Role::Reporter,
            "assessor" => Role::Assessor,
            "viewer" => Role::Viewer,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    /// Units a reporter may see and edit.
    pub units: Vec<String>,
    /// A disabled user cannot log in; their sessions and tokens were ended when disabled.
    pub disabled: bool,
    /// The password was given by the system (a new user's, a reset, the first administrator's):
    /// until its user changes it, their sessions lead only to changing it.
    pub must_change_password: bool,
}

/// The longest user name.
pub const MAX_USERNAME: usize = 64;

/// The one form a new user name is stored in: NFKC, then lower case, then only ASCII letters,
/// digits, `.`, `-` and `_` (starting with a letter or a digit), at most [`MAX_USERNAME`]
/// characters. `None` if the name cannot be written so: a look-alike such as `ADMİN` (its
/// lower case has a combining dot) or a Cyrillic `аdmin` is refused, not stored beside `admin`.
pub fn username_key(raw: &str) -> Option<String> {
    let key = fold(raw);
    let first_ok = key.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let ok = first_ok
        && key.len() <= MAX_USERNAME
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    ok.then_some(key)
}

/// A typed user name as it is looked up: trimmed, NFKC, lower case (no alphabet check: a
/// name outside it simply matches nobody).
pub fn fold(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.trim().nfkc().collect::<String>().to_lowercase()
}

type Raw = (i64, String, String, String, Option<String>, i64);
const COLUMNS: &str = "id, username, password_hash, role, disabled_at, must_change_password";

impl Store {
    pub(crate) async fn with_units(&self, raw: Raw) -> Result<UserRow> {
        let units: Vec<(String,)> =
            sqlx::query_as("SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id")
                .bind(raw.0)
                .fetch_all(self.pool())
                .await?;
        // A role this version does not know (a newer database, a hand edit) is refused,
        // never guessed: creation only ever stores known roles.
        let role =
            Role::parse(&raw.3).ok_or_else(|| StoreError::Corrupt(format!("role {:?} of user {}", raw.3, raw.1)))?;
        Ok(UserRow {
            id: raw.0,
            username: raw.1,
            password_hash: raw.2,
            role,
            units: units.into_iter().map(|u| u.0).collect(),
            disabled: raw.4.is_some(),
            must_change_password: raw.5 != 0,
        })
    }

    /// `one_time`: the password was given by the system, to be changed by the user first.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        units: &[String],
        actor: &str,
        one_time: bool,
    ) -> Result<i64> {
        let Some(username) = username_key(username) else {
            return Err(StoreError::Conflict(format!("user name {username:?} is not in the safe alphabet")));
        };
        let username = username.as_str();
        let mut tx = self.write_tx().await?;
        // Names stored before they were normalised count in their normalised form.
        let names: Vec<(String,)> = sqlx::query_as("SELECT username FROM users").fetch_all(&mut *tx).await?;
        if names.iter().any(|(n,)| fold(n) == username) {
            return Err(StoreError::Conflict(format!("user {username} exists")));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, password_hash, role, created_at, must_change_password) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_utc())
        .bind(i64::from(one_time))
        .fetch_one(&mut *tx)
        .await?;
        for u in units {
            sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(u)
                .execute(&mut *tx)
                .await?;
        }
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "user.create",
                format!("user/{username}"),
                String::new(),
                format!("{} {}", role.as_str(), units.join(",")),
                String::new(),
            )
            .with_detail(crate::audit::password_detail(password_hash)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A new password: the user's sessions end and their API tokens are revoked, on the record.
    /// `one_time`: given by the system (a reset), to be changed by the user first; a password
    /// the user chose clears that.
    pub async fn set_password(&self, username: &str, password_hash: &str, actor: &str, one_time: bool) -> Result<()> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(i64::from(one_time))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        let revoked = crate::tokens::revoke_all(&mut tx, user.id).await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "user.password",
                format!("user/{}", user.username),
                String::new(),
                revoked_note(&revoked),
                "password reset",
            )
            .with_detail(crate::audit::password_detail(password_hash)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a user's units (a reporter's), on the record: `user.units`, the old units and
    /// the new, separated by commas.
    pub async fn set_user_units(&self, username: &str, units: &[String], actor: &str) -> Result<()> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM user_units WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
        for u in units {
            sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)")
                .bind(user.id)
                .bind(u)
                .execute(&mut *tx)
                .await?;
        }
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "user.units",
                format!("user/{}", user.username),
                user.units.join(","),
                units.join(","),
                "",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables (or enables again) a user: disabling ends their sessions and revokes their
    /// API tokens, on the record. Enabling gives back neither.
    pub async fn set_disabled(&self, username: &str, disabled: bool, actor: &str) -> Result<()> {
        let user = self.user_by_name(username).await?.ok_or(StoreError::NotFound)?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(disabled.then(now_utc))
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let mut note = String::new();
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id).execute(&mut *tx).await?;
            note = revoked_note(&crate::tokens::revoke_all(&mut tx, user.id).await?);
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        append(&mut tx, &NewEvent::new(actor, action, format!("user/{}", user.username), String::new(), note, ""))
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user a typed name means: trimmed, NFKC, lower case. A name stored before names were
    /// normalised (`Old.Name`) is found by its folded form too.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let query = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
        let key = fold(username);
        let mut raw: Option<Raw> = sqlx::query_as(&query).bind(&key).fetch_optional(self.pool()).await?;
        if raw.is_none() && self.legacy_names {
            let names: Vec<(String,)> = sqlx::query_as("SELECT username FROM users").fetch_all(self.pool()).await?;
            if let Some((name,)) = names.into_iter().find(|(n,)| fold(n) == key) {
                raw = sqlx::query_as(&query).bind(name).fetch_optional(self.pool()).await?;
            }
        }
        match raw {
            Some(r) => Ok(Some(self.with_units(r).await?)),
            None => Ok(None),
        }
    }

    /// Whether some stored name is not in its folded form.
    pub(crate) async fn has_legacy_names(&self) -> Result<bool> {
        let names: Vec<(String,)> = sqlx::query_as("SELECT username FROM users").fetch_all(self.pool()).await?;
        Ok(names.iter().any(|(n,)| fold(n) != *n))
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let raws: Vec<Raw> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY username")).fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in raws {
            out.push(self.with_units(r).await?);
        }
        Ok(out)
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?.0)
    }

    /// Stores a session under the hash of its id (the cookie holds the id itself).
    pub async fn create_session(&self, id_hash: &str, user_id: i64, csrf: &str, ttl_secs: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(unix_now() + ttl_secs)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user and CSRF token of a live session.
    pub async fn session(&self, id_hash: &str) -> Result<Option<(UserRow, String)>> {
        let raw: Option<(i64, String, String, String, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.disabled_at, u.must_change_password, s.csrf FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(id_hash)
        .bind(unix_now())
        .fetch_optional(self.pool())
        .await?;
        match raw {
            Some((id, name, hash, role, disabled, one_time, csrf)) => {
                Ok(Some((self.with_units((id, name, hash, role, disabled, one_time)).await?, csrf)))
            }
            None => Ok(None),
        }
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
        Ok(())
    }
}

fn revoked_note(ids: &[String]) -> String {
    if ids.is_empty() { String::new() } else { format!("tokens revoked: {}", ids.join(",")) }
}
