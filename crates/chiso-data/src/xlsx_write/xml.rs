//! XML text: escaping, and characters XML 1.0 cannot hold written as Excel does (`_x0001_`).

/// Appends `s` escaped for an element's text (`attr`: also for an attribute value).
pub(crate) fn escape_into(out: &mut Vec<u8>, s: &str, attr: bool) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: Option<&[u8]> = match b {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'"' if attr => Some(b"&quot;"),
            b'\n' if attr => Some(b"&#10;"),
            b'\t' | b'\n' | b'\r' => None,
            0..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        match rep {
            Some(r) => out.extend_from_slice(r),
            None if matches!(b, b'\t' | b'\n' | b'\r') => out.push(b),
            None => out.extend_from_slice(format!("_x{b:04X}_").as_bytes()),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

pub(crate) fn escaped(s: &str, attr: bool) -> String {
    let mut v = Vec::with_capacity(s.len());
    escape_into(&mut v, s, attr);
    String::from_utf8(v).expect("escaping keeps UTF-8")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(super::escaped("a<b>&\"c\"\u{1}\n", false), "a&lt;b&gt;&amp;\"c\"_x0001_\n");
        assert_eq!(super::escaped("\"x\"\n", true), "&quot;x&quot;&#10;");
    }
}
