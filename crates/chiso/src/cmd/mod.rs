pub mod analyze;
pub mod audit;
pub mod framework;
pub mod import;
pub mod report;
pub mod score;
pub mod seed;
pub mod serve;
