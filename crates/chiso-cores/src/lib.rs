//! Scoped worker threads that start on another core than the thread that spawns them.
//!
//! chiso splits large work in two or three (two periods read at once, a CSV written in
//! halves) and joins within milliseconds. A new thread is queued on its parent's core; on a
//! virtual machine whose scheduler packs work onto busy virtual CPUs it waited there until
//! the parent blocked or was preempted: up to 3 ms at each split, measured, so that two
//! halves of 3 ms took 4–6 ms rather than 3. [`spawn`] lets the parent step aside once
//! ([`std::thread::yield_now`]) so the worker runs at once, and the worker moves itself to
//! the next core this process may use, then allows itself every core again (the scheduler
//! stays free to move it later). Where that cannot be done (another system, one core, an
//! affinity call refused) it is a plain [`std::thread::Scope::spawn`].

use std::thread::{Scope, ScopedJoinHandle};

/// [`Scope::spawn`], the thread started on another core than the caller's (see the crate).
pub fn spawn<'scope, T, F>(scope: &'scope Scope<'scope, '_>, f: F) -> ScopedJoinHandle<'scope, T>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    let place = elsewhere::target();
    let handle = scope.spawn(move || {
        if let Some(place) = &place {
            place.move_here();
        }
        f()
    });
    std::thread::yield_now();
    handle
}

#[cfg(target_os = "linux")]
mod elsewhere {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Successive workers go to successive other cores.
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    /// Where a new worker goes, and the cores it may use afterwards.
    pub struct Place {
        core: usize,
        allowed: libc::cpu_set_t,
    }

    /// Another core the calling thread may use, or `None` (one core, or unknown).
    pub fn target() -> Option<Place> {
        // SAFETY: `cpu_set_t` is plain data; sched_getaffinity writes at most its size,
        // and sched_getcpu takes no argument.
        let (allowed, here) = unsafe {
            let mut allowed: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut allowed) != 0 {
                return None;
            }
            (allowed, libc::sched_getcpu())
        };
        let here = usize::try_from(here).ok()?;
        let cores = 8 * size_of::<libc::cpu_set_t>();
        // SAFETY: CPU_ISSET reads a bit of a set within its size.
        let others: Vec<usize> = (0..cores).filter(|&c| c != here && unsafe { libc::CPU_ISSET(c, &allowed) }).collect();
        if others.is_empty() {
            return None;
        }
        let core = others[NEXT.fetch_add(1, Ordering::Relaxed) % others.len()];
        Some(Place { core, allowed })
    }

    impl Place {
        /// On the worker: to the chosen core (the kernel moves a thread at once when its
        /// own core is no longer allowed), then every core the parent could use.
        pub fn move_here(&self) {
            // SAFETY: the sets are plain data of the size given; 0 is the calling thread.
            unsafe {
                let mut one: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(self.core, &mut one);
                if libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &one) == 0 {
                    libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &self.allowed);
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod elsewhere {
    pub struct Place;
    pub fn target() -> Option<Place> {
        None
    }
    impl Place {
        pub fn move_here(&self) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_runs_and_returns_what_it_computes() {
        let data = [1u64, 2, 3, 4];
        let (a, b) = std::thread::scope(|s| {
            let h = spawn(s, || data[2..].iter().sum::<u64>());
            (data[..2].iter().sum::<u64>(), h.join().unwrap())
        });
        assert_eq!((a, b), (3, 7));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_worker_may_use_every_core_its_parent_may_afterwards() {
        // SAFETY: plain data of the given size.
        let mask = || unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set), 0);
            (0..1024).filter(|&c| libc::CPU_ISSET(c, &set)).collect::<Vec<usize>>()
        };
        let parent = mask();
        let (child, core) = std::thread::scope(|s| {
            // SAFETY: no argument.
            spawn(s, || (mask(), unsafe { libc::sched_getcpu() })).join().unwrap()
        });
        assert_eq!(child, parent, "the worker is not left pinned to one core");
        assert!(parent.contains(&usize::try_from(core).unwrap()));
    }
}
