//! Running the `chiso` binary as a user would: in a directory, with none of the test
//! machine's `CHISO_LANG`, `DATABASE_URL` or `CHISO_DATA_DIR`.

use std::path::Path;
use std::process::{Command, Output};

pub fn chiso(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chiso"));
    c.current_dir(dir).env_remove("CHISO_LANG").env_remove("DATABASE_URL").env_remove("CHISO_DATA_DIR");
    c
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    chiso(dir).args(args).output().unwrap()
}

/// `args` on the database `db`.
pub fn run_on(dir: &Path, db: &str, args: &[&str]) -> Output {
    chiso(dir).args(args).args(["--db", db]).output().unwrap()
}

/// What the command printed, both streams.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}
