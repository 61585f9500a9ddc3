//! A year's report settings: `reports/<year>.toml` in a dataset.

use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::report_settings::{
    Judgement, KindSettings, LevelTables, PublishedRanks, ReportSettings, Signatory, Tables, UnitRows,
};
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
    /// One sentence per unit on why its rank moved.
    #[serde(default)]
    explain_moves: bool,
    /// "auto" (default), "all", or N: the first and last N units of each per-unit table.
    #[serde(default)]
    unit_rows: Option<toml::Spanned<toml::Value>>,
    /// Which per-unit tables the document holds.
    #[serde(default)]
    tables: RawTables,
}

/// `[tables]`: `summary = true`, `levels = true | ["Tốt", …]`, `top = N`, `bottom = N`,
/// `full = false`; each left out is chosen by the kind's size.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTables {
    summary: Option<bool>,
    levels: Option<toml::Spanned<toml::Value>>,
    top: Option<u32>,
    bottom: Option<u32>,
    full: Option<bool>,
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
    #[serde(default, deserialize_with = "percent")]
    uneven_gap_percent: Option<Decimal>,
    #[serde(default, deserialize_with = "percent")]
    weak_group_percent: Option<Decimal>,
    fall_places: Option<u32>,
}

/// A percentage written as a number (`25`, `12.5`) or a string (`"12,5"`), kept exact.
fn percent<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let text = match toml::Value::deserialize(d)? {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::String(s) => s,
        other => return Err(serde::de::Error::custom(format!("a percentage, not {}", other.type_str()))),
    };
    chiso_domain::number::parse_decimal(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("a percentage, not {text:?}")))
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
    let lines = crate::lines::LineIndex::new(text);
    let line = |offset: usize| lines.line(offset);
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
    let unit_rows = match &raw.unit_rows {
        None => UnitRows::Auto,
        Some(v) => match v.get_ref() {
            toml::Value::String(s) if s == "auto" => UnitRows::Auto,
            toml::Value::String(s) if s == "all" => UnitRows::All,
            toml::Value::Integer(n) if (1..=i64::from(u32::MAX)).contains(n) => UnitRows::Ends(*n as u32),
            other => {
                let mut loc = Location::file(file);
                loc.line = Some(line(v.span().start));
                loc.value = Some(other.to_string());
                return Err(DataError::new(
                    loc,
                    ErrorKind::Syntax("unit_rows must be \"auto\", \"all\" or a whole number ≥ 1".into()),
                ));
            }
        },
    };
    let levels = match &raw.tables.levels {
        None => None,
        Some(v) => Some(level_tables(v.get_ref()).ok_or_else(|| {
            let mut loc = Location::file(file);
            loc.line = Some(line(v.span().start));
            loc.value = Some(v.get_ref().to_string());
            DataError::new(
                loc,
                ErrorKind::Syntax(
                    "tables.levels must be true, false or a list of level names, each once (\"Tốt\", …)".into(),
                ),
            )
        })?),
    };
    let tables = Tables {
        summary: raw.tables.summary,
        levels,
        top: raw.tables.top,
        bottom: raw.tables.bottom,
        full: raw.tables.full,
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
            explain_moves: raw.explain_moves,
            unit_rows,
            tables,
        },
    ))
}

/// `[tables] levels` naming a level that is none of `levels` (those of the report's
/// frameworks): refused with the file, the line of `levels` and the name, saying which
/// levels there are. `text` is the file `settings` were parsed from.
pub fn check_levels(file: &str, text: &str, settings: &ReportSettings, levels: &[&str]) -> Result<(), DataError> {
    let unknown = settings.tables.unknown_levels(levels);
    let Some(name) = unknown.first() else { return Ok(()) };
    #[derive(Deserialize)]
    struct Only {
        tables: Option<OnlyTables>,
    }
    #[derive(Deserialize)]
    struct OnlyTables {
        levels: Option<toml::Spanned<toml::Value>>,
    }
    let mut loc = Location::file(file);
    let lines = crate::lines::LineIndex::new(text);
    loc.line = toml::from_str::<Only>(text).ok().and_then(|o| o.tables?.levels).map(|l| lines.line(l.span().start));
    loc.value = Some(name.to_string());
    Err(DataError::new(
        loc,
        ErrorKind::Syntax(format!(
            "tables.levels: \"{name}\" is not a level of the report's frameworks ({})",
            levels.join(", ")
        )),
    ))
}

/// `true`, `false` or a non-empty list of distinct, non-empty level names.
fn level_tables(v: &toml::Value) -> Option<LevelTables> {
    match v {
        toml::Value::Boolean(true) => Some(LevelTables::All),
        toml::Value::Boolean(false) => Some(LevelTables::None),
        toml::Value::Array(items) if !items.is_empty() => {
            let mut names: Vec<String> = Vec::new();
            for item in items {
                let name = item.as_str()?.trim();
                if name.is_empty() || names.iter().any(|n| n == name) {
                    return None;
                }
                names.push(name.to_string());
            }
            Some(LevelTables::Named(names))
        }
        _ => None,
    }
}

fn parse_date(s: &str) -> Option<(u32, u32, i32)> {
    let mut parts = s.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d) && parts.next().is_none()).then_some((d, m, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cao_bang_2020_settings_hold_the_conclusion_thresholds_and_history() {
        let text = include_str!("../../../data/cao-bang/reports/2020.toml");
        let (year, s) = parse("2020.toml", text).unwrap();
        assert_eq!(year, 2020);
        assert_eq!(s.signatory.name.as_deref(), Some("Lê Hải Hòa"));
        assert!(s.assessment[0].contains("đã có chuyển biến, tuy nhiên kết quả chưa cao và chưa đồng đều"));
        assert!(s.requirements_intro.ends_with("Chủ tịch UBND tỉnh yêu cầu:"));
        assert_eq!(s.requirements.len(), 2);
        assert!(s.reminders[0].contains("Quyết định số 46/2019/QĐ-UBND"));
        assert_eq!(s.judgement.uneven_gap_percent, Some(Decimal::from(25)));
        assert_eq!(s.judgement.fall_places, Some(3));
        assert!(!s.appendix);
        let history = &s.kinds[0].history[0];
        assert_eq!((history.year, history.rank_of("so-gd", "Sở Giáo dục và Đào tạo")), (2018, Some(1)));
        assert!(s.kinds[1].history.is_empty());
        // A threshold as a number, a decimal or a string with a decimal comma.
        let with = |v: &str| {
            let t = text.replace("uneven_gap_percent = \"25\"", &format!("uneven_gap_percent = {v}"));
            parse("2020.toml", &t).map(|(_, s)| s.judgement.uneven_gap_percent)
        };
        assert_eq!(with("30").unwrap(), Some(Decimal::from(30)));
        assert_eq!(with("12.5").unwrap(), Some(Decimal::new(125, 1)));
        assert_eq!(with("\"12,5\"").unwrap(), Some(Decimal::new(125, 1)));
        assert!(with("\"nhiều\"").is_err());
    }

    #[test]
    fn an_unknown_setting_is_refused_with_its_line() {
        let text = "year = 2020\nissuing_body = [\"A\"]\nplace = \"B\"\nsubject = \"C\"\nkind = []\nappendx = true\n\
                    [signatory]\ntitle = \"D\"\n";
        let e = parse("r.toml", text).unwrap_err();
        assert_eq!(e.location.line, Some(6), "{e:?}");
    }

    #[test]
    fn unit_rows_are_auto_all_or_the_ends_and_anything_else_is_refused_with_its_line() {
        let base = "year = 2020\nissuing_body = [\"A\"]\nplace = \"B\"\nsubject = \"C\"\nkind = []\n";
        let with = |v: &str| {
            let text = format!("{base}unit_rows = {v}\n[signatory]\ntitle = \"D\"\n");
            parse("r.toml", &text).map(|(_, s)| s.unit_rows)
        };
        assert_eq!(
            parse("r.toml", &format!("{base}[signatory]\ntitle = \"D\"\n")).unwrap().1.unit_rows,
            UnitRows::Auto
        );
        assert_eq!(with("\"auto\"").unwrap(), UnitRows::Auto);
        assert_eq!(with("\"all\"").unwrap(), UnitRows::All);
        assert_eq!(with("10").unwrap(), UnitRows::Ends(10));
        for bad in ["0", "-3", "\"nhiều\"", "2.5"] {
            let e = with(bad).unwrap_err();
            assert_eq!(e.location.line, Some(6), "{bad}: {e:?}");
        }
    }

    #[test]
    fn tables_choose_the_documents_per_unit_tables_and_bad_values_are_refused_with_their_line() {
        let base = "year = 2020\nissuing_body = [\"A\"]\nplace = \"B\"\nsubject = \"C\"\nkind = []\n\
                    [signatory]\ntitle = \"D\"\n";
        let with = |t: &str| parse("r.toml", &format!("{base}[tables]\n{t}\n")).map(|(_, s)| s.tables);
        assert_eq!(parse("r.toml", base).unwrap().1.tables, Tables::default(), "left out: chosen by size");
        let t = with("summary = true\nlevels = [\"Tốt\", \"Khá\"]\ntop = 5\nbottom = 3\nfull = false").unwrap();
        assert_eq!(
            t,
            Tables {
                summary: Some(true),
                levels: Some(LevelTables::Named(vec!["Tốt".into(), "Khá".into()])),
                top: Some(5),
                bottom: Some(3),
                full: Some(false),
            }
        );
        assert_eq!(with("levels = true").unwrap().levels, Some(LevelTables::All));
        assert_eq!(with("levels = false").unwrap().levels, Some(LevelTables::None));
        // The line of the bad value (the 9th), and the value itself.
        for bad in [
            "levels = []",
            "levels = [\"Tốt\", \"Tốt\"]",
            "levels = [1]",
            "levels = \"Tốt\"",
            "top = -1",
            "full = 1",
            "rows = 3",
        ] {
            let e = with(bad).unwrap_err();
            assert_eq!(e.location.line, Some(9), "{bad}: {e:?}");
        }
        let e = with("levels = [\"Tốt\", \"\"]").unwrap_err();
        assert_eq!(e.location.value.as_deref(), Some("[\"Tốt\", \"\"]"), "{e:?}");
        // A level the frameworks do not have: its line and name.
        let text = format!("{base}[tables]\nlevels = [\"Mức I\", \"Mức V\"]\n");
        let (_, s) = parse("r.toml", &text).unwrap();
        let e = check_levels("r.toml", &text, &s, &["Mức I", "Mức II"]).unwrap_err();
        assert_eq!((e.location.line, e.location.value.as_deref()), (Some(9), Some("Mức V")), "{e:?}");
        assert!(e.to_string().contains("Mức I, Mức II"), "{e}");
        assert!(check_levels("r.toml", &text, &s, &["Mức I", "Mức V"]).is_ok());
        // The seed's settings leave every table to the size of the kind.
        let (_, cao_bang) = parse("2020.toml", include_str!("../../../data/cao-bang/reports/2020.toml")).unwrap();
        assert_eq!(cao_bang.tables, Tables::default());
    }
}
