//! Logging in and out: sessions and API tokens, and the counters that slow down guessing.
//! A login is counted (as a failure, in the database) before its password is checked, so
//! that simultaneous attempts past the limit are refused without a check; exactly one
//! argon2id check runs whether or not the name exists.

use crate::passwords::{check_password, random_token, sha256_hex};
use crate::{App, Result};
use chiso_store::{Admission, ThrottleKey, UserRow};

/// How long a session lasts, in seconds.
pub const SESSION_TTL: i64 = 8 * 3600;

/// Failed logins to one account from one address before delays begin.
const PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Failed logins from one address, to any accounts (guessing across names).
const PER_ADDRESS: i64 = 50;
/// Failed logins to one account from all addresses (guessing from many machines).
const PER_ACCOUNT: i64 = 50;

/// The counters a login attempt is charged to, in the order they are locked: the account
/// from this address, the address, the account from anywhere. `name` is the typed name as
/// looked up (folded); `addr` the client's address (an IPv6 client's /64, which one
/// machine usually holds whole).
pub fn throttle_keys(name: &str, addr: &str) -> [ThrottleKey; 3] {
    let name: String = name.chars().take(chiso_store::MAX_USERNAME + 1).collect();
    [
        ThrottleKey {
            key: format!("p:{name} {addr}"),
            username: Some(name.clone()),
            threshold: PER_ACCOUNT_AND_ADDRESS,
        },
        ThrottleKey { key: format!("a:{addr}"), username: None, threshold: PER_ADDRESS },
        ThrottleKey { key: format!("u:{name}"), username: Some(name), threshold: PER_ACCOUNT },
    ]
}

/// How a login ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Too many failures: refused before the password was checked.
    Blocked,
    /// A wrong name or password, or a disabled user (the same answer for all three).
    Refused,
    /// The session's id (the cookie's value; only its hash is stored).
    Session(String),
}

impl App {
    /// `keys`: from [`throttle_keys`] with the client's address.
    pub async fn login(&self, keys: [ThrottleKey; 3], username: &str, password: &str) -> Result<Login> {
        if let Admission::Blocked { .. } = self.store.login_attempt(&keys).await? {
            return Ok(Login::Blocked);
        }
        let user = self.store.user_by_name(username).await?;
        let Some(user) = check_password(user, password).await else { return Ok(Login::Refused) };
        let [pair, addr, name] = keys;
        self.store.login_succeeded(&[pair, name], &[addr]).await?;
        let id = random_token();
        self.store.create_session(&sha256_hex(&id), user.id, &random_token(), SESSION_TTL).await?;
        Ok(Login::Session(id))
    }

    pub async fn logout(&self, session: &str) -> Result<()> {
        Ok(self.store.delete_session(&sha256_hex(session)).await?)
    }

    /// The user of a live session, with its CSRF token.
    pub async fn session_user(&self, session: &str) -> Result<Option<(UserRow, String)>> {
        Ok(self.store.session(&sha256_hex(session)).await?)
    }

    /// The user of a live API token.
    pub async fn token_user(&self, token: &str) -> Result<Option<UserRow>> {
        Ok(self.store.user_by_token(&sha256_hex(token)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_names_make_separate_counters() {
        let [pair, addr, name] = throttle_keys("admin", "10.0.0.1");
        assert_ne!(pair.key, throttle_keys("admin", "10.0.0.2")[0].key);
        assert_eq!(addr.key, throttle_keys("khac", "10.0.0.1")[1].key);
        assert_eq!(name.key, throttle_keys("admin", "10.0.0.2")[2].key);
        assert_eq!(
            (pair.username.as_deref(), addr.username, name.username.as_deref()),
            (Some("admin"), None, Some("admin"))
        );
    }
}
