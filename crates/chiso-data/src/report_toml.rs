//! A year's report settings: `reports/<year>.toml` in a dataset.

use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::report_settings::{Judgement, KindSettings, PublishedRanks, ReportSettings, Signatory};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    year: i32,
    #[serde(default)]
    parent_body: Vec<String>,
    issuing_body: Vec<String>,
    #[serde(default)]
    number: String,
    place: String,
    date: Option<String>,
    subject: String,
    #[serde(default)]
    purpose: Vec<String>,
    #[serde(rename = "kind")]
    kinds: Vec<RawKind>,
    #[serde(default)]
    assessment: Vec<String>,
    #[serde(default)]
    reminders: Vec<String>,
    #[serde(default)]
    requirements_intro: String,
    #[serde(default)]
    requirements: Vec<String>,
    #[serde(default)]
    conclusion: Vec<String>,
    #[serde(default)]
    closing: String,
    #[serde(default)]
    recipients: Vec<String>,
    signatory: RawSignatory,
    #[serde(default)]
    judgement: RawJudgement,
    #[serde(default)]
    appendix: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    kind: String,
    heading: String,
    noun: String,
    subject: String,
    /// `[[kind.history]] year = 2018, ranks = { "Sở Giáo dục và Đào tạo" = 1 }`
    #[serde(default)]
    history: Vec<RawHistory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    year: i32,
    ranks: BTreeMap<String, u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawJudgement {
    uneven_gap_percent: Option<Decimal>,
    weak_group_percent: Option<Decimal>,
    fall_places: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignatory {
    #[serde(default)]
    authority: String,
    title: String,
    name: Option<String>,
}

/// Returns the year the settings are for, and the settings.
pub fn parse(file: &str, text: &str) -> Result<(i32, ReportSettings), DataError> {
    let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let mut loc = Location::file(file);
        loc.line = e.span().map(|s| line(s.start));
        DataError::new(loc, ErrorKind::Syntax(e.message().to_string()))
    })?;
    let date = match &raw.date {
        None => None,
        Some(d) => Some(parse_date(d).ok_or_else(|| {
            let mut loc = Location::file(file);
            loc.value = Some(d.clone());
            DataError::new(loc, ErrorKind::Syntax("date must be YYYY-MM-DD".into()))
        })?),
    };
    let kinds = raw
        .kinds
        .into_iter()
        .map(|k| KindSettings {
            kind: k.kind,
            heading: k.heading,
            noun: k.noun,
            subject: k.subject,
            history: k
                .history
                .into_iter()
                .map(|h| PublishedRanks { year: h.year, ranks: h.ranks.into_iter().collect() })
                .collect(),
        })
        .collect();
    Ok((
        raw.year,
        ReportSettings {
            parent_body: raw.parent_body,
            issuing_body: raw.issuing_body,
            number: raw.number,
            place: raw.place,
            date,
            subject: raw.subject,
            purpose: raw.purpose,
            kinds,
            assessment: raw.assessment,
            reminders: raw.reminders,
            requirements_intro: raw.requirements_intro,
            requirements: raw.requirements,
            conclusion: raw.conclusion,
            closing: raw.closing,
            recipients: raw.recipients,
            signatory: Signatory {
                authority: raw.signatory.authority,
                title: raw.signatory.title,
                name: raw.signatory.name,
            },
            judgement: Judgement {
                uneven_gap_percent: raw.judgement.uneven_gap_percent,
                weak_group_percent: raw.judgement.weak_group_percent,
                fall_places: raw.judgement.fall_places,
            },
            appendix: raw.appendix,
        },
    ))
}

fn parse_date(s: &str) -> Option<(u32, u32, i32)> {
    let mut parts = s.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d) && parts.next().is_none()).then_some((d, m, y))
}
