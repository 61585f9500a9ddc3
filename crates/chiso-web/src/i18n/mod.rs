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
use rust_decimal::Decimal;

/// The reader's choice, remembered in a cookie set by `/ngon-ngu/{lang}`.
pub const LANG_COOKIE: &str = "chiso_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn t(self) -> &'static Text {
        match self {
            Lang::Vi => &vi::TEXT,
            Lang::En => &en::TEXT,
        }
    }

    /// The language of the data layer's messages (import and validation errors).
    pub fn data(self) -> chiso_data::Lang {
        match self {
            Lang::Vi => chiso_data::Lang::Vi,
            Lang::En => chiso_data::Lang::En,
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
        chiso_domain::number::format_fixed(d, decimals, self.separator())
    }

    pub fn role(self, r: Role) -> &'static str {
        let t = self.t();
        match r {
            Role::Admin => t.role_admin,
            Role::Reporter => t.role_reporter,
            Role::Assessor => t.role_assessor,
            Role::Viewer => t.role_viewer,
        }
    }

    /// A submission's status as the reader says it.
    pub fn status(self, s: SubmissionStatus) -> &'static str {
        let t = self.t();
        match s {
            SubmissionStatus::Draft => t.status_draft,
            SubmissionStatus::Submitted => t.status_submitted,
            SubmissionStatus::Verified => t.status_verified,
        }
    }

    /// A period's status as the reader says it.
    pub fn period_status(self, s: PeriodStatus) -> &'static str {
        let t = self.t();
        match s {
            PeriodStatus::Open => t.status_open,
            PeriodStatus::Closed => t.status_closed,
            PeriodStatus::Published => t.status_published,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(crate::auth::cookie(parts, LANG_COOKIE).and_then(|c| Lang::parse(&c)).unwrap_or_default())
    }
}
