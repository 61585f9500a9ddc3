//! The interface's languages: Vietnamese by default, English on request. Every sentence
//! the platform shows lives in `vi.rs` and `en.rs`, one [`Text`] each, so a missing
//! translation is a compile error. Data (unit, framework, criterion and level names) is
//! shown as the province wrote it.

mod en;
mod text;
mod vi;

pub use text::Text;

use chiso_domain::{PeriodStatus, SubmissionStatus};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chiso_store::Role;

/// The reader's choice, remembered in a cookie set by `/ngon-ngu/{lang}`.
pub const LANG_COOKIE: &str = "chiso_lang";

pub use chiso_domain::Lang;

/// The reader's language as a request extractor: the language a public page's address
/// names ([`crate::site`]), else the cookie's choice, Vietnamese otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reader(pub Lang);

/// The platform's sentences in a language: `lang.t()` is its [`Text`].
pub trait Texts: Sized {
    fn t(self) -> &'static Text;
    fn role(self, r: Role) -> &'static str;
    /// A submission's status as the reader says it.
    fn status(self, s: SubmissionStatus) -> &'static str;
    /// A period's status as the reader says it.
    fn period_status(self, s: PeriodStatus) -> &'static str;
    /// A kind of unit as people say it ("Sở, ban, ngành"); an unknown kind as it is written.
    fn kind(self, kind: &str) -> String {
        (self.t().kind_name)(kind).map_or_else(|| kind.to_string(), str::to_string)
    }
    /// A stored `YYYY-MM-DD` as people write it (`31/12/2026`); anything else as it is.
    fn date(self, iso: &str) -> String {
        chiso_domain::date::Date::parse(iso).map_or_else(|| iso.to_string(), |d| d.day_month_year())
    }
    /// A stored UTC timestamp in Vietnam's time (`06/12/2026 06:38`); anything else as it is.
    fn time(self, utc: &str) -> String {
        chiso_domain::date::vietnam_time(utc).unwrap_or_else(|| utc.to_string())
    }
}

impl Texts for Lang {
    fn t(self) -> &'static Text {
        match self {
            Lang::Vi => &vi::TEXT,
            Lang::En => &en::TEXT,
        }
    }

    fn role(self, r: Role) -> &'static str {
        let t = self.t();
        match r {
            Role::Admin => t.role_admin,
            Role::Reporter => t.role_reporter,
            Role::Assessor => t.role_assessor,
            Role::Viewer => t.role_viewer,
        }
    }

    fn status(self, s: SubmissionStatus) -> &'static str {
        let t = self.t();
        match s {
            SubmissionStatus::Draft => t.status_draft,
            SubmissionStatus::Submitted => t.status_submitted,
            SubmissionStatus::Verified => t.status_verified,
        }
    }

    fn period_status(self, s: PeriodStatus) -> &'static str {
        let t = self.t();
        match s {
            PeriodStatus::Open => t.status_open,
            PeriodStatus::Closed => t.status_closed,
            PeriodStatus::Published => t.status_published,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // A public page's address names its language (`/en/…`); elsewhere the cookie's choice.
        let cookie = || crate::auth::cookie(parts, LANG_COOKIE).and_then(|c| Lang::parse(&c));
        Ok(Reader(crate::site::address_lang(parts.uri.path()).or_else(cookie).unwrap_or_default()))
    }
}
