//! Users, their roles and units, sessions and API tokens. Secrets are stored hashed.

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
}

type Raw = (i64, String, String, String);

impl Store {
    async fn with_units(&self, raw: Raw) -> Result<UserRow> {
        let units: Vec<(String,)> =
            sqlx::query_as("SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id")
                .bind(raw.0)
                .fetch_all(self.pool())
                .await?;
        Ok(UserRow {
            id: raw.0,
            username: raw.1,
            password_hash: raw.2,
            role: Role::parse(&raw.3).unwrap_or(Role::Viewer),
            units: units.into_iter().map(|u| u.0).collect(),
        })
    }

    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        units: &[String],
        actor: &str,
    ) -> Result<i64> {
        let mut tx = self.write_tx().await?;
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM users WHERE username = $1").bind(username).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!("user {username} exists")));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_utc())
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

    pub async fn set_password(&self, username: &str, password_hash: &str, actor: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash)
            .bind(username)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "user.password",
                format!("user/{username}"),
                String::new(),
                String::new(),
                "password reset",
            )
            .with_detail(crate::audit::password_detail(password_hash)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let raw: Option<Raw> =
            sqlx::query_as("SELECT id, username, password_hash, role FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(self.pool())
                .await?;
        match raw {
            Some(r) => Ok(Some(self.with_units(r).await?)),
            None => Ok(None),
        }
    }

    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let raws: Vec<Raw> = sqlx::query_as("SELECT id, username, password_hash, role FROM users ORDER BY username")
            .fetch_all(self.pool())
            .await?;
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
        let raw: Option<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(id_hash)
        .bind(unix_now())
        .fetch_optional(self.pool())
        .await?;
        match raw {
            Some((id, name, hash, role, csrf)) => Ok(Some((self.with_units((id, name, hash, role)).await?, csrf))),
            None => Ok(None),
        }
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(self.pool()).await?;
        Ok(())
    }

    pub async fn create_token(&self, token_hash: &str, user_id: i64, label: &str) -> Result<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, label) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>> {
        let raw: Option<Raw> = sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        match raw {
            Some(r) => Ok(Some(self.with_units(r).await?)),
            None => Ok(None),
        }
    }
}
