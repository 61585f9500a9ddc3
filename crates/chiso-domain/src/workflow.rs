//! The yearly workflow's states and the one place that says which moves are allowed:
//! a unit's submission goes draft → submitted → verified (or back to draft when the
//! assessors ask a question); a period is open, closed, then published.

use crate::unit::UnitId;

/// Where a unit's submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubmissionStatus {
    /// Being filled by the unit; the only state in which its figures change.
    Draft,
    /// Sent to the assessors; waits for review.
    Submitted,
    /// Checked by an assessor; final for the period.
    Verified,
}

/// A move of a submission from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The unit sends its figures.
    Submit,
    /// An assessor returns the submission with a question.
    Return,
    /// An assessor accepts it.
    Verify,
}

impl SubmissionStatus {
    pub const ALL: [SubmissionStatus; 3] =
        [SubmissionStatus::Draft, SubmissionStatus::Submitted, SubmissionStatus::Verified];

    /// The status after `t`, or `None` if `t` is not allowed from here.
    pub fn after(self, t: Transition) -> Option<SubmissionStatus> {
        use SubmissionStatus::*;
        match (self, t) {
            (Draft, Transition::Submit) => Some(Submitted),
            (Submitted, Transition::Return) => Some(Draft),
            (Submitted, Transition::Verify) => Some(Verified),
            _ => None,
        }
    }

    /// Its figures may still be changed by the unit.
    pub fn editable(self) -> bool {
        self == SubmissionStatus::Draft
    }

    /// An assessor may act on it (adjust, ask, verify).
    pub fn reviewable(self) -> bool {
        self == SubmissionStatus::Submitted
    }

    /// Its figures count in the period's results (drafts count as not supplied).
    pub fn counts(self) -> bool {
        matches!(self, SubmissionStatus::Submitted | SubmissionStatus::Verified)
    }

    /// The stored and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::Verified => "verified",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionStatus> {
        SubmissionStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where an assessment period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodStatus {
    /// Units enter and submit their figures.
    Open,
    /// No more entry (a period taken from a past year's published report).
    Closed,
    /// Results published (and still open for corrections until the next publication).
    Published,
}

impl PeriodStatus {
    pub const ALL: [PeriodStatus; 3] = [PeriodStatus::Open, PeriodStatus::Closed, PeriodStatus::Published];

    /// Units may save, submit and upload evidence.
    pub fn accepts_work(self) -> bool {
        self == PeriodStatus::Open
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodStatus::Open => "open",
            PeriodStatus::Closed => "closed",
            PeriodStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodStatus> {
        PeriodStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl std::fmt::Display for SubmissionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for PeriodStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unit's submission in one period: what every submission-scoped use case addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubmissionKey {
    pub year: i32,
    pub kind: String,
    pub unit: UnitId,
}

impl SubmissionKey {
    pub fn new(year: i32, kind: impl Into<String>, unit: impl Into<String>) -> SubmissionKey {
        SubmissionKey { year, kind: kind.into(), unit: UnitId(unit.into()) }
    }

    pub fn unit(&self) -> &str {
        &self.unit.0
    }
}

impl std::fmt::Display for SubmissionKey {
    /// `2020/department/so-y-te`, as in the audit trail's entity names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.year, self.kind, self.unit.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionStatus::*;

    #[test]
    fn only_the_workflow_moves_are_allowed() {
        assert_eq!(Draft.after(Transition::Submit), Some(Submitted));
        assert_eq!(Submitted.after(Transition::Return), Some(Draft));
        assert_eq!(Submitted.after(Transition::Verify), Some(Verified));
        // A verified submission is final; a draft cannot be verified or returned.
        for t in [Transition::Submit, Transition::Return, Transition::Verify] {
            assert_eq!(Verified.after(t), None);
        }
        assert_eq!(Draft.after(Transition::Verify), None);
        assert_eq!(Draft.after(Transition::Return), None);
        assert_eq!(Submitted.after(Transition::Submit), None);
    }

    #[test]
    fn spellings_round_trip_and_unknown_ones_fail() {
        for s in SubmissionStatus::ALL {
            assert_eq!(SubmissionStatus::parse(s.as_str()), Some(s));
        }
        for p in PeriodStatus::ALL {
            assert_eq!(PeriodStatus::parse(p.as_str()), Some(p));
        }
        assert_eq!(SubmissionStatus::parse("Submitted"), None);
        assert_eq!(PeriodStatus::parse(""), None);
        assert!(Submitted.counts() && Verified.counts() && !Draft.counts());
        assert!(PeriodStatus::Open.accepts_work() && !PeriodStatus::Published.accepts_work());
    }

    #[test]
    fn a_key_names_its_submission_as_the_record_does() {
        assert_eq!(SubmissionKey::new(2020, "department", "so-y-te").to_string(), "2020/department/so-y-te");
    }
}
