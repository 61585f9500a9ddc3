//! The checks: tables (sums, maxima, levels, ranks, order, copies, names) and the
//! narrative (claims in paragraphs recomputed from the tables).

pub mod narrative;
pub mod tables;
