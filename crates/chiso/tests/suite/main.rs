//! The `chiso` command as users run it: every integration test of chiso in one binary (linked once, not
//! once per file).

mod analyze_cli;
mod audit_cli;
mod backup_cli;
mod cli;
mod command;
mod import_db;
mod period_cli;
mod progress_cli;
mod report_tables_cli;
mod serve;
mod tamper_cli;
mod template_cli;
mod user_cli;
