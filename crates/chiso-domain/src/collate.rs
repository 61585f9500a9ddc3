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

/// A name folded for searching as people type on any keyboard: lower case, without
/// diacritics, `đ` as `d` ("Sở Y tế" and "so y te" fold alike).
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn searching_ignores_diacritics() {
        assert_eq!(super::fold("Sở Y tế"), "so y te");
        assert_eq!(super::fold("ĐÀI Phát thanh"), "dai phat thanh");
        assert!(super::fold("Sở Giáo dục và Đào tạo").contains(&super::fold("giao duc")));
    }

    use super::*;

    #[test]
    fn vietnamese_letters_sort_after_their_base_letter() {
        let mut names = vec!["Sở Khoa học và Công nghệ", "Sở Kế hoạch và Đầu tư", "Đà Lạt", "Dương", "Ân", "Az"];
        names.sort_by(|a, b| compare_vi(a, b));
        assert_eq!(names, ["Az", "Ân", "Dương", "Đà Lạt", "Sở Kế hoạch và Đầu tư", "Sở Khoa học và Công nghệ"]);
    }
}
