//! Vietnamese alphabetical order (ă after a, đ after d, tones as secondary
//! differences), as names are sorted in Vietnamese documents.

use icu_collator::{Collator, CollatorBorrowed, options::CollatorOptions};
use icu_locale_core::locale;
use std::cmp::Ordering;
use std::sync::LazyLock;

static VI: LazyLock<CollatorBorrowed<'static>> = LazyLock::new(|| {
    Collator::try_new(locale!("vi").into(), CollatorOptions::default())
        .expect("the Vietnamese collation is compiled into the binary")
});

pub fn compare_vi(a: &str, b: &str) -> Ordering {
    VI.compare(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_sort_after_their_base_letter() {
        let mut names = vec!["Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư", "Đà Lạt", "Dương", "Ân", "Az"];
        names.sort_by(|a, b| compare_vi(a, b));
        assert_eq!(names, ["Az", "Ân", "Dương", "Đà Lạt", "Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"]);
    }
}
