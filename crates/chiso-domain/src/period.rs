//! An assessment period: the year, the framework, the units and what each submitted.

use crate::framework::{Framework, Method, NotApplicable, Rule};
use crate::unit::UnitId;
use rust_decimal::Decimal;
use serde::Serialize;

/// A unit's answer for one leaf criterion, in the shape its rule asks for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Points(Decimal),
    YesNo(bool),
    /// Boxed, as the choice's label: inline, every answer of every unit would take 40 bytes
    /// instead of 24 (a national period holds half a million answers, ratios seldom).
    Ratio(Box<Ratio>),
    /// A figure for a step table, a count, or a raw indicator.
    Figure(Decimal),
    Choice(Box<str>),
    NotApplicable,
}

/// A part of a whole, e.g. services online of services offered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    pub numerator: Decimal,
    pub denominator: Decimal,
}

impl Answer {
    pub fn ratio(numerator: Decimal, denominator: Decimal) -> Answer {
        Answer::Ratio(Box::new(Ratio { numerator, denominator }))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("{value} exceeds the maximum {max}")]
    OutOfRange { value: Decimal, max: Decimal },
    #[error("{value} is negative")]
    Negative { value: Decimal },
    #[error("numerator {numerator} exceeds denominator {denominator}")]
    RatioAboveOne { numerator: Decimal, denominator: Decimal },
    #[error("a count must be a whole number, not {value}")]
    NotWhole { value: Decimal },
    #[error("{answer:?} is not one of the answers {allowed:?}")]
    UnknownChoice { answer: String, allowed: Vec<String> },
    #[error("this criterion cannot be declared not applicable")]
    NotApplicableForbidden,
    #[error("a {rule} criterion cannot take this kind of answer")]
    WrongShape { rule: &'static str },
    #[error("{0:?} is a group; answers go to its leaf criteria")]
    NotALeaf(String),
}

/// A unit's answers, indexed like the framework's criteria (groups stay `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    answers: Vec<Option<Answer>>,
}

impl Submission {
    pub fn new(framework: &Framework) -> Submission {
        // Each `None` written as such, not cloned from a first one.
        let mut answers = Vec::with_capacity(framework.criteria.len());
        answers.resize_with(framework.criteria.len(), || None);
        Submission { answers }
    }

    /// Answers as given, unchecked (tests of the engine on answers `set` would refuse).
    #[cfg(test)]
    pub(crate) fn unchecked(answers: Vec<Option<Answer>>) -> Submission {
        Submission { answers }
    }

    pub fn answer(&self, index: usize) -> Option<&Answer> {
        self.answers.get(index).and_then(Option::as_ref)
    }

    pub fn is_empty(&self) -> bool {
        self.answers.iter().all(Option::is_none)
    }

    /// Records an answer after checking it fits the criterion's rule and range.
    #[inline(always)]
    pub fn set(&mut self, framework: &Framework, index: usize, answer: Answer) -> Result<(), AnswerError> {
        // Typed points of a direct criterion within `0..=max` (every cell of a national
        // table): recorded without the general checks, which accept them too.
        if let (Answer::Points(v), Some(c), Some(slot)) =
            (&answer, framework.criteria.get(index), self.answers.get_mut(index))
            && matches!(c.rule, Some(Rule::Direct))
            && !v.is_sign_negative()
            && crate::exact::cmp(v, &c.max).is_le()
        {
            *slot = Some(answer);
            return Ok(());
        }
        self.set_checked(framework, index, answer)
    }

    // Out of line: `set` stays small enough to be inlined where a table's cells are read.
    #[inline(never)]
    fn set_checked(&mut self, framework: &Framework, index: usize, answer: Answer) -> Result<(), AnswerError> {
        let c = framework.criterion(index);
        let Some(rule) = &c.rule else {
            return Err(AnswerError::NotALeaf(c.id.0.clone()));
        };
        // `v < 0` and `v > max` without rust_decimal's general comparison (this runs for
        // every cell of a national table): -0 is not negative, as `-0 < 0` is false.
        let non_negative = |v: Decimal| {
            if v.is_sign_negative() && !v.is_zero() { Err(AnswerError::Negative { value: v }) } else { Ok(()) }
        };
        match (&answer, rule) {
            (Answer::NotApplicable, _) => {
                if c.not_applicable == NotApplicable::Forbidden {
                    return Err(AnswerError::NotApplicableForbidden);
                }
            }
            (Answer::Points(v), Rule::Direct) => {
                non_negative(*v)?;
                if crate::exact::cmp(v, &c.max).is_gt() {
                    return Err(AnswerError::OutOfRange { value: *v, max: c.max });
                }
            }
            (Answer::YesNo(_), Rule::YesNo) => {}
            (Answer::Ratio(r), Rule::Ratio | Rule::RelativeToBest) => {
                let Ratio { numerator, denominator } = **r;
                non_negative(numerator)?;
                non_negative(denominator)?;
                if numerator > denominator {
                    return Err(AnswerError::RatioAboveOne { numerator, denominator });
                }
            }
            (Answer::Figure(v), Rule::Steps { .. }) => non_negative(*v)?,
            // A raw indicator may be negative (a growth rate) where only differences
            // count (min-max, z-score); a ratio to a target or to the best needs v ≥ 0.
            (Answer::Figure(v), Rule::Indicator) => {
                if c.normalise.is_some_and(|n| matches!(n.method, Method::RatioToTarget | Method::RatioToBest)) {
                    non_negative(*v)?;
                }
            }
            (Answer::Figure(v), Rule::Count { .. }) => {
                non_negative(*v)?;
                if !v.fract().is_zero() {
                    return Err(AnswerError::NotWhole { value: *v });
                }
            }
            (Answer::Choice(label), Rule::Scale { answers }) => {
                if !answers.iter().any(|a| a.label.eq_ignore_ascii_case(label)) {
                    return Err(AnswerError::UnknownChoice {
                        answer: label.to_string(),
                        allowed: answers.iter().map(|a| a.label.clone()).collect(),
                    });
                }
            }
            _ => return Err(AnswerError::WrongShape { rule: rule.name() }),
        }
        self.answers[index] = Some(answer);
        Ok(())
    }
}

/// One unit in a period: assessed, with or without data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodUnit {
    pub unit: UnitId,
    /// The official name in that year (for printing and Vietnamese ordering).
    pub name: String,
    /// Ranking group, when the framework ranks within groups.
    pub group: Option<String>,
    /// `None`: the unit supplied no data (neither level nor rank).
    pub submission: Option<Submission>,
}

/// A result as printed in an earlier report, kept where the raw figures are lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedResult {
    pub unit: UnitId,
    pub rank: Option<u32>,
    pub level: Option<String>,
    pub total: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub year: i32,
    pub kind: String,
    pub framework: String,
    pub units: Vec<PeriodUnit>,
    /// Ranks and levels as published: when present, they are the period's official
    /// ranking (the figures we hold may cover only some of the units ranked).
    pub published: Option<Vec<PublishedResult>>,
    /// Invented figures, for demonstration ("Số liệu minh hoạ"): every output showing
    /// them says so. A period is wholly invented or wholly real.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub illustrative: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::RoundingScope;
    use crate::test_frameworks::{self as t, leaf};
    use rust_decimal_macros::dec;

    /// A national period holds half a million answers: each takes 24 bytes (a decimal and
    /// its tag), the rare ratio and choice behind a pointer.
    #[test]
    fn an_answer_is_no_larger_than_a_decimal_and_its_tag() {
        assert_eq!(std::mem::size_of::<Option<Answer>>(), 24);
    }

    fn framework() -> Framework {
        let leaf = |id: &str, max: Decimal| leaf(id, max, NotApplicable::Forbidden, Rule::Direct);
        t::framework(dec!(11.5), RoundingScope::Criterion, vec![leaf("a", dec!(1)), leaf("b", dec!(10.50))])
    }

    #[test]
    fn direct_points_are_recorded_as_the_general_checks_record_them() {
        let fw = framework();
        let values = [
            dec!(0),
            -dec!(0),
            dec!(0.00),
            dec!(0.63),
            dec!(1),
            dec!(1.00),
            dec!(1.000000000000000000001),
            dec!(1.01),
            dec!(-0.01),
            dec!(10.5),
            dec!(10.50000),
            dec!(10.51),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_parts(u32::MAX, u32::MAX, 0, false, 19),
            Decimal::from_parts(0, 0, 1, false, 28),
        ];
        for index in 0..fw.criteria.len() {
            for v in values {
                let (mut fast, mut general) = (Submission::new(&fw), Submission::new(&fw));
                let a = fast.set(&fw, index, Answer::Points(v));
                let b = general.set_checked(&fw, index, Answer::Points(v));
                assert_eq!(a, b, "{v} at {index}");
                assert_eq!(fast, general, "{v} at {index}");
                if let Some(Answer::Points(p)) = fast.answer(index) {
                    assert_eq!(p.scale(), v.scale());
                }
            }
            let mut s = Submission::new(&fw);
            assert_eq!(s.set(&fw, index, Answer::YesNo(true)), Err(AnswerError::WrongShape { rule: "direct" }));
            assert!(s.set(&fw, index, Answer::NotApplicable).is_err());
        }
    }
}
