//! Passwords (argon2id), sessions in HttpOnly/SameSite=Strict cookies, CSRF tokens,
//! API tokens, login throttling, and the role and unit checks every route uses.

use crate::AppState;
use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chiso_store::{Role, UserRow};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

pub const SESSION_COOKIE: &str = "chiso_session";
pub const LOGIN_CSRF_COOKIE: &str = "chiso_login";
pub const SESSION_TTL: i64 = 8 * 3600;
const MAX_FAILURES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(15 * 60);
const MAX_TRACKED: usize = 100_000;

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
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
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

impl AppState {
    /// `true` if this user name is locked out after repeated failures.
    pub fn throttled(&self, username: &str) -> bool {
        let map = self.throttle.lock().expect("not poisoned");
        map.get(username).is_some_and(|(n, since)| *n >= MAX_FAILURES && since.elapsed() < LOCKOUT)
    }

    pub fn login_failed(&self, username: &str) {
        let mut map = self.throttle.lock().expect("not poisoned");
        // Bounded memory against floods of invented names: forget expired entries, and past
        // the bound stop tracking new names (known ones still lock).
        if map.len() >= MAX_TRACKED && !map.contains_key(username) {
            map.retain(|_, (_, since)| since.elapsed() < LOCKOUT);
            if map.len() >= MAX_TRACKED {
                return;
            }
        }
        let e = map.entry(username.to_string()).or_insert((0, Instant::now()));
        if e.1.elapsed() >= LOCKOUT {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }

    pub fn login_succeeded(&self, username: &str) {
        self.throttle.lock().expect("not poisoned").remove(username);
    }
}
