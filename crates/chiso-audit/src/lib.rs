//! The auditor: reads a ranking report made by hand (DOCX, XLSX, CSV) and lists every
//! inconsistency it can prove from the document itself and the framework: totals against
//! their parts, maxima, levels, ranks, order, values printed two ways, headers that
//! disagree with their values, copied rows, and claims in the text. Each finding says
//! exactly where it is, the value printed and the value expected.
//!
//! ```text
//! read (DOCX/XLSX/CSV → model::Document) → recognize (tables: framework, columns, units)
//!   → relabel headers → sums → values printed two ways → facts → other table checks → narrative
//! ```
//!
//! Nothing here is written for a particular report: units come from the registry,
//! criteria and levels from the framework, the rest from the document.

pub mod check;
mod context;
pub mod facts;
pub mod finding;
pub mod model;
pub mod read;
pub mod recognize;
pub mod text;

pub use finding::{Finding, Lang, Location, Severity};
pub use model::Document;
pub use read::{Format, ReadError, read};

use chiso_domain::framework::Framework;
use chiso_domain::unit::Registry;
use context::Ctx;

/// What the auditor found in one document.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    /// In document order (by table or paragraph, then row and column).
    pub findings: Vec<Finding>,
    /// The tables it recognized: (name, caption, unit kind, number of unit rows).
    pub tables: Vec<TableSummary>,
    /// The report's year as the document prints it.
    pub year: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableSummary {
    pub name: String,
    pub caption: String,
    pub kind: String,
    pub framework: String,
    pub units: usize,
}

impl Audit {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

/// Audits a document against the frameworks and the unit registry.
pub fn audit(doc: &Document, frameworks: &[Framework], registry: &Registry) -> Audit {
    let recognized = recognize::recognize(doc, frameworks, registry);
    let mut ctx = Ctx { doc, frameworks, registry, tables: recognized.tables, year: recognized.year };
    let units = facts::UnitIndex::new(&ctx);
    let mut findings = facts::relabel(&mut ctx, &units);
    let (sum_findings, fits) = check::tables::sums(&ctx);
    findings.extend(sum_findings);
    let obs = facts::observations(&ctx, &units);
    let (conflicts, consensus) = facts::conflicts(&ctx, &obs, &fits);
    // The largest structures: gone before the other checks build theirs.
    drop((obs, fits));
    findings.extend(conflicts);
    let facts = facts::Facts::build(&ctx, units, consensus);
    findings.extend(check::tables::maxima(&ctx));
    findings.extend(check::tables::levels(&ctx, &facts));
    findings.extend(check::tables::ranks(&ctx, &facts));
    findings.extend(check::tables::order(&ctx));
    findings.extend(check::tables::copies(&ctx));
    findings.extend(check::tables::names(&ctx));
    findings.extend(check::narrative::check(&ctx, &facts));
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (f.location.block, f.location.row.unwrap_or(0), f.location.cell.clone(), f.location.column.clone())
        };
        key(a).cmp(&key(b))
    });
    let tables = ctx
        .tables
        .iter()
        .map(|t| TableSummary {
            name: t.name.clone(),
            caption: t.title.clone(),
            kind: t.kind.clone(),
            framework: frameworks[t.framework].id.clone(),
            units: t.rows.len(),
        })
        .collect();
    Audit { findings, tables, year: ctx.year }
}

/// Reads a file by its extension and audits it.
pub fn audit_file(
    path: &std::path::Path,
    frameworks: &[Framework],
    registry: &Registry,
) -> Result<(Document, Audit), ReadError> {
    let format = Format::of(path).ok_or_else(|| {
        ReadError::UnknownFormat(path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default())
    })?;
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(format!("{}: {e}", path.display())))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let doc = read(&bytes, format, &name)?;
    let audit = audit(&doc, frameworks, registry);
    Ok((doc, audit))
}

/// Several CSV files (one table each) as one document, so that their values are compared.
pub fn merge(docs: Vec<Document>) -> Document {
    let mut out = Document { blocks: Vec::new(), decimal_separator: ',' };
    let mut seps = (0, 0);
    for d in docs {
        if d.decimal_separator == '.' {
            seps.1 += 1;
        } else {
            seps.0 += 1;
        }
        out.blocks.extend(d.blocks);
    }
    out.decimal_separator = if seps.1 > seps.0 { '.' } else { ',' };
    out
}
