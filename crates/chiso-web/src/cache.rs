//! A micro-cache for what everyone reads at the deadline: the home page, the public ranking
//! page, its JSON and each unit's public page. Published results change only when someone
//! publishes, so an entry may be up to [`TTL`] old; a publication or catalogue change clears
//! it at once, whether made through this server or through another on the same database
//! (`App::on_change`: chiso-app's `changes.rs` reads the database's change counter every
//! 250 ms). One request builds a stale entry again while the others serve the old copy
//! (chiso-app's `Kept`). An entry nobody asked for in [`KEEP`] is dropped, swept every
//! [`TTL`]: the cache holds what is being read now, not every unit's page ever opened
//! (4,500 units' pages in two languages are 70 MB).

use crate::error::AppResult;
use chiso_app::kept::Kept;
use std::sync::Arc;
use std::time::Duration;

pub const TTL: Duration = Duration::from_secs(1);
/// An entry built this long ago and not built again since (nobody read it after its
/// [`TTL`]) is dropped: the next reader builds it again, as it would have anyway.
const KEEP: Duration = Duration::from_secs(10);

pub struct MicroCache(Kept<String, Arc<str>>);

impl MicroCache {
    /// A cache swept every [`TTL`] for as long as it is in use (needs a Tokio runtime).
    pub fn swept() -> Arc<MicroCache> {
        let cache = Arc::new(MicroCache(Kept::new(TTL)));
        let weak = Arc::downgrade(&cache);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TTL);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match weak.upgrade() {
                    Some(c) => c.0.sweep(KEEP),
                    None => return,
                }
            }
        });
        cache
    }

    pub async fn get_or_build<F, Fut>(&self, key: &str, build: F) -> AppResult<Arc<str>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<String>>,
    {
        self.0.get_or_build(key, || async { build().await.map(Arc::from) }).await
    }

    /// Forgets everything: after a publication or a catalogue change.
    pub fn clear(&self) {
        self.0.clear();
    }
}
