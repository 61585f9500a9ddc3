use crate::error::ErrorKind;

pub(super) fn kind(k: &ErrorKind) -> String {
    use ErrorKind::*;
    match k {
        Io(e) => format!("cannot read the file ({e})"),
        Syntax(e) => format!("syntax error: {e}"),
        Framework(e) => e.to_string(),
        Registry(chiso_domain::unit::RegistryError::Lineage { year: 0, problem, .. }) => problem.to_string(),
        Registry(e) => e.to_string(),
        Version(e) => format!("previous version: {e}"),
        UnknownUnit { name, suggestions } if name.is_empty() => {
            format!("the unit name is empty{}", did_you_mean(suggestions))
        }
        UnknownUnit { name, suggestions } => format!("unknown unit {name:?}{}", did_you_mean(suggestions)),
        UnitNotInPeriod { name } => format!("unit {name:?} is not assessed in this period"),
        DuplicateUnit { first_row } => format!("this unit already has a row (row {first_row})"),
        NoUnitColumn => "no unit column (a header named \"unit\" or \"Đơn vị\")".into(),
        UnknownColumn { suggestions } => {
            format!(
                "unknown column: not a criterion of this framework; accepted columns include {}",
                suggestions.join(", ")
            )
        }
        GroupColumn { criterion } => {
            format!("{criterion} is a group computed from its criteria; give the criteria's columns instead")
        }
        DuplicateColumn { first } => format!("this criterion already has column {first}"),
        AmbiguousNumber => "unclear whether the point or comma separates thousands or decimals (is “1.000” one thousand or one?): write 1000, or 1 if it is one".into(),
        NotANumber => "not a number (use digits with a decimal comma or dot, e.g. 45,2)".into(),
        NotYesNo => "expected yes or no (có/không)".into(),
        MissingValue { criterion } => {
            format!("no value for {criterion}; leave the whole row empty if the unit supplied no data")
        }
        MissingColumn { criterion } => format!("no column for criterion {criterion}"),
        Answer { criterion, error } => format!("{criterion}: {error}"),
        UnknownFramework { id } => format!("no framework with id {id:?}"),
        KindMismatch { framework_kind, period_kind } => {
            format!("the framework assesses {framework_kind} units, the period {period_kind} units")
        }
        YearOutsideFramework { year, from, to } => match to {
            Some(to) => format!("{year} is outside the framework's years {from}–{to}"),
            None => format!("{year} is before the framework's first year {from}"),
        },
        DuplicatePeriod { year, kind } => format!("a second period for {year} {kind}"),
        NoSuchPeriod { year, kind } if kind.is_empty() => format!("no period for {year}"),
        NoSuchPeriod { year, kind } => format!("no {kind} period for {year}"),
        NoSheet => "no such sheet".into(),
        Empty => "the table is empty".into(),
        TemplateStamp => "not a chiso data-entry template, or its stamp (hidden cell H1) was changed".into(),
        TemplateFramework { found, expected } => {
            format!(
                "a template of another framework or version ({found}); this period uses {expected}: download a new template"
            )
        }
        TemplatePeriod { found, year } => format!("a template of another period ({found}), not {year}"),
        TemplateUnit { found, expected } => {
            format!("a template of {found:?}; you may only upload figures for {expected:?}")
        }
        TemplateRowMissing { field } => format!("the row of {field} was deleted from the template"),
        TemplateDuplicateUnit { first } => format!("this unit already has sheet {first:?}"),
        TooLarge(t) => {
            let what = match t {
                crate::error::TooLarge::Part { name, max_mib } => {
                    format!("part {name} inflates to more than {max_mib} MiB")
                }
                crate::error::TooLarge::Total { max_mib } => format!("it inflates to more than {max_mib} MiB"),
                crate::error::TooLarge::Parts { found, max } => format!("{found} parts, at most {max}"),
                crate::error::TooLarge::Cell { cell, rows, columns } => {
                    format!("data in cell {cell}, beyond the {rows} rows × {columns} columns read")
                }
                crate::error::TooLarge::Cells { max } => format!("more than {max} cells"),
            };
            format!("the file is too large and was not read ({what}); check the file")
        }
    }
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() { String::new() } else { format!("; did you mean {}?", s.join(", ")) }
}
