//! CSV cells that a spreadsheet opens as text, never as a formula. Excel, LibreOffice
//! and Google Sheets run a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return (`=cmd|' /C calc'!A0`); such a cell is written with a leading apostrophe, which
//! spreadsheets show as text and [`restored`] takes off again when chiso reads the file
//! back. Numbers (`-1,5`, `+2`) are numbers, not formulas, and stay as they are.

use std::borrow::Cow;

/// The cell as it is safe to write.
pub fn neutralised(cell: &str) -> Cow<'_, str> {
    if starts_like_formula(cell) && !is_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// A cell read from a file: the apostrophe [`neutralised`] added is taken off.
pub fn restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_like_formula(rest) && !is_number(rest) => rest,
        _ => cell,
    }
}

/// A CSV line of `cells`, each neutralised and quoted where CSV needs it.
pub fn line(cells: &[&str]) -> String {
    line_with(',', cells)
}

/// The same with another separator: `;` for a spreadsheet in a language that writes
/// decimals with a comma (Vietnamese Excel splits its columns at `;`).
pub fn line_with(separator: char, cells: &[&str]) -> String {
    let quote = |s: &str| {
        if s.contains([separator, '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let mut s = cells.iter().map(|c| quote(&neutralised(c))).collect::<Vec<_>>().join(&separator.to_string());
    s.push('\n');
    s
}

fn starts_like_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn is_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut seps = 0;
    !digits.is_empty()
        && digits.chars().all(|c| {
            if c == ',' || c == '.' {
                seps += 1;
                seps == 1
            } else {
                c.is_ascii_digit()
            }
        })
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for (cell, safe) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("@IMPORTXML(x)", "'@IMPORTXML(x)"),
            ("\tx", "'\tx"),
            ("-1,5", "-1,5"),
            ("+2", "+2"),
            ("-3.25", "-3.25"),
            ("Sở Y tế", "Sở Y tế"),
            ("", ""),
            ("-", "'-"),
        ] {
            assert_eq!(neutralised(cell), safe, "{cell:?}");
            assert_eq!(restored(safe), cell, "{safe:?}");
        }
        assert_eq!(restored("'quoted"), "'quoted");
        assert_eq!(line(&["=1+1", "a,b", "-2"]), "'=1+1,\"a,b\",-2\n");
    }
}
