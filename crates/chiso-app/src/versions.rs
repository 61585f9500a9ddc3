//! The published version of each period, kept for a second: a unit's page asks it for every
//! year, and on PostgreSQL each ask is a round trip. A publication here or on another
//! server (seen by the change counter) forgets them at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a version is kept without asking the database again.
const KEPT_FOR: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(crate) struct Versions(Mutex<Inner>);

#[derive(Default)]
struct Inner {
    kept: HashMap<(i32, String), (Instant, Option<i64>)>,
    /// Counts the forgettings: a version read before one is not kept.
    generation: u64,
}

impl Versions {
    /// The version kept for the period, if read less than a second ago; and the generation
    /// to [`Versions::keep`] a version read now under.
    pub(crate) fn get(&self, year: i32, kind: &str) -> Result<Option<i64>, u64> {
        let inner = self.0.lock().expect("not poisoned");
        match inner.kept.get(&(year, kind.to_string())) {
            Some((at, version)) if at.elapsed() < KEPT_FOR => Ok(*version),
            _ => Err(inner.generation),
        }
    }

    /// Keeps `version`, read at `at`, unless something was published since `generation`.
    pub(crate) fn keep(&self, year: i32, kind: &str, version: Option<i64>, at: Instant, generation: u64) {
        let mut inner = self.0.lock().expect("not poisoned");
        if inner.generation == generation {
            inner.kept.insert((year, kind.to_string()), (at, version));
        }
    }

    pub(crate) fn forget(&self) {
        let mut inner = self.0.lock().expect("not poisoned");
        inner.kept.clear();
        inner.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_read_before_a_publication_is_not_kept_after_it() {
        let v = Versions::default();
        let g = v.get(2024, "commune").unwrap_err();
        v.keep(2024, "commune", Some(1), Instant::now(), g);
        assert_eq!(v.get(2024, "commune"), Ok(Some(1)));
        assert!(v.get(2024, "department").is_err());
        // Read (version 1) while version 2 was published: the publication forgets, and the
        // late reading is not kept.
        let g = v.get(2023, "commune").unwrap_err();
        v.forget();
        v.keep(2023, "commune", Some(1), Instant::now(), g);
        assert!(v.get(2023, "commune").is_err() && v.get(2024, "commune").is_err());
        // Kept for a second only.
        let g = v.get(2024, "commune").unwrap_err();
        v.keep(2024, "commune", Some(2), Instant::now() - KEPT_FOR, g);
        assert!(v.get(2024, "commune").is_err());
    }
}
