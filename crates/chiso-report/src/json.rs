//! The JSON contract of results, used by other tools.

use chiso_domain::engine::{Results, Status};
use chiso_domain::framework::Framework;
use serde_json::{Map, Value, json};

pub fn status(s: Status) -> &'static str {
    match s {
        Status::Ranked => "ranked",
        Status::BelowLevels => "below_levels",
        Status::NoData => "no_data",
    }
}

/// The results of a period as JSON: `{"period", "kind", "framework", "results": [{"unit", "status",
/// "total", "level", "rank", "previous_rank", "scores"}]}`, decimals as strings with the
/// framework's decimals. `chiso score --format json` and the web API both give exactly this.
pub fn results(fw: &Framework, r: &Results, previous: &dyn Fn(usize) -> Option<u32>) -> String {
    let results: Vec<Value> = r
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let scores: Map<String, Value> = u
                .scores
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    // null: the criterion did not apply to the unit and left its maximum.
                    let v = s.applicable.then(|| fw.rounding.format_plain(s.points));
                    (fw.criterion(k).id.0.clone(), json!(v))
                })
                .collect();
            json!({
                "unit": u.name,
                "status": status(u.status),
                "total": u.total.map(|t| fw.total_rounding().format_plain(t)),
                "level": u.level,
                "rank": u.rank,
                "previous_rank": previous(i),
                "scores": scores,
            })
        })
        .collect();
    let doc = json!({"period": r.year, "kind": r.kind, "framework": r.framework, "results": results});
    serde_json::to_string_pretty(&doc).expect("JSON of plain values") + "\n"
}
