//! Fields of a form, or of the API's form-shaped JSON objects, as the application layer's
//! typed input. One place, so that a page and its API route read the same names.

use crate::error::{AppError, AppResult};

/// A field's value by name, `""` when absent.
pub trait Get {
    fn get(&self, name: &str) -> String;
}

impl Get for super::Fields {
    fn get(&self, name: &str) -> String {
        super::field(self, name).unwrap_or("").to_string()
    }
}

impl Get for std::collections::BTreeMap<String, String> {
    fn get(&self, name: &str) -> String {
        std::collections::BTreeMap::get(self, name).cloned().unwrap_or_default()
    }
}

/// `username`, `password`, `role`, `units` (codes separated by commas).
pub fn new_user(f: &impl Get) -> chiso_app::NewUser {
    chiso_app::NewUser {
        username: f.get("username"),
        password: f.get("password"),
        role: f.get("role"),
        units: f.get("units").split(',').map(str::to_string).collect(),
    }
}

/// `year`, `framework`, `deadline`.
pub fn open_period(f: &impl Get) -> chiso_app::OpenPeriod {
    chiso_app::OpenPeriod { year: f.get("year"), framework: f.get("framework"), deadline: f.get("deadline") }
}

/// `what` = `framework`, `units` or `report` (with `body`), or `exception` (`year`, `kind`,
/// `unit`, `until`).
pub fn catalogue_change(f: &impl Get) -> AppResult<chiso_app::CatalogueChange> {
    use chiso_app::CatalogueChange as C;
    Ok(match f.get("what").as_str() {
        "framework" => C::Framework { body: f.get("body") },
        "units" => C::Units { body: f.get("body") },
        "report" => C::Report { body: f.get("body") },
        "exception" => {
            C::Exception { year: f.get("year"), kind: f.get("kind"), unit: f.get("unit"), until: f.get("until") }
        }
        _ => return Err(AppError::bad_request(|t| t.bad_action)),
    })
}
