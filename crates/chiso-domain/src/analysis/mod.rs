//! Analysis no ranking tool offers: how solid each rank is, what a unit must do to reach
//! the next level, and how units moved over the years.
//!
//! - [`stability`]: Monte-Carlo perturbation of the top-level groups' weights and of the
//!   level minima, and leaving one group out; per unit the median rank, the 5–95 % rank
//!   interval and the probability of each level; per pair of neighbours how often they
//!   swap; summary sentences ([`Summary::sentence`]). Seeded ([`rng`]), parallel, and
//!   identical for any number of threads. Ranks are compared in `f64`.
//! - [`next_level`]: the points missing to the next level, each group's headroom, the
//!   smallest set of group improvements that closes the gap (preferring the groups where
//!   the unit is furthest below the median), and the figures that would give those
//!   points. Exact decimals, the framework's rounding.
//! - [`trends`]: totals, levels and ranks across periods, through lineage.

mod figures;
mod next_level;
pub mod rng;
mod stability;
mod text;
mod totals;
mod trends;

pub use figures::FigureChange;
pub use next_level::{GroupRoom, Plan, Step, next_level};
pub use stability::{
    HOLD, INTERCHANGEABLE, LeftOut, Options, PairFlip, Share, Stability, Summary, UnitStability, stability,
    stability_with,
};
pub use text::{Lang, percent};
pub use trends::{TrendPoint, Trends, UnitTrend, YearDistribution, trends};
