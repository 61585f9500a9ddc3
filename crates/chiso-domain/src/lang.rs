//! The languages chiso speaks: Vietnamese first, English on request. One type for the
//! whole workspace; each layer keeps its own sentences (one file per language) and
//! renders them for a `Lang` at its edge.

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// Vietnamese, the default.
    #[default]
    Vi,
    En,
}

impl Lang {
    /// `vi` or `en`, exactly (a cookie, a URL, an API field).
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// A locale such as `en_US.UTF-8` or a `--lang` value: English when it says so,
    /// Vietnamese otherwise.
    pub fn from_locale(s: &str) -> Lang {
        if s.to_lowercase().starts_with("en") { Lang::En } else { Lang::Vi }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The decimal separator: a comma in Vietnamese, a point in English.
    pub fn separator(self) -> char {
        match self {
            Lang::Vi => ',',
            Lang::En => '.',
        }
    }

    /// A stored decimal ("45.25") as the reader writes it ("45,25").
    pub fn decimal_text(self, s: &str) -> String {
        s.replace('.', &self.separator().to_string())
    }

    /// A value with a fixed number of decimals, half-up ("45,30").
    pub fn number(self, d: Decimal, decimals: u32) -> String {
        crate::number::format_fixed(d, decimals, self.separator())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_locales() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("EN"), None, "a code is exact");
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::Vi);
        assert_eq!(Lang::Vi.decimal_text("45.25"), "45,25");
        assert_eq!(Lang::En.number(Decimal::new(453, 1), 2), "45.30");
    }
}
