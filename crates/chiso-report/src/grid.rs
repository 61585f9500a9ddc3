//! HTML-style header rows (spans, covered cells omitted) placed on a grid, for
//! renderers that need every row × column position (Word, Excel).

use crate::model::HeaderCell;

#[derive(Debug, Clone, PartialEq)]
pub struct Placed<'a> {
    pub row: usize,
    pub col: usize,
    pub cell: &'a HeaderCell,
}

/// Places the cells; returns them in reading order and the number of columns.
pub fn place(rows: &[Vec<HeaderCell>]) -> (Vec<Placed<'_>>, usize) {
    let mut taken: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    let mut out = Vec::new();
    let mut width = 0;
    for (r, row) in rows.iter().enumerate() {
        let mut c = 0;
        for cell in row {
            while taken[r].get(c).copied().unwrap_or(false) {
                c += 1;
            }
            let below = (r + cell.rowspan.max(1) as usize).min(rows.len());
            for line in &mut taken[r..below] {
                let end = c + cell.colspan.max(1) as usize;
                if line.len() < end {
                    line.resize(end, false);
                }
                line[c..end].iter_mut().for_each(|t| *t = true);
            }
            out.push(Placed { row: r, col: c, cell });
            c += cell.colspan.max(1) as usize;
            width = width.max(c);
        }
    }
    (out, width.max(taken.iter().map(Vec::len).max().unwrap_or(0)))
}

/// What occupies a grid position of a header row.
pub enum Slot<'a> {
    /// A cell starts here (its top-left corner).
    Start(&'a HeaderCell),
    /// Covered from above by a cell spanning rows; carries that cell's column span.
    Below(u16),
    /// Covered from the left by a column span.
    Right,
}

/// The slots of every header row, column by column.
pub fn slots<'a>(rows: &'a [Vec<HeaderCell>]) -> Vec<Vec<Slot<'a>>> {
    let (placed, width) = place(rows);
    let mut grid: Vec<Vec<Slot>> = (0..rows.len()).map(|_| (0..width).map(|_| Slot::Right).collect()).collect();
    for p in &placed {
        let (rs, cs) = (p.cell.rowspan.max(1) as usize, p.cell.colspan.max(1) as usize);
        grid[p.row][p.col] = Slot::Start(p.cell);
        for line in &mut grid[p.row + 1..(p.row + rs).min(rows.len())] {
            line[p.col] = Slot::Below(cs as u16);
        }
    }
    grid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(t: &str, colspan: u16, rowspan: u16) -> HeaderCell {
        HeaderCell { text: t.into(), colspan, rowspan }
    }

    #[test]
    fn spans_push_later_cells_right_and_down() {
        let rows = vec![
            vec![h("TT", 1, 2), h("Đơn vị", 1, 2), h("Thứ tự", 2, 1), h("Tổng", 1, 2)],
            vec![h("2020", 1, 1), h("2019", 1, 1)],
        ];
        let (placed, width) = place(&rows);
        let pos: Vec<(usize, usize, &str)> = placed.iter().map(|p| (p.row, p.col, p.cell.text.as_str())).collect();
        assert_eq!(
            pos,
            [(0, 0, "TT"), (0, 1, "Đơn vị"), (0, 2, "Thứ tự"), (0, 4, "Tổng"), (1, 2, "2020"), (1, 3, "2019")]
        );
        assert_eq!(width, 5);
    }
}
