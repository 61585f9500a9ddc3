//! Passwords (argon2id), sessions in HttpOnly/SameSite=Strict cookies, CSRF tokens,
//! API tokens, login throttling (which counters an attempt is charged to; the counting is
//! `chiso_store`'s, in the database), and the role and unit checks every route uses.

use crate::AppState;
use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chiso_store::{Role, ThrottleKey, UserRow};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};

pub const SESSION_COOKIE: &str = "chiso_session";
pub const LOGIN_CSRF_COOKIE: &str = "chiso_login";
pub const SESSION_TTL: i64 = 8 * 3600;
/// Failed logins to one account from one address before delays begin.
const PER_ACCOUNT_AND_ADDRESS: i64 = 5;
/// Failed logins from one address, to any accounts (guessing across names).
const PER_ADDRESS: i64 = 50;
/// Failed logins to one account from all addresses (guessing from many machines).
const PER_ACCOUNT: i64 = 50;
/// Password checks run so far (tests read it: an unknown user's login checks one too).
static PASSWORD_CHECKS: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone)]
pub struct User {
    pub row: UserRow,
    /// The session's CSRF token; `None` for API-token requests (no cookies, nothing to forge).
    pub csrf: Option<String>,
}

impl User {
    pub fn is(&self, role: Role) -> bool {
        self.row.role == role
    }

    /// May this user see this unit's submission? Reporters only their own units.
    pub fn can_read_unit(&self, unit: &str) -> bool {
        match self.row.role {
            Role::Reporter => self.row.units.iter().any(|u| u == unit),
            Role::Admin | Role::Assessor | Role::Viewer => true,
        }
    }

    /// May this user write this unit's submission? Only its reporters.
    pub fn can_write_unit(&self, unit: &str) -> bool {
        self.row.role == Role::Reporter && self.row.units.iter().any(|u| u == unit)
    }
}

pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the OS random generator");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2id").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PASSWORD_CHECKS.fetch_add(1, Ordering::Relaxed);
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// An argon2id hash of a random password, made like every user's: a login for a name that
/// does not exist (or a disabled user) is checked against it, so that it costs the same
/// time as one with a wrong password and tells nobody which names exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()))
}

/// The user, if the password is theirs and they are not disabled. Always runs exactly one
/// argon2id check, whether or not the user exists.
pub async fn check_password(user: Option<UserRow>, password: &str) -> Option<UserRow> {
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_string();
    let ok = off_the_workers(move || verify_password(&password, hash.as_deref().unwrap_or_else(|| dummy_hash()))).await;
    user.filter(|u| ok && !u.disabled)
}

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

/// The client's address for the login counters: the connection's peer, or, when the peer is
/// a proxy named in `CHISO_TRUSTED_PROXIES`, the address that proxy says it forwarded for.
pub fn client_addr(parts: &Parts) -> String {
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded: Vec<&str> =
        parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    match client_ip(peer, &forwarded, trusted_proxies()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".into(),
    }
}

/// Proxies whose `X-Forwarded-For` is believed: `CHISO_TRUSTED_PROXIES`, addresses separated
/// by commas (read once). None by default: a header anyone can write is not an address.
fn trusted_proxies() -> &'static [IpAddr] {
    static TRUSTED: std::sync::OnceLock<Vec<IpAddr>> = std::sync::OnceLock::new();
    TRUSTED.get_or_init(|| {
        let list = std::env::var("CHISO_TRUSTED_PROXIES").unwrap_or_default();
        list.split(',').filter_map(|a| a.trim().parse::<IpAddr>().ok()).map(|a| a.to_canonical()).collect()
    })
}

/// The peer, unless it is a trusted proxy: then the nearest address in `X-Forwarded-For`
/// (read from the right) that is not a trusted proxy itself. What a client wrote further
/// left is never believed; an unreadable entry ends the walk.
fn client_ip(peer: Option<IpAddr>, forwarded: &[&str], trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if !trusted.contains(&client) {
        return Some(client);
    }
    let hops: Vec<&str> = forwarded.iter().flat_map(|h| h.split(',')).map(str::trim).collect();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip.to_canonical();
        if !trusted.contains(&client) {
            break;
        }
    }
    Some(client)
}

/// argon2id costs ~19 MiB and tens of milliseconds of one core per call. It runs on a fixed
/// set of threads, one per core: never on the async workers (two logins there stalled every
/// other request), at most one per core at a time, and always on the same threads, so the
/// allocator's per-thread arenas stay few (through tokio's blocking pool, a burst of 500
/// logins left 600 MiB behind in arenas of short-lived threads).
pub async fn off_the_workers<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    type Job = Box<dyn FnOnce() + Send>;
    static JOBS: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let jobs = JOBS.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("chiso-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = rx.lock().expect("not poisoned").recv();
                        match job {
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => break,
                        }
                    }
                })
                .expect("a thread for password hashing");
        }
        tx
    });
    let (tx, rx) = tokio::sync::oneshot::channel();
    jobs.send(Box::new(move || {
        let _ = tx.send(f());
    }))
    .expect("the hashing threads live as long as the process");
    rx.await.expect("password hashing does not panic")
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random generator");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The logged-in user, if any (session cookie or `Authorization: Bearer` token).
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = resolve(parts, state).await?;
        if let (Some(u), Some(slot)) = (&user, parts.extensions.get::<crate::log::UserSlot>()) {
            slot.set(&u.row.username);
        }
        Ok(MaybeUser(user))
    }
}

/// The user of a session cookie or an API token, if any.
async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<User>, AppError> {
    if let Some(token) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        let row = state.store.user_by_token(&sha256_hex(token.trim())).await?;
        return Ok(row.map(|row| User { row, csrf: None }));
    }
    let Some(id) = cookie(parts, SESSION_COOKIE) else { return Ok(None) };
    let session = state.store.session(&sha256_hex(&id)).await?;
    Ok(session.map(|(row, csrf)| User { row, csrf: Some(csrf) }))
}

pub fn require(user: Option<User>) -> AppResult<User> {
    user.ok_or_else(AppError::login_required)
}

pub fn require_role(user: Option<User>, roles: &[Role]) -> AppResult<User> {
    let u = require(user)?;
    if roles.contains(&u.row.role) { Ok(u) } else { Err(AppError::forbidden()) }
}

/// Every state-changing form carries the session's token; API tokens need none.
pub fn check_csrf(user: &User, submitted: Option<&str>) -> AppResult<()> {
    match &user.csrf {
        None => Ok(()),
        Some(expected) if submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes())) => Ok(()),
        Some(_) => Err(AppError::forbidden()),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unknown_user_costs_a_password_check_like_a_known_one() {
        let before = PASSWORD_CHECKS.load(Ordering::Relaxed);
        assert!(check_password(None, "mat-khau-du-dai").await.is_none());
        assert!(PASSWORD_CHECKS.load(Ordering::Relaxed) > before, "no argon2id check for an unknown user");
        // The dummy hash is made like a user's: argon2id with the same parameters.
        let (dummy, real) = (PasswordHash::new(dummy_hash()).unwrap(), hash_password("x"));
        let real = PasswordHash::new(&real).unwrap();
        assert_eq!((dummy.algorithm, dummy.version, &dummy.params), (real.algorithm, real.version, &real.params));
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        // A disabled user with the right password is refused, after the same check.
        let row = |disabled| UserRow {
            id: 1,
            username: "a".into(),
            password_hash: hash_password("dung-mat-khau"),
            role: Role::Viewer,
            units: vec![],
            disabled,
        };
        assert!(check_password(Some(row(false)), "dung-mat-khau").await.is_some());
        assert!(check_password(Some(row(true)), "dung-mat-khau").await.is_none());
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.1"), ip("10.0.0.2")];
        // Not a trusted proxy: the header is anyone's writing.
        assert_eq!(client_ip(Some(ip("203.0.113.9")), &["1.2.3.4"], &proxy), Some(ip("203.0.113.9")));
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &["1.2.3.4"], &[]), Some(ip("10.0.0.1")));
        // Through two trusted proxies: the nearest untrusted hop, never what the client wrote.
        let h = ["6.6.6.6, 198.51.100.7", "10.0.0.2"];
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &proxy), Some(ip("198.51.100.7")));
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &["garbage, 10.0.0.2"], &proxy), Some(ip("10.0.0.2")));
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &[], &proxy), Some(ip("10.0.0.1")));
        assert_eq!(client_ip(Some(ip("::ffff:10.0.0.1")), &["198.51.100.7"], &proxy), Some(ip("198.51.100.7")));
    }

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
