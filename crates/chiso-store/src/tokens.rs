//! API tokens: stored as the SHA-256 of the token (the token itself is shown once and never
//! kept), with an expiry and a revocation time. Issuing and revoking are on the audit record
//! under the user (`user/{name}`), by the token's id: the first 12 hex digits of its hash.

use crate::audit::{NewEvent, append};
use crate::clock::{format_utc, unix_now};
use crate::tx::Tx;
use crate::{Result, Store, StoreError, UserRow, now_utc};

/// How long a token lives unless told otherwise: 90 days.
pub const TOKEN_TTL: i64 = 90 * 24 * 3600;

/// Hex digits of the hash that name a token in listings, the audit record and `revoke`.
const ID_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub id: String,
    pub username: String,
    pub label: String,
    /// `YYYY-MM-DDTHH:MM:SSZ`; empty for tokens issued before tokens were dated.
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked_at: Option<String>,
}

impl TokenRow {
    /// Neither revoked nor expired.
    pub fn live(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > unix_now()
    }

    pub fn expires_utc(&self) -> String {
        format_utc(self.expires_at)
    }
}

fn id_of(hash: &str) -> String {
    hash.chars().take(ID_LEN).collect()
}

/// Revokes every live token of a user inside `tx`; returns their ids (for the record).
pub(crate) async fn revoke_all(tx: &mut Tx, user_id: i64) -> Result<Vec<String>> {
    let live: Vec<(String,)> = sqlx::query_as(
        "SELECT token_hash FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY token_hash",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_utc())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(live.into_iter().map(|(h,)| id_of(&h)).collect())
}

type Raw = (String, String, String, String, i64, Option<String>);

impl Store {
    /// Stores a token under its hash for `ttl_secs`, on the record (its id and label, never the
    /// token). Returns the token's id.
    pub async fn issue_token(
        &self,
        token_hash: &str,
        user_id: i64,
        label: &str,
        ttl_secs: i64,
        actor: &str,
    ) -> Result<String> {
        let mut tx = self.write_tx().await?;
        let user: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT username, disabled_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let username = match user {
            None => return Err(StoreError::NotFound),
            Some((_, Some(_))) => return Err(StoreError::Conflict("the user is disabled".into())),
            Some((name, None)) => name,
        };
        let expires_at = unix_now() + ttl_secs;
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(label)
        .bind(now_utc())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        let id = id_of(token_hash);
        let new = format!("token {id} “{label}” until {}", format_utc(expires_at));
        append(&mut tx, &NewEvent::new(actor, "token.issue", format!("user/{username}"), String::new(), new, ""))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Store::issue_token`] for the default lifetime, issued by the system.
    pub async fn create_token(&self, token_hash: &str, user_id: i64, label: &str) -> Result<String> {
        self.issue_token(token_hash, user_id, label, TOKEN_TTL, "system").await
    }

    /// Every token, live or not, by user and then newest first.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>> {
        let raws: Vec<Raw> = sqlx::query_as(
            "SELECT t.token_hash, u.username, t.label, t.created_at, t.expires_at, t.revoked_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY u.username, t.created_at DESC, t.token_hash",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(raws
            .into_iter()
            .map(|(hash, username, label, created_at, expires_at, revoked_at)| TokenRow {
                id: id_of(&hash),
                username,
                label,
                created_at,
                expires_at,
                revoked_at,
            })
            .collect())
    }

    /// Revokes the token with this id, on the record. `NotFound` if there is none; revoking a
    /// revoked token changes nothing.
    pub async fn revoke_token(&self, id: &str, actor: &str) -> Result<()> {
        if id.len() != ID_LEN || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.write_tx().await?;
        let found: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT t.token_hash, u.username, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE substr(t.token_hash, 1, 12) = $1",
        )
        .bind(id.to_ascii_lowercase())
        .fetch_all(&mut *tx)
        .await?;
        let (hash, username) = match found.as_slice() {
            [] => return Err(StoreError::NotFound),
            [(_, _, Some(_))] => return Ok(()),
            [(hash, username, None)] => (hash.clone(), username.clone()),
            _ => return Err(StoreError::Conflict(format!("several tokens begin with {id}"))),
        };
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2")
            .bind(now_utc())
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &NewEvent::new(
                actor,
                "token.revoke",
                format!("user/{username}"),
                format!("token {}", id_of(&hash)),
                "",
                "",
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user of a live token: not revoked, not expired, the user not disabled.
    pub async fn user_by_token(&self, token_hash: &str) -> Result<Option<UserRow>> {
        let raw: Option<(i64, String, String, String, Option<String>, i64)> = sqlx::query_as(
            "SELECT u.id, u.username, u.password_hash, u.role, u.disabled_at, u.must_change_password FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
             AND t.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(unix_now())
        .fetch_optional(self.pool())
        .await?;
        match raw {
            Some(r) => Ok(Some(self.with_units(r).await?)),
            None => Ok(None),
        }
    }
}
