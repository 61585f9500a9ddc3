//! Passwords (argon2id), sessions in HttpOnly/SameSite=Strict cookies, CSRF tokens,
//! API tokens, login throttling (which counters an attempt is charged to; the counting is
//! `chiso_store`'s, in the database), and the role and unit checks every route uses.

use crate::AppState;
use crate::error::{AppError, AppResult};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
pub use chiso_app::passwords::{hash_password, random_token, sha256_hex};
use chiso_store::{Role, UserRow};
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "chiso_session";
pub const LOGIN_CSRF_COOKIE: &str = "chiso_login";

#[derive(Debug, Clone)]
pub struct User {
    pub row: UserRow,
    /// The session's CSRF token; `None` for API-token requests (no cookies, nothing to forge).
    pub csrf: Option<String>,
}

impl User {
    /// The user as the application layer's commands know them.
    pub fn actor(&self) -> chiso_app::Actor {
        chiso_app::Actor::of(&self.row)
    }

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
///
/// A session whose password is a one-time one given by the system leads only to changing it:
/// every page but the account page (`/tai-khoan`) and logging out redirects there, and the
/// API answers `password_change_required`. API tokens are not concerned.
pub struct MaybeUser(pub Option<User>);

/// Paths a session with a one-time password may use.
const WHILE_ONE_TIME: &[&str] = &["/tai-khoan", "/dang-xuat"];

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let user = resolve(parts, state).await.map_err(IntoResponse::into_response)?;
        if let Some(u) = &user
            && u.csrf.is_some()
            && u.row.must_change_password
            && !WHILE_ONE_TIME.contains(&parts.uri.path())
        {
            if parts.uri.path().starts_with("/api/") {
                let e = AppError::new(axum::http::StatusCode::FORBIDDEN, |t| t.error_password_change);
                return Err(e.code("password_change_required").into_response());
            }
            return Err(axum::response::Redirect::to("/tai-khoan").into_response());
        }
        if let (Some(u), Some(slot)) = (&user, parts.extensions.get::<crate::error::ReaderSlot>()) {
            *slot.0.lock().expect("not poisoned") = Some(u.clone());
        }
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
        let row = state.app.token_user(token.trim()).await?;
        return Ok(row.map(|row| User { row, csrf: None }));
    }
    let Some(id) = cookie(parts, SESSION_COOKIE) else { return Ok(None) };
    let session = state.app.session_user(&id).await?;
    Ok(session.map(|(row, csrf)| User { row, csrf: Some(csrf) }))
}

pub fn require(user: Option<User>) -> AppResult<User> {
    user.ok_or_else(AppError::login_required)
}

/// The user behind an API token; a session cookie is refused for JSON writes (no browser
/// session can be ridden into one).
pub fn require_token(user: Option<User>) -> AppResult<User> {
    let u = require(user)?;
    if u.csrf.is_some() { Err(AppError::forbidden()) } else { Ok(u) }
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
}
