//! What a form just did, said on the page it leads back to: a redirect carries `?xong=<code>`
//! (a fixed word, never text from the request), the page shows the sentence for it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Saved,
    Submitted,
    Uploaded,
    Deleted,
    Replied,
    Imported,
    Adjusted,
    Asked,
    Verified,
    Opened,
    Account,
    UserAdded,
    UnitsChanged,
    Published,
    Catalogue,
    PeriodRemoved,
    SubmittedOnBehalf,
}

const ALL: [(Done, &str); 17] = [
    (Done::Saved, "luu"),
    (Done::Submitted, "nop"),
    (Done::Uploaded, "minh-chung"),
    (Done::Deleted, "xoa"),
    (Done::Replied, "tra-loi"),
    (Done::Imported, "excel"),
    (Done::Adjusted, "dieu-chinh"),
    (Done::Asked, "hoi"),
    (Done::Verified, "xac-nhan"),
    (Done::Opened, "mo-ky"),
    (Done::Account, "tai-khoan"),
    (Done::UserAdded, "them-nguoi-dung"),
    (Done::UnitsChanged, "doi-don-vi"),
    (Done::Published, "cong-bo"),
    (Done::Catalogue, "danh-muc"),
    (Done::PeriodRemoved, "xoa-ky"),
    (Done::SubmittedOnBehalf, "nop-thay"),
];

impl Done {
    /// `path` with this outcome in its query.
    pub fn after(self, path: &str) -> String {
        let code = ALL.iter().find(|(d, _)| *d == self).map_or("", |(_, c)| c);
        format!("{path}?xong={code}")
    }
}

/// `path` without the outcome in its query: where to go back to after logging in again
/// (a page that said "saved" would say it again, and the browser would drop its draft).
pub fn without_outcome(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else { return path.to_string() };
    let rest: Vec<&str> = query.split('&').filter(|kv| !kv.starts_with("xong=")).collect();
    if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) }
}

/// The outcome named in the request's query, if any: an extractor for the pages forms lead to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Notice(pub Option<Done>);

impl<S: Send + Sync> FromRequestParts<S> for Notice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let code = parts.uri.query().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("xong="));
        Ok(Notice(code.and_then(|c| ALL.iter().find(|(_, k)| *k == c).map(|(d, _)| *d))))
    }
}

impl Notice {
    /// The sentence, as a status line at the top of the page; nothing without an outcome.
    pub fn html(self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Texts;
        match self.0 {
            Some(d) => format!("<p class=\"ok\" role=\"status\">{}</p>", (lang.t().done)(d)),
            None => String::new(),
        }
    }
}
