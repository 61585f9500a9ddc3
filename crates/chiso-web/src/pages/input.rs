//! Fields of a form, or of the API's form-shaped JSON objects, as the application layer's
//! typed input. One place, so that a page and its API route read the same names.

use crate::error::{AppError, AppResult};

/// A field's value by name, `""` when absent; every value of a repeated field.
pub trait Get {
    fn get(&self, name: &str) -> String;
    fn all(&self, name: &str) -> Vec<String>;
}

impl Get for super::Fields {
    fn get(&self, name: &str) -> String {
        super::field(self, name).unwrap_or("").to_string()
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

impl Get for std::collections::BTreeMap<String, String> {
    fn get(&self, name: &str) -> String {
        std::collections::BTreeMap::get(self, name).cloned().unwrap_or_default()
    }
    fn all(&self, name: &str) -> Vec<String> {
        std::collections::BTreeMap::get(self, name).into_iter().cloned().collect()
    }
}

/// `username`, `password`, `role`, `units` (codes separated by commas) and any number of
/// `unit` (one code each: the form's list of units by name).
pub fn new_user(f: &impl Get) -> chiso_app::NewUser {
    // Typed units, one a line or separated by `;` (a name may hold a comma); the
    // application finds each by code or name.
    let mut units: Vec<String> = f.get("units").split(['\n', ';']).map(str::to_string).collect();
    units.extend(f.all("unit"));
    chiso_app::NewUser { username: f.get("username"), password: f.get("password"), role: f.get("role"), units }
}

/// `year`, `framework`, `deadline`, and `history` (`1`, `true` or `on`: a past year without
/// a deadline).
pub fn open_period(f: &impl Get) -> chiso_app::OpenPeriod {
    chiso_app::OpenPeriod {
        year: f.get("year"),
        framework: f.get("framework"),
        deadline: f.get("deadline"),
        history: matches!(f.get("history").trim(), "1" | "true" | "on"),
    }
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
