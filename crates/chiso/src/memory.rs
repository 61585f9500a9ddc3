//! A long-running server gives memory back after large work (a national template, a
//! publication). glibc otherwise keeps what was freed: large buffers stay on the heap once its
//! dynamic mmap threshold has grown, and every thread's arena keeps its free pages.

/// Free memory in the heaps that makes a trim at once (rather than at the next 30 s).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_AFTER_FREED: usize = 32 << 20;

/// Large buffers (≥ 256 KiB) mapped on their own and unmapped when freed, at most two arenas
/// per core's worth of threads, and the heaps trimmed within a second of large work freeing
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
            let mut seconds = 0u32;
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
                seconds += 1;
                let free = free_in_heaps();
                if free >= after_trim + TRIM_AFTER_FREED || seconds >= 30 {
                    // SAFETY: malloc_trim is thread-safe and only releases free memory.
                    unsafe {
                        libc::malloc_trim(0);
                    }
                    after_trim = free_in_heaps();
                    seconds = 0;
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
