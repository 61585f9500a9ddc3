//! The auditor: every integration test of chiso-audit in one binary (linked once, not
//! once per file).

mod common;
mod generated;
mod readers;
mod robust;
mod scoping;
mod seed;
