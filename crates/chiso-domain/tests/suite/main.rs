//! The engine: every integration test of chiso-domain in one binary (linked once, not
//! once per file).

mod analysis;
mod index_methods;
mod properties;
