//! How far a long computation got, told to whoever shows it (the CLI's progress line): the
//! library calls [`Progress::set`] with amounts that only grow and end at the total. Nothing
//! computed depends on it: the same outputs with or without someone watching.

use std::sync::Mutex;

/// Told `done` of `total` as the work goes; shared by the threads doing it.
pub trait Progress: Sync {
    fn set(&self, done: u64, total: u64);
}

impl<F: Fn(u64, u64) + Sync> Progress for F {
    fn set(&self, done: u64, total: u64) {
        self(done, total)
    }
}

/// Nobody watching.
pub struct Quiet;

impl Progress for Quiet {
    fn set(&self, _: u64, _: u64) {}
}

/// Work done by several threads, counted in one place and told in order: each `add` tells
/// the new sum, so what the watcher sees never goes back.
pub struct Counter<'a> {
    progress: &'a dyn Progress,
    total: u64,
    done: Mutex<u64>,
}

impl<'a> Counter<'a> {
    pub fn new(progress: &'a dyn Progress, total: u64) -> Counter<'a> {
        Counter { progress, total, done: Mutex::new(0) }
    }

    /// `n` more done.
    pub fn add(&self, n: u64) {
        if n == 0 {
            return;
        }
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        *done = (*done + n).min(self.total);
        self.progress.set(*done, self.total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_adding_are_told_in_order_up_to_the_total() {
        let seen = Mutex::new(Vec::new());
        let record = |d: u64, t: u64| seen.lock().unwrap().push((d, t));
        let counter = Counter::new(&record, 4 * 250);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..250).for_each(|_| counter.add(1)));
            }
        });
        let seen = seen.into_inner().unwrap();
        assert_eq!(seen.len(), 1000);
        assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "only grows");
        assert_eq!(seen.last(), Some(&(1000, 1000)));
        Quiet.set(1, 2);
    }
}
