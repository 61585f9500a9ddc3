//! The public pages at an address of their own in each language: `/ket-qua/2020/department`
//! is Vietnamese and `/en/results/2020/department` English, whatever the reader's cookie says
//! (logged-in pages keep the cookie's choice). Each public page names the other language's
//! address (`hreflang` alternates) and its language switch leads there.

use crate::html::esc;
use crate::i18n::Lang;

/// A public page's address prefix in Vietnamese and in English (`/` ↔ `/en` apart).
const PREFIXES: [(&str, &str); 3] =
    [("/ket-qua/", "/en/results/"), ("/don-vi/", "/en/units/"), ("/bao-cao/bao-cao-", "/en/reports/report-")];

/// The language a public page's address names, or `None` for any other page (its language
/// is the reader's choice).
pub fn address_lang(path: &str) -> Option<Lang> {
    if path == "/en" || path.starts_with("/en/") {
        Some(Lang::En)
    } else if path == "/" || PREFIXES.iter().any(|(vi, _)| path.starts_with(vi)) {
        Some(Lang::Vi)
    } else {
        None
    }
}

/// The same public page in `lang` (a query is kept), or `None` when `path_and_query` is not
/// a public page.
pub fn translate(path_and_query: &str, lang: Lang) -> Option<String> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (path_and_query, String::new()),
    };
    let from = address_lang(path)?;
    if from == lang {
        return Some(path_and_query.to_string());
    }
    let moved = match (path, lang) {
        ("/", Lang::En) => "/en".to_string(),
        ("/en" | "/en/", Lang::Vi) => "/".to_string(),
        _ => PREFIXES.iter().find_map(|(vi, en)| {
            let (old, new) = if lang == Lang::En { (vi, en) } else { (en, vi) };
            path.strip_prefix(old).map(|rest| format!("{new}{rest}"))
        })?,
    };
    Some(moved + &query)
}

/// What a page's head and language switch say about the other language: its address, and
/// the alternates of both (`None`: a page whose language is the reader's choice).
pub fn alternates(path_and_query: &str) -> Option<(String, String)> {
    Some((translate(path_and_query, Lang::Vi)?, translate(path_and_query, Lang::En)?))
}

// The addresses of the public pages in a language, escaped for an attribute.

pub fn home(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "/",
        Lang::En => "/en",
    }
}

pub fn results(lang: Lang, year: i32, kind: &str) -> String {
    esc(&results_path(lang, year, kind))
}

/// A year's ranking, unescaped (for a redirect).
pub fn results_path(lang: Lang, year: i32, kind: &str) -> String {
    let prefix = if lang == Lang::En { PREFIXES[0].1 } else { PREFIXES[0].0 };
    format!("{prefix}{year}/{kind}")
}

pub fn unit(lang: Lang, id: &str) -> String {
    let prefix = if lang == Lang::En { PREFIXES[1].1 } else { PREFIXES[1].0 };
    esc(&format!("{prefix}{id}"))
}

/// A year's report file (`docx`, `pdf`, `xlsx`, `html`).
pub fn report(lang: Lang, year: i32, ext: &str) -> String {
    let prefix = if lang == Lang::En { PREFIXES[2].1 } else { PREFIXES[2].0 };
    esc(&format!("{prefix}{year}.{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_public_page_has_an_address_in_each_language() {
        for (vi, en) in [
            ("/", "/en"),
            ("/ket-qua/2020/department", "/en/results/2020/department"),
            ("/ket-qua/2020/district?muc=KXH&ten=y", "/en/results/2020/district?muc=KXH&ten=y"),
            ("/don-vi/so-y-te", "/en/units/so-y-te"),
            ("/bao-cao/bao-cao-2020.docx", "/en/reports/report-2020.docx"),
        ] {
            assert_eq!(translate(vi, Lang::En).as_deref(), Some(en));
            assert_eq!(translate(en, Lang::Vi).as_deref(), Some(vi));
            assert_eq!(translate(vi, Lang::Vi).as_deref(), Some(vi));
        }
        for private in ["/cong-viec", "/quan-tri", "/nop/2020/department/so-y-te", "/english", "/api/v1/me"] {
            assert_eq!(address_lang(private), None, "{private}");
            assert_eq!(translate(private, Lang::En), None);
        }
    }
}
