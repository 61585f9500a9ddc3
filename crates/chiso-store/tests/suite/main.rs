//! Storage, on SQLite and PostgreSQL: every integration test of chiso-store in one binary (linked once, not
//! once per file).

mod accounts;
mod audit_page;
mod backup;
mod changes;
mod failures;
mod jobs;
mod store;
mod tamper;
