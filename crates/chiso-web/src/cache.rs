//! A micro-cache for what everyone reads at the deadline: the home page, the public ranking
//! page, its JSON and each unit's public page. Published results change only when someone
//! publishes, so an entry may be up to [`TTL`] old; a publication or catalogue change clears
//! it at once, whether made through this server or through another on the same database
//! (`App::on_change`: chiso-app's `changes.rs` reads the database's change counter every
//! 250 ms). When an entry is old, one request rebuilds it while the others keep serving the
//! old copy, so expiry never sends every request to the database at the same moment.
//! An entry nobody asked for in [`KEEP`] is dropped ([`MicroCache::sweep`], every [`TTL`]):
//! the cache holds what is being read now, not every unit's page ever opened (4,500 units'
//! pages in two languages are 70 MB).

use crate::error::AppResult;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
// Tokio's clock (the system's, unless a test pauses it).
use tokio::time::Instant;

pub const TTL: Duration = Duration::from_secs(1);
/// A rebuild that has not finished in this time (its request was cancelled) is retried.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(10);
/// An entry built this long ago and not rebuilt since (nobody read it after its [`TTL`]) is
/// dropped: the next reader builds it again, as it would have anyway.
const KEEP: Duration = Duration::from_secs(10);

struct Entry {
    value: Arc<str>,
    at: Instant,
    rebuilding_since: Option<Instant>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    /// Bumped by [`MicroCache::clear`]: a build that started before it is not stored.
    generation: u64,
}

#[derive(Default)]
pub struct MicroCache(Mutex<Inner>);

impl MicroCache {
    pub async fn get_or_build<F, Fut>(&self, key: &str, build: F) -> AppResult<Arc<str>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<String>>,
    {
        let generation = {
            let mut inner = self.0.lock().expect("not poisoned");
            if let Some(e) = inner.entries.get_mut(key) {
                let rebuilding = e.rebuilding_since.is_some_and(|t| t.elapsed() < REBUILD_TIMEOUT);
                if e.at.elapsed() < TTL || rebuilding {
                    return Ok(e.value.clone());
                }
                e.rebuilding_since = Some(Instant::now());
            }
            inner.generation
        };
        let built = build().await;
        let mut inner = self.0.lock().expect("not poisoned");
        match built {
            Ok(value) => {
                let value: Arc<str> = value.into();
                if inner.generation == generation {
                    let entry = Entry { value: value.clone(), at: Instant::now(), rebuilding_since: None };
                    inner.entries.insert(key.to_string(), entry);
                }
                Ok(value)
            }
            Err(e) => {
                if let Some(entry) = inner.entries.get_mut(key) {
                    entry.rebuilding_since = None;
                }
                Err(e)
            }
        }
    }

    /// Drops the entries built more than [`KEEP`] ago and not being rebuilt (a rebuild
    /// cancelled more than [`REBUILD_TIMEOUT`] ago is not one).
    fn sweep(&self) {
        let mut inner = self.0.lock().expect("not poisoned");
        inner
            .entries
            .retain(|_, e| e.at.elapsed() <= KEEP || e.rebuilding_since.is_some_and(|t| t.elapsed() < REBUILD_TIMEOUT));
    }

    /// Sweeps `cache` every [`TTL`] for as long as it is in use (needs a Tokio runtime).
    pub fn sweep_while_used(cache: &Arc<MicroCache>) {
        let cache = Arc::downgrade(cache);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TTL);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match cache.upgrade() {
                    Some(c) => c.sweep(),
                    None => return,
                }
            }
        });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().expect("not poisoned").entries.len()
    }

    /// Forgets everything: after a publication or a catalogue change.
    pub fn clear(&self) {
        let mut inner = self.0.lock().expect("not poisoned");
        inner.entries.clear();
        inner.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn serves_the_copy_until_cleared_and_never_stores_a_build_older_than_the_clear() {
        let cache = MicroCache::default();
        let builds = AtomicU32::new(0);
        let build = || async {
            let n = builds.fetch_add(1, Ordering::SeqCst);
            Ok(format!("v{n}"))
        };
        assert_eq!(&*cache.get_or_build("k", build).await.unwrap(), "v0");
        assert_eq!(&*cache.get_or_build("k", build).await.unwrap(), "v0");
        cache.clear();
        assert_eq!(&*cache.get_or_build("k", build).await.unwrap(), "v1");
        // A build that straddles a clear is returned to its request but not kept.
        let straddling = cache.get_or_build("j", || async {
            cache.clear();
            Ok("old".to_string())
        });
        assert_eq!(&*straddling.await.unwrap(), "old");
        assert_eq!(&*cache.get_or_build("j", || async { Ok("new".to_string()) }).await.unwrap(), "new");
        assert_eq!(builds.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_entry_nobody_reads_is_dropped_and_one_being_read_is_kept() {
        let cache = Arc::new(MicroCache::default());
        MicroCache::sweep_while_used(&cache);
        cache.get_or_build("read", || async { Ok("r0".to_string()) }).await.unwrap();
        cache.get_or_build("idle", || async { Ok("i0".to_string()) }).await.unwrap();
        // "read" is read every second, so rebuilt after each TTL; "idle" never again.
        for _ in 0..(KEEP.as_secs() + 2) {
            tokio::time::sleep(TTL + Duration::from_millis(1)).await;
            cache.get_or_build("read", || async { Ok("r".to_string()) }).await.unwrap();
        }
        assert_eq!(cache.len(), 1);
        assert_eq!(&*cache.get_or_build("read", || async { Ok("unexpected".to_string()) }).await.unwrap(), "r");
        assert_eq!(&*cache.get_or_build("idle", || async { Ok("i1".to_string()) }).await.unwrap(), "i1");
    }

    #[tokio::test]
    async fn an_old_entry_is_rebuilt_by_one_request_while_others_get_the_old_copy() {
        let cache = MicroCache::default();
        cache.get_or_build("k", || async { Ok("old".to_string()) }).await.unwrap();
        tokio::time::sleep(TTL + Duration::from_millis(50)).await;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let rebuild = cache.get_or_build("k", || async {
            rx.await.unwrap();
            Ok("new".to_string())
        });
        let others = async {
            let seen = cache.get_or_build("k", || async { Ok("unexpected".to_string()) }).await.unwrap();
            tx.send(()).unwrap();
            seen
        };
        let (rebuilt, seen) = tokio::join!(rebuild, others);
        assert_eq!((&*rebuilt.unwrap(), &*seen), ("new", "old"));
        assert_eq!(&*cache.get_or_build("k", || async { Ok("x".to_string()) }).await.unwrap(), "new");
    }
}
