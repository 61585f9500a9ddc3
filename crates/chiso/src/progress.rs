//! Progress on long commands (import, report, analyze, backup, restore): one line on stderr,
//! redrawn in place (what is being done, a bar when the amount is known, the time so far),
//! only when stderr is a terminal; nothing at all otherwise (pipes, logs, cron, tests), so
//! what a command prints stays what a script reads. Written here rather than taken from a
//! crate: `indicatif` would bring five crates for one line.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the line is redrawn at most, and by the clock while a step gives no news.
const EVERY: Duration = Duration::from_millis(200);
const BAR: usize = 24;

#[derive(Debug, Clone)]
struct Line {
    label: String,
    done: u64,
    total: u64,
    /// `done` counts bytes (printed in MB).
    bytes: bool,
    started: Instant,
}

/// The progress of one command; ends (the line cleared) when dropped.
pub struct Progress {
    line: Option<Arc<Mutex<Line>>>,
    stop: Arc<AtomicBool>,
    clock: Option<std::thread::JoinHandle<()>>,
    drawn: Mutex<Instant>,
}

impl Progress {
    /// Progress shown if stderr is a terminal (and not a `dumb` one).
    pub fn new(label: &str) -> Progress {
        let shown = std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb");
        Progress::shown(label, shown)
    }

    fn shown(label: &str, shown: bool) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        if !shown {
            return Progress { line: None, stop, clock: None, drawn: Mutex::new(Instant::now()) };
        }
        let line = Arc::new(Mutex::new(Line {
            label: label.to_string(),
            done: 0,
            total: 0,
            bytes: false,
            started: Instant::now(),
        }));
        // The clock keeps the time moving through a long step that says nothing (a PDF).
        let (l, s) = (line.clone(), stop.clone());
        let clock = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(EVERY);
                if !s.load(Ordering::Relaxed) {
                    draw(&l.lock().unwrap_or_else(|p| p.into_inner()));
                }
            }
        });
        draw(&line.lock().unwrap_or_else(|p| p.into_inner()));
        Progress { line: Some(line), stop, clock: Some(clock), drawn: Mutex::new(Instant::now()) }
    }

    /// A new step: its name, and how much of it there is (0: unknown).
    pub fn step(&self, label: &str, total: u64) {
        if let Some(line) = &self.line {
            let mut l = line.lock().unwrap_or_else(|p| p.into_inner());
            l.label = label.to_string();
            l.done = 0;
            l.total = total;
            l.bytes = false;
            draw(&l);
        }
    }

    /// How far the step got: `done` of `total`.
    pub fn set(&self, done: u64, total: u64) {
        if let Some(line) = &self.line {
            let mut l = line.lock().unwrap_or_else(|p| p.into_inner());
            l.done = done;
            l.total = total;
            let mut drawn = self.drawn.lock().unwrap_or_else(|p| p.into_inner());
            if drawn.elapsed() >= EVERY || done >= total {
                *drawn = Instant::now();
                draw(&l);
            }
        }
    }

    /// How many bytes the step has written so far (its total unknown).
    pub fn bytes(&self, written: u64) {
        if let Some(line) = &self.line {
            let mut l = line.lock().unwrap_or_else(|p| p.into_inner());
            l.bytes = true;
            l.done = written;
            l.total = 0;
        }
    }
}

/// The library's work (the analysis's draws) told to the line.
impl chiso_domain::progress::Progress for Progress {
    fn set(&self, done: u64, total: u64) {
        Progress::set(self, done, total)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(clock) = self.clock.take() {
            let _ = clock.join();
        }
        if self.line.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

fn draw(l: &Line) {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K{}", render(l));
    let _ = err.flush();
}

/// The line: `label [#####-----] done/total · 12 s`, `label · 12,5 MB · 12 s` for bytes
/// written, or `label · 12 s` when the amount is unknown.
fn render(l: &Line) -> String {
    let secs = l.started.elapsed().as_secs();
    if l.bytes {
        let tenths = l.done * 10 / 1_000_000;
        return format!("{} · {},{} MB · {secs} s", l.label, tenths / 10, tenths % 10);
    }
    if l.total == 0 {
        return format!("{} · {secs} s", l.label);
    }
    let filled = ((l.done.min(l.total) as u128 * BAR as u128) / l.total as u128) as usize;
    format!("{} [{}{}] {}/{} · {secs} s", l.label, "#".repeat(filled), "-".repeat(BAR - filled), l.done, l.total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_how_far_and_how_long() {
        let l = Line { label: "Nhập".into(), done: 1_125, total: 4_500, bytes: false, started: Instant::now() };
        assert_eq!(render(&l), "Nhập [######------------------] 1125/4500 · 0 s");
        let l = Line { total: 0, ..l };
        assert_eq!(render(&l), "Nhập · 0 s");
        let l = Line { done: 9, total: 3, ..l };
        assert!(render(&l).contains(&"#".repeat(BAR)), "never past full");
        let l = Line { label: "Sao lưu".into(), done: 12_345_678, total: 0, bytes: true, ..l };
        assert_eq!(render(&l), "Sao lưu · 12,3 MB · 0 s");
    }

    #[test]
    fn the_librarys_amounts_reach_the_line() {
        let p = Progress::shown("x", false);
        let told: &dyn chiso_domain::progress::Progress = &p;
        told.set(3, 10);
        p.bytes(5);
        assert!(p.line.is_none(), "hidden: nothing kept, nothing drawn");
    }

    #[test]
    fn hidden_progress_is_silent_and_cheap() {
        let p = Progress::shown("x", false);
        p.step("y", 10);
        p.set(5, 10);
        assert!(p.line.is_none() && p.clock.is_none());
    }
}
