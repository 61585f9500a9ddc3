//! A long-running server gives memory back after large work (a national template, a
//! publication). glibc otherwise keeps what was freed: large buffers stay on the heap once its
//! dynamic mmap threshold has grown, and every thread's arena keeps its free pages.

/// Free memory in the heaps that makes a trim at once (rather than at the next 30 s).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_AFTER_FREED: usize = 32 << 20;

/// How often the heaps' free memory is looked at: a tenth of a second, so that a heavy
/// request's memory (an upload, a publication) is given back as it ends, before the next one.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// Looks between trims when nothing large was freed (30 s).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const LOOKS_BETWEEN_TRIMS: u32 = 300;

/// Large buffers (≥ 256 KiB) mapped on their own and unmapped when freed, at most two arenas
/// per core's worth of threads, and the heaps trimmed within 0.1 s of large work freeing
/// tens of megabytes (a publication's document, an upload's workbook), else every 30 s: the
/// next large work then starts from what is live, not from what the last one left resident in
/// another arena.
pub fn give_back_when_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters; called at start, before the
        // runtime's threads exist.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
        let trim = std::thread::Builder::new().name("malloc-trim".into()).spawn(|| {
            // Free bytes in the heaps after the last trim (freed pages given back stay
            // counted as free: only what is freed since makes a trim).
            let mut after_trim = 0usize;
            let mut looks = 0u32;
            loop {
                std::thread::sleep(LOOK_EVERY);
                looks += 1;
                let free = free_in_heaps();
                if free >= after_trim + TRIM_AFTER_FREED || looks >= LOOKS_BETWEEN_TRIMS {
                    // SAFETY: malloc_trim is thread-safe and only releases free memory.
                    unsafe {
                        libc::malloc_trim(0);
                    }
                    after_trim = free_in_heaps();
                    looks = 0;
                } else {
                    // Free memory reused: what is freed next counts from here.
                    after_trim = after_trim.min(free);
                }
            }
        });
        if let Err(e) = trim {
            tracing::warn!(error = %e, "memory is not trimmed: no thread for it");
        }
    }
}

/// The bytes free in the allocator's heaps (every arena).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn free_in_heaps() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    unsafe { libc::mallinfo2() }.fordblks
}
