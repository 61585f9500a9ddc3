//! What chiso's tests share, in one place instead of a `common` module copied or `#[path]`ed
//! into each crate's tests: [`db`], a store on SQLite or on a fresh PostgreSQL database, and
//! (feature `web`) [`web`], a running platform and an HTTP client that keeps its cookies.

pub mod db;
#[cfg(feature = "web")]
pub mod web;
