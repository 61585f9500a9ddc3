//! The domain of chiso: how digital-government indices are defined, scored,
//! ranked and compared. Pure functions over plain data: no files, no network,
//! no clocks. Storage, reports and the web build on this crate.

pub mod analysis;
pub mod collate;
pub mod compare;
pub mod conflict;
pub mod date;
pub mod engine;
mod exact;
pub mod explain;
pub mod framework;
pub mod lang;
pub mod lineage;
pub mod movement;
pub mod number;
pub mod period;
pub mod progress;
pub mod report_settings;
pub mod stats;
#[cfg(test)]
mod test_frameworks;
pub mod unit;
pub mod versions;
pub mod workflow;

pub use compare::{Baseline, Comparison, Delta, compare};
pub use engine::{Results, Status, UnitResult, score};
pub use framework::{
    Criterion, CriterionId, CriterionSpec, Framework, FrameworkError, FrameworkSpec, Level, NotApplicable, Rule,
    TieBasis,
};
pub use lang::Lang;
pub use number::{Points, Rounding, RoundingMode, RoundingScope};
pub use period::{Answer, Period, PeriodUnit, PublishedResult, Ratio, Submission};
pub use report_settings::{KindSettings, ReportSettings, Signatory, UnitRows};
pub use rust_decimal::Decimal;
pub use unit::{Lineage, LineageKind, Registry, Unit, UnitId, UnitKind};
pub use workflow::{PeriodStatus, SubmissionKey, SubmissionStatus, Transition};
