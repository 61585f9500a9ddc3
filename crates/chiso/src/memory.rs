//! A long-running server gives memory back after large work (a national template, a
//! publication). glibc otherwise keeps what was freed: large buffers stay on the heap once its
//! dynamic mmap threshold has grown, and every thread's arena keeps its free pages.

/// Large buffers (≥ 256 KiB) mapped on their own and unmapped when freed, at most two arenas
/// per core's worth of threads, and the heaps trimmed every 30 s.
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
            loop {
                std::thread::sleep(std::time::Duration::from_secs(30));
                // SAFETY: malloc_trim is thread-safe and only releases free memory.
                unsafe {
                    libc::malloc_trim(0);
                }
            }
        });
        if let Err(e) = trim {
            tracing::warn!(error = %e, "memory is not trimmed: no thread for it");
        }
    }
}
