//! The `chiso` binary: wires the crates below it to a command line. No logic of its own.

mod cmd;
mod memory;
mod progress;
mod text;

use chiso_data::{DataText, Lang};
use clap::{Parser, Subcommand};

use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "chiso", version, about = "Đánh giá, xếp hạng chính quyền số / assess and rank digital government")]
struct Cli {
    /// Language of messages: vi (default) or en.
    #[arg(long, global = true, env = "CHISO_LANG", default_value = "vi")]
    lang: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score, level and rank a period; print the ranking table.
    Score(cmd::score::Args),
    /// Run the web platform and JSON API (SQLite by default; PostgreSQL via DATABASE_URL).
    Serve(cmd::serve::ServeArgs),
    /// Users of the platform.
    User {
        #[command(subcommand)]
        command: cmd::serve::UserCommand,
    },
    /// The platform's periods: list, open, publish, the units still missing.
    Period {
        #[command(subcommand)]
        command: cmd::period::Command,
    },
    /// Verify the audit chain, its signature, and that the data is what the trail says.
    Verify(cmd::verify::Args),
    /// Back up the database and its evidence files into one file (while the server runs).
    Backup(cmd::backup::BackupArgs),
    /// Restore a backup (checked first; all or nothing; --force to replace a non-empty database).
    Restore(cmd::backup::RestoreArgs),
    /// Write the official report: DOCX, PDF, XLSX, HTML.
    Report(cmd::report::Args),
    /// Frameworks: validate a framework file.
    Framework {
        #[command(subcommand)]
        command: cmd::framework::Command,
    },
    /// Validate a table of figures (CSV/XLSX) and make it a period's data.
    Import(cmd::import::Args),
    /// Write a data-entry template (XLSX) for a unit, or every unit of a kind.
    Template(cmd::template::Args),
    /// Write a period's figures, scores and results (XLSX or CSV, the layout `import` reads).
    Export(cmd::export::Args),
    /// Read tables transcribed from a printed report; report values printed two ways.
    Seed(cmd::seed::Args),
    /// How solid each rank is, what each unit needs for the next level, trends over the years.
    Analyze(cmd::analyze::Args),
    /// Check a ranking report made by hand (DOCX, XLSX, CSV): every inconsistency, located.
    Audit(cmd::audit::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = Lang::from_locale(&cli.lang);
    if !matches!(cli.command, Command::Serve(_)) {
        end_quietly_when_the_reader_stops();
    }
    let result = match cli.command {
        Command::Score(a) => cmd::score::run(a, lang),
        Command::Report(a) => cmd::report::run(a, lang),
        Command::Serve(a) => cmd::serve::serve(a, lang),
        Command::User { command } => cmd::serve::user(command, lang),
        Command::Period { command } => cmd::period::run(command, lang),
        Command::Verify(a) => cmd::verify::run(a, lang),
        Command::Backup(a) => cmd::backup::backup(a, lang),
        Command::Restore(a) => cmd::backup::restore(a, lang),
        Command::Framework { command } => cmd::framework::run(command, lang),
        Command::Import(a) => cmd::import::run(a, lang),
        Command::Seed(a) => cmd::seed::run(a, lang),
        Command::Template(a) => cmd::template::run(a, lang),
        Command::Export(a) => cmd::export::run(a, lang),
        Command::Analyze(a) => cmd::analyze::run(a, lang),
        Command::Audit(a) => cmd::audit::run(a, lang),
    };
    match result {
        Ok(code) => code,
        Err(messages) => {
            for m in messages {
                eprintln!("{m}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Every command returns either an exit code or the messages to print, already localized.
pub type Outcome = Result<ExitCode, Vec<String>>;

pub fn errors(lang: Lang, errors: Vec<chiso_data::DataError>) -> Vec<String> {
    errors.iter().map(|e| lang.error(e)).collect()
}

pub fn load(dir: &std::path::Path, lang: Lang) -> Result<chiso_data::Dataset, Vec<String>> {
    chiso_data::Dataset::load(dir).map_err(|e| errors(lang, e))
}

/// A reader that stops early (`chiso score … | head`) ends the command quietly, as it ends
/// any Unix tool, instead of a panic on the next write. Not for the server, whose closed
/// sockets are errors it handles (Rust ignores SIGPIPE by default for that).
fn end_quietly_when_the_reader_stops() {
    #[cfg(unix)]
    // SAFETY: called once at start, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
