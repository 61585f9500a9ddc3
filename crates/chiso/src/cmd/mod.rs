pub mod framework;
pub mod import;
pub mod score;
pub mod seed;
