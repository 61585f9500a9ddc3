//! Decimals in TOML: written as strings ("100.4"), integers or floats, read exactly.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TomlDecimal(pub Decimal);

impl<'de> Deserialize<'de> for TomlDecimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            // A float's shortest round-trip text is what the author typed (93.05).
            Float(f64),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Int(i) => return Ok(TomlDecimal(Decimal::from(i))),
            Raw::Float(f) => f.to_string(),
            Raw::Text(s) => s,
        };
        chiso_domain::number::parse_decimal(&text)
            .or_else(|| Decimal::from_str(&text).ok())
            .map(TomlDecimal)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a decimal number")))
    }
}
