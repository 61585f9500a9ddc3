//! Line numbers of byte offsets in a text, found by binary search over the line starts
//! (counted once): a file of thousands of units asks for one per unit.

pub(crate) struct LineIndex(Vec<usize>);

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        LineIndex(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect())
    }

    /// The 1-based line of `offset` (an offset past the end is on the last line).
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn offsets_are_on_the_lines_a_text_editor_shows() {
        let text = "a = 1\n\nb = 2\nc";
        let lines = LineIndex::new(text);
        for (offset, line) in [(0, 1), (5, 1), (6, 2), (7, 3), (12, 3), (13, 4), (99, 4)] {
            assert_eq!(lines.line(offset), line, "offset {offset}");
            let counted = text[..offset.min(text.len())].matches('\n').count() + 1;
            assert_eq!(lines.line(offset), counted, "offset {offset}");
        }
    }
}
