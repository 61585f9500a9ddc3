//! Values kept for a short time, read again by one request at a time: the catalogue, each
//! period's published version, and the web's public pages (its micro-cache).
//!
//! A value is fresh for its `ttl`. After that the first request builds it again while the
//! others keep getting the old copy, so expiry never sends every request to the database
//! at once (at national size, every request reading the catalogue at each second stalled
//! the pages). [`Kept::clear`] forgets everything at once (a change made here or seen from
//! another server), and a build begun before a clear is returned to its request but not
//! kept. [`Kept::sweep`] drops what nobody asked for lately.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;
// Tokio's clock (the system's, unless a test pauses it).
use tokio::time::Instant;

/// A build that has not finished in this time (its request was dropped) is begun again.
const REBUILD_TIMEOUT: Duration = Duration::from_secs(5);

pub struct Kept<K, V> {
    ttl: Duration,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    entries: HashMap<K, Entry<V>>,
    /// Counts the clears: a build begun before one is not kept.
    generation: u64,
}

struct Entry<V> {
    value: V,
    /// When the build of `value` began: what it read is at least this recent.
    at: Instant,
    rebuilding_since: Option<Instant>,
}

impl<K: Hash + Eq, V: Clone> Kept<K, V> {
    /// Values fresh for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Kept { ttl, inner: Mutex::new(Inner { entries: HashMap::new(), generation: 0 }) }
    }

    /// The value kept for `key` if fresh (or being built again by another request), else
    /// `build`'s, kept unless cleared meanwhile. A failed build keeps nothing and lets the
    /// next request try.
    pub async fn get_or_build<Q, F, Fut, E>(&self, key: &Q, build: F) -> Result<V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let started = Instant::now();
        let generation = {
            let mut inner = self.inner.lock().expect("not poisoned");
            if let Some(e) = inner.entries.get_mut(key) {
                let rebuilding = e.rebuilding_since.is_some_and(|t| t.elapsed() < REBUILD_TIMEOUT);
                if e.at.elapsed() < self.ttl || rebuilding {
                    return Ok(e.value.clone());
                }
                e.rebuilding_since = Some(started);
            }
            inner.generation
        };
        let built = build().await;
        let mut inner = self.inner.lock().expect("not poisoned");
        match built {
            Ok(value) => {
                if inner.generation == generation {
                    let entry = Entry { value: value.clone(), at: started, rebuilding_since: None };
                    inner.entries.insert(key.to_owned(), entry);
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

    /// Forgets everything, and any build begun before now.
    pub fn clear(&self) {
        let mut inner = self.inner.lock().expect("not poisoned");
        inner.entries.clear();
        inner.generation += 1;
    }

    /// Drops the values built more than `unread` ago and not being built again: nobody asked
    /// for them since they went stale.
    pub fn sweep(&self, unread: Duration) {
        let mut inner = self.inner.lock().expect("not poisoned");
        inner.entries.retain(|_, e| {
            e.at.elapsed() <= unread || e.rebuilding_since.is_some_and(|t| t.elapsed() < REBUILD_TIMEOUT)
        });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().expect("not poisoned").entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    const TTL: Duration = Duration::from_secs(1);
    type Pages = Kept<String, String>;

    async fn get(k: &Pages, key: &str, v: &str) -> String {
        k.get_or_build(key, || async { Ok::<_, ()>(v.to_string()) }).await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn serves_the_copy_until_cleared_and_never_keeps_a_build_older_than_the_clear() {
        let kept = Pages::new(TTL);
        let builds = AtomicU32::new(0);
        let build = || async { Ok::<_, ()>(format!("v{}", builds.fetch_add(1, Ordering::SeqCst))) };
        assert_eq!(kept.get_or_build("k", build).await.unwrap(), "v0");
        assert_eq!(kept.get_or_build("k", build).await.unwrap(), "v0");
        kept.clear();
        assert_eq!(kept.get_or_build("k", build).await.unwrap(), "v1");
        // A build that straddles a clear (a version read while another was published) is
        // returned to its request but not kept.
        let straddling = kept.get_or_build("j", || async {
            kept.clear();
            Ok::<_, ()>("old".to_string())
        });
        assert_eq!(straddling.await.unwrap(), "old");
        assert_eq!(get(&kept, "j", "new").await, "new");
        assert_eq!(builds.load(Ordering::SeqCst), 2);
        // Fresh for the TTL only.
        tokio::time::sleep(TTL).await;
        assert_eq!(get(&kept, "j", "newer").await, "newer");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stale_value_is_built_again_by_one_request_while_others_get_the_old_copy() {
        let kept = Pages::new(TTL);
        get(&kept, "k", "old").await;
        tokio::time::sleep(TTL + Duration::from_millis(50)).await;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let rebuild = kept.get_or_build("k", || async {
            rx.await.unwrap();
            Ok::<_, ()>("new".to_string())
        });
        let others = async {
            let seen = get(&kept, "k", "unexpected").await;
            tx.send(()).unwrap();
            seen
        };
        let (rebuilt, seen) = tokio::join!(rebuild, others);
        assert_eq!((rebuilt.unwrap().as_str(), seen.as_str()), ("new", "old"));
        assert_eq!(get(&kept, "k", "x").await, "new");
        // A failed build keeps nothing: the next request builds again.
        tokio::time::sleep(TTL).await;
        assert_eq!(kept.get_or_build("k", || async { Err::<String, _>("down") }).await, Err("down"));
        assert_eq!(get(&kept, "k", "after").await, "after");
    }

    #[tokio::test(start_paused = true)]
    async fn a_value_nobody_reads_is_swept_and_one_being_read_is_kept() {
        let kept = Pages::new(TTL);
        get(&kept, "read", "r0").await;
        get(&kept, "idle", "i0").await;
        let unread = Duration::from_secs(10);
        // "read" is read every second, so built again after each TTL; "idle" never again.
        for _ in 0..12 {
            tokio::time::sleep(TTL + Duration::from_millis(1)).await;
            get(&kept, "read", "r").await;
            kept.sweep(unread);
        }
        assert_eq!(kept.len(), 1);
        assert_eq!(get(&kept, "read", "unexpected").await, "r");
        assert_eq!(get(&kept, "idle", "i1").await, "i1");
    }
}
