//! Frameworks as TOML files. See `docs/FRAMEWORK-FORMAT.md` for the format.

use crate::decimal::TomlDecimal;
use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::framework::{
    Aggregation, Better, CriterionMethods, CriterionSpec, Framework, FrameworkError, FrameworkSpec, Index, LevelSpec,
    Method, MethodsSpec, Normalisation, NotApplicable, Rule, ScaleAnswer, Step, TieBasis,
};
use chiso_domain::number::{RoundingMode, RoundingScope};
use serde::Deserialize;
use std::collections::HashMap;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: String,
    name: String,
    legal_basis: String,
    unit_kind: String,
    years: RawYears,
    max: Spanned<TomlDecimal>,
    rounding: RawRounding,
    #[serde(default)]
    ties: RawTies,
    #[serde(default)]
    groups: Vec<String>,
    /// How the total combines the top-level criteria.
    #[serde(default)]
    aggregation: Aggregation,
    weights_sum: Option<TomlDecimal>,
    index: Option<RawIndex>,
    #[serde(default, rename = "level")]
    levels: Vec<Spanned<RawLevel>>,
    #[serde(default, rename = "criterion")]
    criteria: Vec<Spanned<RawCriterion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYears {
    from: i32,
    to: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRounding {
    decimals: u32,
    #[serde(default)]
    mode: RoundingMode,
    #[serde(default)]
    scope: RoundingScope,
    percent_decimals: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    decimals: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNormalise {
    method: Method,
    #[serde(default)]
    better: Better,
    target: Option<TomlDecimal>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTies {
    #[serde(default)]
    basis: TieBasis,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    name: String,
    min: TomlDecimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    name: String,
    short_name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    max: TomlDecimal,
    #[serde(default)]
    not_applicable: NotApplicable,
    rule: Option<RawRule>,
    #[serde(default)]
    aggregation: Aggregation,
    weight: Option<TomlDecimal>,
    weights_sum: Option<TomlDecimal>,
    normalise: Option<RawNormalise>,
    #[serde(default, rename = "criterion")]
    children: Vec<Spanned<RawCriterion>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRule {
    Simple(SimpleRule),
    Table(TableRule),
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SimpleRule {
    Direct,
    YesNo,
    Ratio,
    RelativeToBest,
    Indicator,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
enum TableRule {
    Direct,
    YesNo,
    Ratio,
    RelativeToBest,
    Indicator,
    Steps { steps: Vec<RawStep> },
    Count { per_item: TomlDecimal },
    Scale { answers: Vec<RawAnswer> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    min: TomlDecimal,
    points: TomlDecimal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnswer {
    label: String,
    percent: TomlDecimal,
}

impl RawRule {
    fn into_rule(self) -> Rule {
        match self {
            RawRule::Simple(SimpleRule::Direct) | RawRule::Table(TableRule::Direct) => Rule::Direct,
            RawRule::Simple(SimpleRule::YesNo) | RawRule::Table(TableRule::YesNo) => Rule::YesNo,
            RawRule::Simple(SimpleRule::Ratio) | RawRule::Table(TableRule::Ratio) => Rule::Ratio,
            RawRule::Simple(SimpleRule::RelativeToBest) | RawRule::Table(TableRule::RelativeToBest) => {
                Rule::RelativeToBest
            }
            RawRule::Simple(SimpleRule::Indicator) | RawRule::Table(TableRule::Indicator) => Rule::Indicator,
            RawRule::Table(TableRule::Steps { steps }) => {
                Rule::Steps { steps: steps.into_iter().map(|s| Step { min: s.min.0, points: s.points.0 }).collect() }
            }
            RawRule::Table(TableRule::Count { per_item }) => Rule::Count { per_item: per_item.0 },
            RawRule::Table(TableRule::Scale { answers }) => Rule::Scale {
                answers: answers.into_iter().map(|a| ScaleAnswer { label: a.label, percent: a.percent.0 }).collect(),
            },
        }
    }
}

/// Parses and validates a framework. `file` names the source in error messages.
pub fn parse(file: &str, text: &str) -> Result<Framework, Vec<DataError>> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let raw: RawFramework = toml::from_str(text).map_err(|e| {
        let mut loc = Location::file(file);
        loc.line = e.span().map(|s| line_of(s.start));
        vec![DataError::new(loc, ErrorKind::Syntax(e.message().to_string()))]
    })?;

    let mut lines: HashMap<String, usize> = HashMap::new();
    let mut methods = MethodsSpec {
        aggregation: raw.aggregation,
        weights_sum: raw.weights_sum.map(|w| w.0),
        index: raw.index.map(|i| Index { decimals: i.decimals }),
        criteria: Vec::new(),
    };
    let criteria = raw.criteria.into_iter().map(|c| convert(c, &mut lines, &mut methods, &line_of)).collect();
    let level_lines: Vec<(String, usize)> =
        raw.levels.iter().map(|l| (l.get_ref().name.clone(), line_of(l.span().start))).collect();
    let max_line = line_of(raw.max.span().start);
    let spec = FrameworkSpec {
        id: raw.id,
        name: raw.name,
        legal_basis: raw.legal_basis,
        unit_kind: raw.unit_kind,
        years: (raw.years.from, raw.years.to),
        max: raw.max.into_inner().0,
        decimals: raw.rounding.decimals,
        percent_decimals: raw.rounding.percent_decimals,
        rounding_mode: raw.rounding.mode,
        rounding_scope: raw.rounding.scope,
        ties: raw.ties.basis,
        groups: raw.groups,
        levels: raw
            .levels
            .into_iter()
            .map(|l| {
                let l = l.into_inner();
                LevelSpec { name: l.name, min: l.min.0 }
            })
            .collect(),
        criteria,
    };
    Framework::with_methods(spec, methods).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| {
                let line = match &e {
                    FrameworkError::LevelsNotDescending { name, .. } | FrameworkError::LevelOutOfRange { name, .. } => {
                        level_lines.iter().find(|(n, _)| n == name).map(|(_, l)| *l)
                    }
                    FrameworkError::TotalMaxMismatch { .. } => Some(max_line),
                    // The total's aggregation and weights: the top of the file, by `max`.
                    FrameworkError::WeightsSumMismatch { group: None, .. }
                    | FrameworkError::ZeroWeights { group: None }
                    | FrameworkError::WeightedMaxMismatch { group: None, .. }
                    | FrameworkError::MeanScaleMismatch { group: None, .. } => Some(max_line),
                    _ => e.criterion().and_then(|c| lines.get(c).copied()),
                };
                let mut loc = Location::file(file);
                loc.line = line;
                DataError::new(loc, ErrorKind::Framework(e))
            })
            .collect()
    })
}

fn convert(
    raw: Spanned<RawCriterion>,
    lines: &mut HashMap<String, usize>,
    methods: &mut MethodsSpec,
    line_of: &dyn Fn(usize) -> usize,
) -> CriterionSpec {
    let line = line_of(raw.span().start);
    let raw = raw.into_inner();
    lines.entry(raw.id.clone()).or_insert(line);
    let own = CriterionMethods {
        id: raw.id.clone(),
        aggregation: raw.aggregation,
        weight: raw.weight.map(|w| w.0),
        weights_sum: raw.weights_sum.map(|w| w.0),
        normalise: raw.normalise.map(|n| Normalisation { method: n.method, better: n.better, target: n.target.map(|t| t.0) }),
    };
    if own != (CriterionMethods { id: own.id.clone(), ..Default::default() }) {
        methods.criteria.push(own);
    }
    CriterionSpec {
        id: raw.id,
        name: raw.name,
        short_name: raw.short_name,
        aliases: raw.aliases,
        max: raw.max.0,
        not_applicable: raw.not_applicable,
        rule: raw.rule.map(RawRule::into_rule),
        children: raw.children.into_iter().map(|c| convert(c, lines, methods, line_of)).collect(),
    }
}
