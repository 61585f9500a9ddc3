//! Changes made through other servers. Several `chiso serve` processes share one database:
//! each one's caches (the parsed catalogue, the web's micro-cache of public pages) and its
//! report worker must learn of a publication or a catalogue change made through another.
//! Every [`FOLLOW_EVERY`] the server reads the database's change counter (one row,
//! `Store::change_seq`); when it moved, the changes since (`Store::changes_between`) are
//! handled as this server handles its own: the catalogue forgotten, the listeners told, the
//! years' outlooks and PDFs queued (made once: the files are shared, and named by the data
//! they come from).

use crate::{App, Change};
use std::time::Duration;

/// How often a server looks for other servers' changes: a publication made through one is
/// on every other's pages within this time (and a cached page's rebuild).
pub const FOLLOW_EVERY: Duration = Duration::from_millis(250);

impl App {
    /// Starts following the database's changes in the background. Needs a Tokio runtime.
    pub(crate) fn follow_changes(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut seen = None;
            let mut failing = false;
            loop {
                match app.changes_after(seen).await {
                    Ok(head) => {
                        if failing {
                            tracing::warn!("the database's changes are followed again");
                        }
                        failing = false;
                        seen = Some(head);
                    }
                    Err(e) => {
                        if !failing {
                            tracing::warn!(error = %e, "the database's changes cannot be read: other servers' changes are seen when it answers");
                        }
                        failing = true;
                    }
                }
                if app.store.is_closed() {
                    return;
                }
                tokio::time::sleep(FOLLOW_EVERY).await;
            }
        });
    }

    /// Handles the changes after `seen` (none the first time: nothing is cached yet) and
    /// returns the counter read.
    async fn changes_after(&self, seen: Option<i64>) -> chiso_store::Result<i64> {
        let head = self.store.change_seq().await?;
        let Some(seen) = seen else { return Ok(head) };
        if head == seen {
            return Ok(head);
        }
        // A counter that went back is a restored database: everything may have changed.
        let changes = if head < seen {
            vec![Change::Catalogue]
        } else {
            let mut changes = Vec::new();
            for c in self.store.changes_between(seen, head).await? {
                let change = match (c.action.as_str(), c.year()) {
                    ("results.publish", Some(year)) => Change::Published { year },
                    _ => Change::Catalogue,
                };
                if !changes.contains(&change) {
                    changes.push(change);
                }
            }
            changes
        };
        for change in changes {
            self.changed_elsewhere(change).await;
        }
        Ok(head)
    }

    /// What [`App::changed`] does after this server's own change, but the report files: the
    /// server that made the change made them, and a download makes them if it could not.
    async fn changed_elsewhere(&self, change: Change) {
        self.versions.clear();
        if change == Change::Catalogue {
            self.catalog.clear();
        }
        let years = match change {
            Change::Published { year } => vec![year, year + 1],
            Change::Catalogue => self.years().await,
        };
        for year in years {
            self.reports.refresh(year);
        }
        let listeners = self.listeners.read().expect("not poisoned").clone();
        for f in listeners {
            f(change);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::reports::Format;
    use crate::{Actor, App, Change};
    use std::sync::{Arc, Mutex};

    /// Two `App`s on one database, as two servers: what one publishes, the other's
    /// listeners hear of (its caches are cleared) within a fraction of a second.
    #[tokio::test]
    async fn a_publication_through_one_server_reaches_the_other() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = chiso_store::Store::open(&url).await.unwrap();
        crate::seed::bootstrap(&store, dir.path(), crate::seed::Start::Demo).await.unwrap();
        let one = App::new(store.clone(), dir.path().join("one"));
        let other = App::serving(store.clone(), dir.path().join("other"), false);
        let heard: Arc<Mutex<Vec<Change>>> = Default::default();
        let sink = heard.clone();
        other.on_change(move |c| sink.lock().unwrap().push(c));
        tokio::time::sleep(super::FOLLOW_EVERY * 2).await;
        let cat = other.catalog().await.unwrap();

        one.publish(&Actor::cli(), 2020, "department", "Công bố lại", false).await.unwrap();
        let start = std::time::Instant::now();
        while heard.lock().unwrap().is_empty() && start.elapsed() < std::time::Duration::from_secs(5) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(*heard.lock().unwrap(), [Change::Published { year: 2020 }]);
        assert!(start.elapsed() < std::time::Duration::from_secs(1), "heard within a second");
        assert!(Arc::ptr_eq(&cat, &other.catalog().await.unwrap()), "a publication keeps the catalogue");

        // A catalogue change (a deadline, a document) makes the other read it again, and
        // check its report files against the data again.
        let html = other.report_file(2020, Format::Html).await.unwrap();
        assert!(!String::from_utf8(html).unwrap().contains("Sở Y tế tỉnh"));
        heard.lock().unwrap().clear();
        let text = one.catalogue_documents(&Actor::cli()).await.unwrap().1;
        let change = crate::CatalogueChange::Units { body: text.replace("\"Sở Y tế\"", "\"Sở Y tế tỉnh\"") };
        one.change_catalogue(&Actor::cli(), change, "Đổi tên").await.unwrap();
        let start = std::time::Instant::now();
        while heard.lock().unwrap().is_empty() && start.elapsed() < std::time::Duration::from_secs(5) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(*heard.lock().unwrap(), [Change::Catalogue]);
        let now = other.catalog().await.unwrap();
        assert!(!Arc::ptr_eq(&cat, &now), "the catalogue is read again");
        let html = String::from_utf8(other.report_file(2020, Format::Html).await.unwrap()).unwrap();
        assert!(html.contains("Sở Y tế tỉnh"), "the report names the unit as it is now called");
        store.close().await;
    }
}
