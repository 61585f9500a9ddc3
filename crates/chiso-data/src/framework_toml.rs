//! Frameworks as TOML files. See `docs/FRAMEWORK-FORMAT.md` for the format.

use crate::decimal::TomlDecimal;
use crate::error::{DataError, ErrorKind, Location};
use chiso_domain::framework::{
    Aggregation, Better, CriterionMethods, CriterionSpec, English, Framework, FrameworkError, FrameworkSpec, Guidance,
    Index, LevelSpec, Method, MethodsSpec, Normalisation, NotApplicable, Rule, ScaleAnswer, Step, TieBasis,
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
    /// The name in English, for the English pages.
    name_en: Option<String>,
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
    previous_version: Option<RawPreviousVersion>,
}

/// `[previous_version]`: the version this framework replaces, and how criteria map.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreviousVersion {
    id: String,
    #[serde(default)]
    removed: Vec<String>,
    #[serde(default, rename = "criterion")]
    criteria: Vec<Spanned<RawCriterionChange>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterionChange {
    id: String,
    change: chiso_domain::versions::Change,
    previous: Option<String>,
}

/// Lines of a framework file's `[previous_version]` declarations, by criterion id (the
/// previous version's ids for `removed`), to locate problems found against the previous
/// framework. Empty if the file does not parse.
pub fn version_lines(text: &str) -> HashMap<String, usize> {
    #[derive(Deserialize)]
    struct Top {
        previous_version: Option<Spanned<Pv>>,
    }
    #[derive(Deserialize)]
    struct Pv {
        #[serde(default)]
        removed: Vec<Spanned<String>>,
        #[serde(default, rename = "criterion")]
        criteria: Vec<Spanned<Id>>,
    }
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let lines = crate::lines::LineIndex::new(text);
    let line_of = |offset: usize| lines.line(offset);
    let mut out = HashMap::new();
    if let Ok(Top { previous_version: Some(pv) }) = toml::from_str::<Top>(text) {
        out.insert(String::new(), line_of(pv.span().start));
        let pv = pv.into_inner();
        for c in pv.criteria {
            out.entry(c.get_ref().id.clone()).or_insert(line_of(c.span().start));
        }
        for r in pv.removed {
            out.entry(r.get_ref().clone()).or_insert(line_of(r.span().start));
        }
    }
    out
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
    /// The names in English, for the English pages.
    name_en: Option<String>,
    short_name_en: Option<String>,
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
    /// For the reporters: what the criterion covers, how to fill it, what evidence is required.
    description: Option<String>,
    guidance: Option<String>,
    evidence: Option<String>,
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
    let lines = crate::lines::LineIndex::new(text);
    let line_of = |offset: usize| lines.line(offset);
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
    let mut words = Words::default();
    let criteria =
        raw.criteria.into_iter().map(|c| convert(c, &mut lines, &mut methods, &mut words, &line_of)).collect();
    let name_en = blank_none(raw.name_en);
    let level_lines: Vec<(String, usize)> =
        raw.levels.iter().map(|l| (l.get_ref().name.clone(), line_of(l.span().start))).collect();
    let max_line = line_of(raw.max.span().start);
    let previous_version = raw.previous_version.map(|p| chiso_domain::versions::PreviousVersion {
        id: p.id,
        removed: p.removed,
        criteria: p
            .criteria
            .into_iter()
            .map(|c| {
                let c = c.into_inner();
                chiso_domain::versions::CriterionChange { id: c.id, change: c.change, previous: c.previous }
            })
            .collect(),
    });
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
    let framework = Framework::with_methods(spec, methods).map_err(|errors| {
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
            .collect::<Vec<_>>()
    })?;
    let framework = framework.with_guidance(words.guidance).with_english(name_en, words.english);
    Ok(match previous_version {
        Some(p) => framework.with_previous_version(p),
        None => framework,
    })
}

/// Blank text is no text.
fn blank_none(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// What the criteria say besides their rules, by criterion id: guidance for reporters and
/// names in English.
#[derive(Default)]
struct Words {
    guidance: Vec<(String, Guidance)>,
    english: Vec<(String, English)>,
}

fn convert(
    raw: Spanned<RawCriterion>,
    lines: &mut HashMap<String, usize>,
    methods: &mut MethodsSpec,
    words: &mut Words,
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
        normalise: raw.normalise.map(|n| Normalisation {
            method: n.method,
            better: n.better,
            target: n.target.map(|t| t.0),
        }),
    };
    if own != (CriterionMethods { id: own.id.clone(), ..Default::default() }) {
        methods.criteria.push(own);
    }
    let guidance = Guidance {
        description: blank_none(raw.description),
        guidance: blank_none(raw.guidance),
        evidence: blank_none(raw.evidence),
    };
    if !guidance.is_empty() {
        words.guidance.push((raw.id.clone(), guidance));
    }
    let english = English { name: blank_none(raw.name_en), short_name: blank_none(raw.short_name_en) };
    if !english.is_empty() {
        words.english.push((raw.id.clone(), english));
    }
    CriterionSpec {
        id: raw.id,
        name: raw.name,
        short_name: raw.short_name,
        aliases: raw.aliases,
        max: raw.max.0,
        not_applicable: raw.not_applicable,
        rule: raw.rule.map(RawRule::into_rule),
        children: raw.children.into_iter().map(|c| convert(c, lines, methods, words, line_of)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::messages::DataText;

    const HEAD: &str = "id = \"t\"\nname = \"t\"\nlegal_basis = \"t\"\nunit_kind = \"unit\"\nyears = { from = 2020 }\n";

    fn messages(body: &str) -> Vec<(String, String)> {
        let errors = parse("t.toml", &format!("{HEAD}{body}")).unwrap_err();
        errors.iter().map(|e| (Lang::Vi.error(e), Lang::En.error(e))).collect()
    }

    #[test]
    fn english_names_are_read_where_given_and_the_names_as_written_stand_in() {
        let head = HEAD.replace("name = \"t\"\n", "name = \"Bộ chỉ số\"\nname_en = \"Index\"\n");
        let body = "max = 2\n[rounding]\ndecimals = 1\n[[criterion]]\nid = \"g\"\nname = \"Hạ tầng kỹ thuật\"\n\
                    short_name = \"HTKT\"\nname_en = \"Technical infrastructure\"\nmax = 2\n\
                    [[criterion.criterion]]\nid = \"a\"\nname = \"Máy tính\"\nname_en = \"Computers\"\nshort_name_en = \"PCs\"\n\
                    max = 1\nrule = \"direct\"\n\
                    [[criterion.criterion]]\nid = \"b\"\nname = \"Mạng\"\nname_en = \" \"\nmax = 1\nrule = \"direct\"\n";
        let fw = parse("t.toml", &format!("{head}{body}")).unwrap();
        assert_eq!((fw.name_in(Lang::Vi), fw.name_in(Lang::En)), ("Bộ chỉ số", "Index"));
        let c = |id: &str| fw.criterion(fw.index_of(id).unwrap());
        assert_eq!(
            (c("g").name_in(Lang::En), c("g").label_in(Lang::En)),
            ("Technical infrastructure", "Technical infrastructure")
        );
        assert_eq!((c("g").name_in(Lang::Vi), c("g").label_in(Lang::Vi)), ("Hạ tầng kỹ thuật", "HTKT"));
        assert_eq!((c("a").name_in(Lang::En), c("a").label_in(Lang::En)), ("Computers", "PCs"));
        assert_eq!((c("b").name_in(Lang::En), c("b").label_in(Lang::En)), ("Mạng", "Mạng"), "blank is none");
        let plain = parse("t.toml", &format!("{HEAD}{body}")).unwrap();
        assert_eq!(plain.name_in(Lang::En), "t");
        // A mistyped key is refused, as every unknown key.
        assert!(
            parse("t.toml", &format!("{HEAD}{}", body.replace("name_en = \"Computers\"", "name_english = \"x\"")))
                .is_err()
        );
    }

    #[test]
    fn guidance_is_read_and_a_wrong_type_named_by_its_line() {
        let body = "max = 2\n[rounding]\ndecimals = 1\n[[criterion]]\nid = \"g\"\nname = \"g\"\nmax = 2\n\
                    [[criterion.criterion]]\nid = \"a\"\nname = \"a\"\nmax = 1\nrule = \"direct\"\n\
                    description = \"Hạ tầng\"\nguidance = \"Tự chấm\"\nevidence = \"Biên bản\"\n\
                    [[criterion.criterion]]\nid = \"b\"\nname = \"b\"\nmax = 1\nrule = \"direct\"\ndescription = \"  \"\n";
        let fw = parse("t.toml", &format!("{HEAD}{body}")).unwrap();
        let a = fw.criterion(fw.index_of("a").unwrap());
        assert_eq!(
            (a.guidance.description.as_deref(), a.guidance.guidance.as_deref(), a.guidance.evidence.as_deref()),
            (Some("Hạ tầng"), Some("Tự chấm"), Some("Biên bản"))
        );
        assert!(fw.criterion(fw.index_of("b").unwrap()).guidance.is_empty(), "blank is none");
        assert!(fw.criterion(fw.index_of("g").unwrap()).guidance.is_empty());

        // A number where text is expected: refused with the line that holds it.
        let bad = body.replace("evidence = \"Biên bản\"", "evidence = 3");
        let errors = parse("t.toml", &format!("{HEAD}{bad}")).unwrap_err();
        let line = HEAD.lines().count() + bad.lines().position(|l| l.starts_with("evidence")).unwrap() + 1;
        assert_eq!(errors[0].location.line, Some(line), "{:?}", errors[0]);
        let (vi, en) = (Lang::Vi.error(&errors[0]), Lang::En.error(&errors[0]));
        assert!(vi.contains(&format!("dòng {line}")) || vi.contains(&line.to_string()), "{vi}");
        assert!(en.contains("string"), "{en}");
    }

    #[test]
    fn index_methods_are_read() {
        let fw = parse(
            "t.toml",
            &format!(
                "{HEAD}max = 1\naggregation = \"weighted-mean\"\nweights_sum = 1\n[rounding]\ndecimals = 2\n\
                 [index]\ndecimals = 4\n\
                 [[criterion]]\nid = \"a\"\nname = \"a\"\nmax = 1\nweight = \"0.25\"\nrule = \"indicator\"\n\
                 normalise = {{ method = \"ratio-to-target\", target = 80, better = \"lower\" }}\n\
                 [[criterion]]\nid = \"b\"\nname = \"b\"\nmax = 1\nweight = \"0.75\"\naggregation = \"geometric-mean\"\n\
                   [[criterion.criterion]]\n  id = \"c\"\n  name = \"c\"\n  max = 1\n  rule = \"indicator\"\n  \
                 normalise = {{ method = \"z-score\" }}\n\
                   [[criterion.criterion]]\n  id = \"d\"\n  name = \"d\"\n  max = 1\n  rule = \"direct\"\n"
            ),
        );
        // c's z-scores may not meet a geometric mean, and b would carry them to the total:
        // each error names its criterion's line.
        let errors: Vec<(Option<usize>, String)> =
            fw.unwrap_err().iter().map(|e| (e.location.line, Lang::En.error(e))).collect();
        let lines: Vec<Option<usize>> = errors.iter().map(|e| e.0).collect();
        assert_eq!(lines, [Some(20), Some(26)], "{errors:?}");
        assert!(errors[0].1.contains("criterion b: z-scores are unbounded"), "{errors:?}");
        assert!(errors[1].1.contains("criterion c: z-scores are unbounded"), "{errors:?}");

        let fw = parse(
            "t.toml",
            &format!(
                "{HEAD}max = 1\naggregation = \"weighted-mean\"\nweights_sum = 1\n[rounding]\ndecimals = 2\n\
                 [index]\ndecimals = 4\n\
                 [[criterion]]\nid = \"a\"\nname = \"a\"\nmax = 1\nweight = \"0.25\"\nrule = \"indicator\"\n\
                 normalise = {{ method = \"ratio-to-target\", target = 80, better = \"lower\" }}\n\
                 [[criterion]]\nid = \"b\"\nname = \"b\"\nmax = 1\nweight = \"0.75\"\nrule = \"direct\"\n"
            ),
        )
        .unwrap();
        assert_eq!(
            (fw.aggregation, fw.index, fw.total_rounding().decimals),
            (Aggregation::WeightedMean, Some(Index { decimals: 4 }), 4)
        );
        let a = fw.criterion(0);
        assert_eq!((a.rule.clone(), a.weight), (Some(Rule::Indicator), "0.25".parse().unwrap()));
        assert_eq!(
            a.normalise,
            Some(Normalisation { method: Method::RatioToTarget, better: Better::Lower, target: Some(80.into()) })
        );
    }

    #[test]
    fn weight_problems_name_their_line_in_both_languages() {
        let m = messages(
            "max = 10\n[rounding]\ndecimals = 1\n\
             [[criterion]]\nid = \"g\"\nname = \"g\"\nmax = 10\naggregation = \"weighted-sum\"\n\
               [[criterion.criterion]]\n  id = \"a\"\n  name = \"a\"\n  max = 5\n  weight = 1\n  rule = \"direct\"\n\
               [[criterion.criterion]]\n  id = \"b\"\n  name = \"b\"\n  max = 5\n  rule = \"direct\"\n",
        );
        assert_eq!(
            m,
            [(
                "t.toml, dòng 20: tiêu chí b: tiêu chí cha tổng hợp có trọng số nên tiêu chí này cần có trọng số (weight)"
                    .to_string(),
                "t.toml, line 20: criterion b: the parent's weighted aggregation needs a weight here".to_string()
            )]
        );
        // The total's weights: the line of `max`.
        let m = messages(
            "max = 1\naggregation = \"weighted-mean\"\nweights_sum = 1\n[rounding]\ndecimals = 1\n\
             [[criterion]]\nid = \"a\"\nname = \"a\"\nmax = 1\nweight = \"0.5\"\nrule = \"direct\"\n",
        );
        assert_eq!(m[0].0, "t.toml, dòng 6: điểm tổng: tổng các trọng số là 0.5, khác giá trị khai báo 1");
        assert_eq!(m[0].1, "t.toml, line 6: the total: the weights add up to 0.5, not to the declared 1");
    }

    #[test]
    fn an_unknown_method_is_a_syntax_error_on_its_line() {
        let m = messages(
            "max = 1\n[rounding]\ndecimals = 1\n\
             [[criterion]]\nid = \"a\"\nname = \"a\"\nmax = 1\nrule = \"indicator\"\nnormalise = { method = \"rank\" }\n",
        );
        assert!(m[0].1.starts_with("t.toml, line 14: syntax error: unknown variant `rank`"), "{m:?}");
    }
}
