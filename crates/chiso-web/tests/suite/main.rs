//! The platform over HTTP: every integration test of chiso-web in one binary (linked once, not
//! once per file).

mod accounts;
mod audit_log;
mod catalogue_scale;
mod entry;
mod national;
mod orphans;
mod periods;
mod reorganisation;
mod report_settings;
mod security;
mod start;
mod web;
mod work_page;
mod workbook;
