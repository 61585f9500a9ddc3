//! Passwords (argon2id, off the async workers), random tokens and their hashes: the
//! secrets every front end handles the same way.

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
}
