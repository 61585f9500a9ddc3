//! The common registry file read without the TOML library: only `[[unit]]` tables of
//! `id`, `name`, `kind`, `aliases`, `from`, `until`, plain `"…"` strings without escapes,
//! whole numbers, comments. A national registry (thousands of units) is read in a
//! fraction of the time the general parser takes. Anything else (lineage, escapes, other
//! quoting, a key twice, an unknown key, a missing one) is `None`, and the file goes
//! through the TOML library, which reads it or says where it is wrong: this reader never
//! reports an error and never accepts a file the library would refuse.

use chiso_domain::unit::{Unit, UnitId};

/// The units of `text`, or `None` when the file is not of the plain shape.
pub fn units(text: &str) -> Option<Vec<Unit>> {
    // Control characters (a carriage return included) are left to the library.
    if text.bytes().any(|b| b < 0x20 && b != b'\t' && b != b'\n' || b == 0x7f) {
        return None;
    }
    let mut p = Plain { s: text.as_bytes(), at: 0 };
    let mut units = Vec::new();
    let mut current: Option<Fields> = None;
    loop {
        p.blank_lines();
        if p.at == p.s.len() {
            break;
        }
        if p.s[p.at] == b'[' {
            if !p.s[p.at..].starts_with(b"[[unit]]") {
                return None;
            }
            p.at += b"[[unit]]".len();
            p.end_of_line()?;
            if let Some(f) = current.replace(Fields::default()) {
                units.push(f.unit()?);
            }
            continue;
        }
        let fields = current.as_mut()?; // a key outside any [[unit]]
        let key = p.key()?;
        p.spaces();
        p.byte(b'=')?;
        p.spaces();
        match key {
            "id" | "name" | "kind" => {
                let value = p.string()?.to_string();
                let slot = match key {
                    "id" => &mut fields.id,
                    "name" => &mut fields.name,
                    _ => &mut fields.kind,
                };
                if slot.replace(value).is_some() {
                    return None;
                }
            }
            "aliases" => {
                if fields.aliases.replace(p.strings()?).is_some() {
                    return None;
                }
            }
            "from" | "until" => {
                let value = p.integer()?;
                let slot = if key == "from" { &mut fields.from } else { &mut fields.until };
                if slot.replace(value).is_some() {
                    return None;
                }
            }
            _ => return None,
        }
        p.end_of_line()?;
    }
    if let Some(f) = current {
        units.push(f.unit()?);
    }
    Some(units)
}

#[derive(Default)]
struct Fields {
    id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    aliases: Option<Vec<String>>,
    from: Option<i32>,
    until: Option<i32>,
}

impl Fields {
    fn unit(self) -> Option<Unit> {
        Some(Unit {
            id: UnitId(self.id?),
            name: self.name?,
            kind: self.kind?,
            aliases: self.aliases.unwrap_or_default(),
            from: self.from,
            until: self.until,
        })
    }
}

struct Plain<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Plain<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.at += 1)
    }

    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn comment(&mut self) {
        if self.peek() == Some(b'#') {
            while self.peek().is_some_and(|b| b != b'\n') {
                self.at += 1;
            }
        }
    }

    /// Spaces, comments and newlines.
    fn blank_lines(&mut self) {
        loop {
            self.spaces();
            self.comment();
            if self.byte(b'\n').is_none() {
                return;
            }
        }
    }

    /// Spaces, a comment, then a newline or the end of the text.
    fn end_of_line(&mut self) -> Option<()> {
        self.spaces();
        self.comment();
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.at += 1;
                Some(())
            }
            Some(_) => None,
        }
    }

    /// A bare key (letters, digits, `_`, `-`); a dotted or quoted key is `None`.
    fn key(&mut self) -> Option<&'a str> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            self.at += 1;
        }
        (self.at > start).then(|| std::str::from_utf8(&self.s[start..self.at]).ok()).flatten()
    }

    /// A basic string on one line without escapes (`"""` strings are `None`).
    fn string(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | b'\n' => return None,
                _ => self.at += 1,
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.at]).ok()?;
        self.at += 1;
        if text.is_empty() && self.peek() == Some(b'"') {
            return None; // a multi-line string
        }
        Some(text)
    }

    /// An array of strings, over several lines if need be, a trailing comma allowed.
    fn strings(&mut self) -> Option<Vec<String>> {
        self.byte(b'[')?;
        let mut out = Vec::new();
        loop {
            self.blank_lines();
            if self.byte(b']').is_some() {
                return Some(out);
            }
            out.push(self.string()?.to_string());
            self.blank_lines();
            if self.byte(b',').is_none() {
                self.blank_lines();
                self.byte(b']')?;
                return Some(out);
            }
        }
    }

    /// A whole number written plainly: `0` or an optional `-` and digits not starting
    /// with 0, within `i32`.
    fn integer(&mut self) -> Option<i32> {
        let start = self.at;
        self.byte(b'-');
        let digits = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.at]).ok()?;
        let body = &self.s[digits..self.at];
        let plain = match body {
            [] => false,
            [b'0'] => digits == start,
            [first, ..] => *first != b'0',
        };
        if !plain || matches!(self.peek(), Some(b'_' | b'.' | b'e' | b'E' | b'x' | b'o' | b'b' | b':' | b'-')) {
            return None;
        }
        text.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the TOML library reads from `text`: the units, or `None` when it refuses it.
    fn by_the_library(text: &str) -> Option<Vec<Unit>> {
        let r = crate::units_toml::parse_with_toml(&[("u.toml".into(), text.into())]).ok()?;
        (r.lineage().is_empty()).then(|| r.units().to_vec())
    }

    const PLAIN: &str = "# Đơn vị\n\n[[unit]] # một\nid = \"dv0001\"\nname = \"Xã Đơn vị 0001\"\nkind = \"commune\"\n\
        aliases = [\"DV0001\"]\n\n[[unit]]\n  id=\"b-2\"\t# hai\nkind = \"commune\"\nname = \"Xã Bình\"\n\
        aliases = [\n  \"Bình\", # cũ\n  \"B\",\n]\nfrom = 2020\nuntil = 2024\n[[unit]]\nid = \"c\"\nname = \"\"\n\
        kind = \"k\"\naliases = []\nfrom = -5\nuntil = 0";

    #[test]
    fn plain_files_read_as_the_toml_library_reads_them() {
        let ours = units(PLAIN).expect("plain");
        assert_eq!(ours.len(), 3);
        assert_eq!(ours[1].aliases, ["Bình", "B"]);
        assert_eq!((ours[1].from, ours[1].until, ours[2].from), (Some(2020), Some(2024), Some(-5)));
        // The library would NFC-normalise through Registry::new the same way: compare raw.
        let library = by_the_library(PLAIN).expect("valid TOML");
        assert_eq!(ours, library);
        assert_eq!(units(""), Some(vec![]));
        assert_eq!(units("# only a comment\n"), Some(vec![]));
    }

    #[test]
    fn anything_else_is_left_to_the_toml_library() {
        let unit = "[[unit]]\nid = \"a\"\nname = \"A\"\nkind = \"k\"\n";
        let cases = [
            format!("{unit}[[lineage]]\nyear = 2025\nkind = \"renamed\"\nfrom = [\"a\"]\ninto = [\"a\"]\n"),
            format!("{unit}id = \"b\"\n"),                             // a key twice
            format!("{unit}note = \"x\"\n"),                           // unknown key
            "[[unit]]\nid = \"a\"\nkind = \"k\"\n".into(),             // no name
            "id = \"a\"\n".into(),                                     // outside a table
            "[[unit]]\nid = 'a'\nname = \"A\"\nkind = \"k\"\n".into(), // literal string
            "[[unit]]\nid = \"a\\u0041\"\nname = \"A\"\nkind = \"k\"\n".into(), // escape
            "[[unit]]\nid = \"a\"\nname = \"\"\"A\"\"\"\nkind = \"k\"\n".into(), // multi-line
            "[[unit]]\r\nid = \"a\"\r\nname = \"A\"\r\nkind = \"k\"\r\n".into(), // CRLF
            format!("{unit}from = 02020\n"),
            format!("{unit}from = +2020\n"),
            format!("{unit}from = 2_020\n"),
            format!("{unit}from = 2020-01-01\n"),
            format!("{unit}from = 2020.0\n"),
            format!("{unit}from = 99999999999\n"),
            format!("{unit}from = \"2020\"\n"),
            format!("{unit}aliases = [\"a\", 1]\n"),
            format!("{unit}aliases = \"a\"\n"),
            format!("{unit}name.x = \"a\"\n"),
            format!("{unit}\"name\" = \"a\"\n"),
            "[[ unit ]]\nid = \"a\"\nname = \"A\"\nkind = \"k\"\n".into(),
            "[unit]\nid = \"a\"\nname = \"A\"\nkind = \"k\"\n".into(),
            "[[unit]]\nid = \"a\" x\nname = \"A\"\nkind = \"k\"\n".into(),
            "[[unit]]\nid = \"a\nname = \"A\"\nkind = \"k\"\n".into(),
            "\u{feff}[[unit]]\nid = \"a\"\nname = \"A\"\nkind = \"k\"\n".into(),
            "[[unit]]\nid = \"a\"\nname = \"A\u{1}\"\nkind = \"k\"\n".into(),
        ];
        for text in &cases {
            assert_eq!(units(text), None, "{text:?}");
        }
        // Those the library reads, it reads as it always did (the plain reader stood aside).
        assert!(by_the_library(&cases[9]).is_none(), "leading zeros are refused by TOML");
    }

    #[test]
    fn a_national_registry_is_read_plainly_and_resolves_names_and_aliases() {
        let text: String = (1..=4500)
            .map(|u| format!("[[unit]]\nid = \"dv{u:04}\"\nname = \"Xã Đơn vị {u:04}\"\nkind = \"commune\"\naliases = [\"DV{u:04}\"]\n\n"))
            .collect();
        let ours = units(&text).expect("plain");
        assert_eq!(ours, by_the_library(&text).expect("valid"));
        let r = crate::units_toml::parse("u.toml", &text).unwrap();
        assert_eq!(r.resolve("xã  đơn vị 4500", "commune", 2024).unwrap().0.id.0, "dv4500");
        assert_eq!(r.resolve("DV0007", "commune", 2024).unwrap().0.id.0, "dv0007");
    }
}
