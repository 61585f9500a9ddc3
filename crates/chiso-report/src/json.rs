//! The JSON contract of results, used by other tools, and its typed form: the platform
//! stores this JSON as a published snapshot and its pages read it back as [`ResultsDoc`].

use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use serde::{Deserialize, Serialize};

/// The results of a period: `{"period", "kind", "framework", "results": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsDoc {
    pub period: i32,
    pub kind: String,
    pub framework: String,
    pub results: Vec<ResultRow>,
}

/// One unit's result; decimals as strings with the framework's decimals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub unit: String,
    pub status: RowStatus,
    pub total: Option<String>,
    pub level: Option<String>,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    /// Every criterion's points, in the framework's order; `None`: the criterion did not
    /// apply to the unit and left its maximum.
    pub scores: Scores,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Ranked,
    BelowLevels,
    NoData,
}

/// Criterion id → points, as a JSON object that keeps the framework's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores(pub Vec<(String, Option<String>)>);

impl Scores {
    pub fn get(&self, criterion: &str) -> Option<&str> {
        self.0.iter().find(|(id, _)| id == criterion).and_then(|(_, v)| v.as_deref())
    }
}

impl Serialize for Scores {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Scores {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Scores;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of criterion ids to points")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, mut m: M) -> Result<Scores, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Option<String>>()? {
                    out.push((k, v));
                }
                Ok(Scores(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl ResultRow {
    /// The result's level, `KXH` below the levels, `none` without data: the ranking
    /// page's filter values.
    pub fn level_key(&self) -> &str {
        match (self.status, &self.level) {
            (RowStatus::NoData, _) => "none",
            (_, Some(l)) => l,
            _ => "KXH",
        }
    }
}

impl ResultsDoc {
    pub fn parse(json: &str) -> Result<ResultsDoc, serde_json::Error> {
        serde_json::from_str(json)
    }
}

impl RowStatus {
    /// The contract's word: `ranked`, `below_levels`, `no_data`.
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Ranked => "ranked",
            RowStatus::BelowLevels => "below_levels",
            RowStatus::NoData => "no_data",
        }
    }
}

impl From<Status> for RowStatus {
    fn from(s: Status) -> RowStatus {
        match s {
            Status::Ranked => RowStatus::Ranked,
            Status::BelowLevels => RowStatus::BelowLevels,
            Status::NoData => RowStatus::NoData,
        }
    }
}

pub fn status(s: Status) -> &'static str {
    RowStatus::from(s).as_str()
}

/// The results of a period as JSON: `{"period", "kind", "framework", "results": [{"unit", "status",
/// "total", "level", "rank", "previous_rank", "scores"}]}`, decimals as strings with the
/// framework's decimals. `chiso score --format json` and the web API both give exactly this.
pub fn results(fw: &Framework, r: &Results, previous: &dyn Fn(usize) -> Option<u32>) -> String {
    results_with(fw, r, previous, &())
}

/// What [`Extra::write`] writes its fields with.
pub use serde::ser::SerializeStruct;

/// Fields a caller adds to the document after the contract's own (`chiso score` adds its
/// comparisons, movements and the warning of illustrative figures), written in the same pass.
pub trait Extra {
    /// How many fields it writes.
    fn fields(&self) -> usize;
    fn write<M: SerializeStruct>(&self, doc: &mut M) -> Result<(), M::Error>;
}

impl Extra for () {
    fn fields(&self) -> usize {
        0
    }
    fn write<M: SerializeStruct>(&self, _: &mut M) -> Result<(), M::Error> {
        Ok(())
    }
}

/// [`results`] with `extra`'s fields after the contract's, as one document.
pub fn results_with(
    fw: &Framework,
    r: &Results,
    previous: &dyn Fn(usize) -> Option<u32>,
    extra: &impl Extra,
) -> String {
    // The document's rows are made one at a time as they are written (a national period's
    // rows as strings are tens of megabytes): the bytes of a `ResultsDoc` written whole.
    let doc = Lazy { fw, r, previous, extra };
    serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n"
}

/// A unit's row of the contract.
fn row(fw: &Framework, r: &Results, previous: &dyn Fn(usize) -> Option<u32>, i: usize) -> ResultRow {
    let u = &r.units[i];
    ResultRow {
        unit: u.name.clone(),
        status: u.status.into(),
        total: u.total.map(|t| fw.total_rounding().format_plain(t)),
        level: u.level.clone(),
        rank: u.rank,
        previous_rank: previous(i),
        scores: Scores(
            u.scores
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let v = s.applicable.then(|| fw.rounding.format_plain(s.points));
                    (fw.criterion(k).id.0.clone(), v)
                })
                .collect(),
        ),
    }
}

/// A [`ResultsDoc`] serialised as its derive does, each row made when written.
struct Lazy<'a, X> {
    fw: &'a Framework,
    r: &'a Results,
    previous: &'a dyn Fn(usize) -> Option<u32>,
    extra: &'a X,
}

impl<X: Extra> Serialize for Lazy<'_, X> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut doc = s.serialize_struct("ResultsDoc", 4 + self.extra.fields())?;
        doc.serialize_field("period", &self.r.year)?;
        doc.serialize_field("kind", &self.r.kind)?;
        doc.serialize_field("framework", &self.r.framework)?;
        doc.serialize_field("results", &LazyRows(self))?;
        self.extra.write(&mut doc)?;
        doc.end()
    }
}

struct LazyRows<'a, X>(&'a Lazy<'a, X>);

impl<X> Serialize for LazyRows<'_, X> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let Lazy { fw, r, previous, .. } = self.0;
        let mut seq = s.serialize_seq(Some(r.units.len()))?;
        for i in 0..r.units.len() {
            seq.serialize_element(&row(fw, r, previous, i))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_reads_back_as_it_was_written() {
        let json = r#"{
  "period": 2020,
  "kind": "department",
  "framework": "cao-bang-1513-department",
  "results": [
    {
      "unit": "Sở Y tế",
      "status": "ranked",
      "total": "45.25",
      "level": "Tốt",
      "rank": 3,
      "previous_rank": null,
      "scores": {
        "infra": "9.00",
        "na": null
      }
    }
  ]
}
"#;
        let doc = ResultsDoc::parse(json).unwrap();
        assert_eq!(doc.results[0].scores.get("infra"), Some("9.00"));
        assert_eq!(doc.results[0].scores.get("na"), None);
        assert_eq!(doc.results[0].level_key(), "Tốt");
        assert_eq!(serde_json::to_string_pretty(&doc).unwrap() + "\n", json, "byte for byte");
    }

    /// The contract written a row at a time is the document written whole, byte for byte,
    /// and reads back as the results it was written from.
    #[test]
    fn results_written_a_row_at_a_time_are_the_whole_documents_bytes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cao-bang");
        let data = chiso_data::Dataset::load(&dir).unwrap();
        let (fw, r) = data.results(2020, "district").unwrap();
        let previous = |i: usize| i.is_multiple_of(3).then_some(i as u32 + 1);
        let json = results(fw, &r, &previous);
        let whole = ResultsDoc {
            period: r.year,
            kind: r.kind.clone(),
            framework: r.framework.clone(),
            results: (0..r.units.len()).map(|i| row(fw, &r, &previous, i)).collect(),
        };
        assert_eq!(json, serde_json::to_string_pretty(&whole).unwrap() + "\n");
        let back = ResultsDoc::parse(&json).unwrap();
        assert_eq!(back, whole);
        assert_eq!(back.results.len(), r.units.len());
        assert_eq!(back.results[3].previous_rank, Some(4));
        assert!(back.results.iter().any(|x| x.scores.0.len() == fw.criteria.len()), "every criterion of a unit");
    }
}
