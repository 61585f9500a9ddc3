//! Passwords (argon2id, off the async workers), the rules a chosen password follows,
//! random tokens and their hashes: the secrets every front end handles the same way.

use crate::{Error, MIN_PASSWORD, Message, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chiso_store::UserRow;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// Password checks run so far (tests read it: an unknown user's login checks one too).
pub static PASSWORD_CHECKS: AtomicU64 = AtomicU64::new(0);

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

/// The most common passwords, lower case, one a line (`#` starts a comment).
const COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect())
}

/// Whether a password is one of the most common ones, ignoring case, also when followed by
/// digits or symbols ("Password2024!").
pub fn is_common(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    let base = p.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace());
    common().contains(p.as_str()) || (base.chars().count() >= 4 && common().contains(base))
}

/// The rules of a new or changed password for `username`: at least [`MIN_PASSWORD`]
/// characters, not the user name and not containing it (ignoring case; a name of fewer than
/// 3 characters only as the whole password), not among the most common passwords.
pub fn check_rules(username: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::invalid(Message::ShortPassword).code("short_password"));
    }
    let name = chiso_store::fold_username(username);
    let folded = chiso_store::fold_username(password);
    if !name.is_empty() && (folded == name || (name.chars().count() >= 3 && folded.contains(&name))) {
        return Err(Error::invalid(Message::PasswordHasUsername).code("password_contains_username"));
    }
    if is_common(password) {
        return Err(Error::invalid(Message::CommonPassword).code("common_password"));
    }
    Ok(())
}

/// A password the system gives someone (shown once): random, and following the rules.
pub fn one_time_password(username: &str) -> String {
    loop {
        let password = random_token()[..24].to_string();
        if check_rules(username, &password).is_ok() {
            return password;
        }
    }
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random generator");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_store::Role;

    #[test]
    fn chosen_passwords_follow_the_rules() {
        let refused = |name: &str, pw: &str| check_rules(name, pw).unwrap_err().code;
        assert_eq!(refused("yte", "ngan-qua-11"), "short_password");
        assert_eq!(check_rules("yte", "ngan-qua-12c"), Ok(()));
        // The user name, in any case, or inside the password.
        assert_eq!(refused("nguyen.van.a", "NGUYEN.VAN.A"), "password_contains_username");
        assert_eq!(refused("bao.cao", "toi-la-Bao.Cao-2024"), "password_contains_username");
        assert_eq!(refused("yte", "mat-khau-yte-rat-dai"), "password_contains_username");
        // A one- or two-letter name only as the whole password.
        assert_eq!(check_rules("a", "mat-khau-rat-dai"), Ok(()));
        // Common passwords, in any case, also followed by digits or symbols.
        for common in
            ["qwerty123456", "Password1234", "matkhau123456", "ANHYEUEM123456", "iloveyou2024!!", "111111111111"]
        {
            assert_eq!(refused("yte", common), "common_password", "{common}");
        }
        assert!(!is_common("mat-khau-du-dai"));
        // The file holds a few hundred of them, every one lower case.
        assert!(common().len() > 300 && common().iter().all(|p| *p == p.to_lowercase()));
        // Passwords the system makes follow the same rules, whatever the name.
        for name in ["admin", "a", "0", "ab", "abc", "123"] {
            for _ in 0..50 {
                assert_eq!(check_rules(name, &one_time_password(name)), Ok(()));
            }
        }
        let e = check_rules("yte", "qwerty123456").unwrap_err();
        assert!(e.render(chiso_domain::Lang::Vi).contains("phổ biến"), "{}", e.render(chiso_domain::Lang::Vi));
        assert!(e.render(chiso_domain::Lang::En).contains("common"), "{}", e.render(chiso_domain::Lang::En));
    }

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
            must_change_password: false,
        };
        assert!(check_password(Some(row(false)), "dung-mat-khau").await.is_some());
        assert!(check_password(Some(row(true)), "dung-mat-khau").await.is_none());
    }
}
