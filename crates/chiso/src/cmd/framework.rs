use crate::{Outcome, errors, text::text};
use chiso_data::{DataError, ErrorKind, Lang, Location};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum Command {
    /// Validate a framework file; print its summary or every problem with its line.
    Check { file: PathBuf },
}

pub fn run(command: Command, lang: Lang) -> Outcome {
    let Command::Check { file } = command;
    let name = file.display().to_string();
    let source = std::fs::read_to_string(&file)
        .map_err(|e| errors(lang, vec![DataError::new(Location::file(&name), ErrorKind::Io(e.to_string()))]))?;
    let fw = chiso_data::framework_toml::parse(&name, &source).map_err(|e| errors(lang, e))?;
    let leaves = fw.leaves().count();
    println!("{}: {} ({})", text(lang).framework_ok, fw.id, fw.name);
    println!(
        "  {} · {} · max {} · {} criteria ({} leaves) · {} levels · {} decimals",
        fw.legal_basis,
        fw.unit_kind,
        fw.max,
        fw.criteria.len(),
        leaves,
        fw.levels.len(),
        fw.rounding.decimals
    );
    Ok(ExitCode::SUCCESS)
}
