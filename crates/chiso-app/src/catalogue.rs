//! Changes to the catalogue: the frameworks, the unit registry, a year's report settings, and
//! a unit's extended deadline. Each document is validated by the same parsers as the command
//! line's files and stored with its reason on the record.

use crate::{Actor, App, Change, Error, Field, Message, Result};
use chiso_data::{framework_toml, report_toml, units_toml};
use chiso_domain::date::Date;
use chiso_store::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueChange {
    /// A framework's TOML (its `id` names it).
    Framework { body: String },
    /// The unit registry's TOML.
    Units { body: String },
    /// A year's report settings' TOML (its `year` names it).
    Report { body: String },
    /// A unit's own deadline in a period.
    Exception { year: String, kind: String, unit: String, until: String },
}

impl App {
    pub async fn change_catalogue(&self, actor: &Actor, change: CatalogueChange, reason: &str) -> Result<()> {
        actor.require(&[Role::Admin])?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(Message::ChangeReasonNeeded).code("reason_required"));
        }
        crate::bounded(reason, crate::MAX_REASON, Field::Reason)?;
        let invalid = |errors| Error::new(crate::Kind::Unprocessable, Message::InvalidNotSaved(errors));
        let who = &actor.username;
        match change {
            CatalogueChange::Framework { body } => {
                let body = body.replace("\r\n", "\n");
                let fw = framework_toml::parse("bo-tieu-chi.toml", &body).map_err(invalid)?;
                let name = format!("framework/{}", fw.id);
                self.refuse_orphans(&name, &body).await?;
                self.store.put_document(&name, &body, who, reason).await?;
            }
            CatalogueChange::Units { body } => {
                let body = body.replace("\r\n", "\n");
                units_toml::parse("units.toml", &body).map_err(invalid)?;
                self.refuse_orphans("units.toml", &body).await?;
                self.store.put_document("units.toml", &body, who, reason).await?;
            }
            CatalogueChange::Report { body } => {
                let body = body.replace("\r\n", "\n");
                let (year, settings) = report_toml::parse("bao-cao.toml", &body).map_err(|e| invalid(vec![e]))?;
                self.refuse_unknown_levels(year, &body, &settings).await?;
                self.store.put_document(&format!("report/{year}"), &body, who, reason).await?;
            }
            CatalogueChange::Exception { year, kind, unit, until } => {
                let year: i32 = year.trim().parse().map_err(|_| Error::invalid(Message::BadYear).code("bad_year"))?;
                let kind = kind.trim();
                if self.store.period(year, kind).await?.is_none() {
                    return Err(Error::invalid(Message::NoSuchPeriod).code("period_not_found"));
                }
                let until = Date::parse(until.trim())
                    .ok_or_else(|| Error::invalid(Message::BadNewDeadline).code("invalid_date"))?;
                let cat = self.catalog().await?;
                let unit = unit.trim();
                if !cat.registry.of_kind(kind, year).any(|u| u.id.0 == unit) {
                    return Err(Error::invalid(Message::ExceptionUnknownUnit).code("unit_not_found"));
                }
                let name = format!("exception/{year}/{kind}/{unit}");
                self.store.put_document(&name, &until.to_string(), who, reason).await?;
            }
        }
        // Names and frameworks show on the public pages and in the reports.
        self.changed(Change::Catalogue).await;
        Ok(())
    }

    /// Refuses report settings whose `[tables] levels` names a level that no framework of the
    /// year's periods has (any framework of the catalogue when the year has no period yet),
    /// as `chiso report` does: such a table would silently be missing from the report.
    async fn refuse_unknown_levels(
        &self,
        year: i32,
        body: &str,
        settings: &chiso_domain::ReportSettings,
    ) -> Result<()> {
        let cat = self.catalog().await?;
        let periods = self.store.periods().await?;
        let of_year: Vec<&str> = periods.iter().filter(|p| p.year == year).map(|p| p.framework.as_str()).collect();
        let mut levels: Vec<&str> = Vec::new();
        let frameworks = cat.frameworks.iter().filter(|f| of_year.is_empty() || of_year.contains(&f.id.as_str()));
        for l in frameworks.flat_map(|f| &f.levels) {
            if !levels.contains(&l.name.as_str()) {
                levels.push(&l.name);
            }
        }
        report_toml::check_levels("bao-cao.toml", body, settings, &levels)
            .map_err(|e| Error::new(crate::Kind::Unprocessable, Message::InvalidNotSaved(vec![e])))
    }

    /// Refuses a new registry or framework (`name`, `body`) that would orphan stored periods,
    /// submissions or published results, with each of them.
    pub(crate) async fn refuse_orphans(&self, name: &str, body: &str) -> Result<()> {
        let current = self.catalog().await?;
        let candidate = crate::Catalog::with_document(&self.store, name, body).await?;
        let problems = self.orphaned_by(&current, &candidate).await?;
        if problems.is_empty() { Ok(()) } else { Err(Error::not_saved(problems).code("catalogue_in_use")) }
    }
}
