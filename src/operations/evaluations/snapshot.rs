//! An evaluation's snapshot: the overview of its period as it stood when the evaluation was
//! recorded. Its own type, not the live [`Overview`]: the overview may gain, rename or drop
//! figures, and a stored evaluation must still load. What it stores is versioned, and every
//! field has a default, so that a snapshot written before a figure existed reads with it
//! empty.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::overview::{Attributed, Figure, Median, Overview};

/// The stored form's version. Version 1 is the overview's shape when evaluations began;
/// snapshots stored before versioning carry no number and are of it. Version 2: a figure of
/// fewer complaints than the minimum is the string `"< 5"`, and there are no rows per
/// person; version 1's numbers read as figures. Version 3: the judgements and the clients'
/// satisfaction; earlier snapshots have none — they were not counted then, which is not the
/// same as none counted — and show without them.
const VERSION: u32 = 3;

/// The figures of versions 1 to 3. (The API shows them as the `Overview` schema: the two
/// have the same JSON today, which a test holds them to; when the overview changes, this
/// type gets a schema of its own.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    pub period: Days,
    pub previous_period: Days,
    pub anonymised: bool,
    pub generated_at: DateTime<Utc>,
    pub total: Figure,
    pub by_kind: BTreeMap<String, Figure>,
    pub by_status: BTreeMap<String, Figure>,
    pub by_channel: BTreeMap<String, Figure>,
    pub by_category: BTreeMap<String, Figure>,
    pub by_reporter: BTreeMap<String, Figure>,
    pub response_term: BTreeMap<String, Figure>,
    pub outcome: BTreeMap<String, Figure>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_judgement: Option<BTreeMap<String, Figure>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    pub median_hours_to_first_response: Option<Median>,
    pub median_days_to_closure: Option<Median>,
    pub actions: Actions,
    pub recurrence: Vec<Recurrence>,
    pub per_month: Vec<Month>,
    pub by_handler: Vec<Count>,
    pub by_client: Vec<Count>,
    pub discussed_anonymously: Figure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Days {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Actions {
    pub open: i64,
    pub overdue: i64,
    pub done: i64,
}

/// A category as counted then: kept as its name, so that a later change of the categories
/// leaves it readable.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Recurrence {
    pub category: String,
    pub current: Figure,
    pub previous: Figure,
    pub change: Figure,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Month {
    pub month: String,
    pub total: Figure,
    pub by_category: BTreeMap<String, Figure>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Satisfaction {
    pub given: Figure,
    pub average: Option<Median>,
    pub by_score: BTreeMap<String, Figure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Count {
    pub name: String,
    pub id: Option<String>,
    pub count: i64,
}

/// The stored form: the version, and the figures of that version.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(default = "first_version")]
    version: u32,
    #[serde(flatten)]
    snapshot: Snapshot,
}

fn first_version() -> u32 {
    1
}

/// A stored snapshot this version of the service cannot read.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("the snapshot is not JSON of a known shape")]
    Malformed,
    #[error("the snapshot is of version {0}, later than this service knows")]
    Later(u32),
}

impl Snapshot {
    /// Reads a stored snapshot.
    pub fn load(stored: &str) -> Result<Snapshot, Unreadable> {
        let stored: Stored = serde_json::from_str(stored).map_err(|_| Unreadable::Malformed)?;
        match stored.version {
            1..=VERSION => Ok(stored.snapshot),
            later => Err(Unreadable::Later(later)),
        }
    }

    /// The stored form, with its version.
    pub fn to_stored(&self) -> String {
        let stored = Stored { version: VERSION, snapshot: self.clone() };
        serde_json::to_string(&stored).unwrap_or_default()
    }
}

impl From<&Overview> for Snapshot {
    fn from(o: &Overview) -> Snapshot {
        let counts = |list: &[Attributed]| -> Vec<Count> {
            list.iter()
                .map(|a| Count { name: a.name.clone(), id: a.id.clone(), count: a.count })
                .collect()
        };
        Snapshot {
            period: Days { from: o.period.from, to: o.period.to },
            previous_period: Days { from: o.previous_period.from, to: o.previous_period.to },
            anonymised: o.anonymised,
            generated_at: o.generated_at,
            total: o.total,
            by_kind: o.by_kind.clone(),
            by_status: o.by_status.clone(),
            by_channel: o.by_channel.clone(),
            by_category: o.by_category.clone(),
            by_reporter: o.by_reporter.clone(),
            response_term: o.response_term.clone(),
            outcome: o.outcome.clone(),
            by_judgement: Some(o.by_judgement.clone()),
            satisfaction: Some(Satisfaction {
                given: o.satisfaction.given,
                average: o.satisfaction.average,
                by_score: o.satisfaction.by_score.clone(),
            }),
            median_hours_to_first_response: o.median_hours_to_first_response,
            median_days_to_closure: o.median_days_to_closure,
            actions: Actions {
                open: o.actions.open,
                overdue: o.actions.overdue,
                done: o.actions.done,
            },
            recurrence: o
                .recurrence
                .iter()
                .map(|r| Recurrence {
                    category: r.category.as_str().to_owned(),
                    current: r.current,
                    previous: r.previous,
                    change: r.change,
                })
                .collect(),
            per_month: o
                .per_month
                .iter()
                .map(|m| Month {
                    month: m.month.clone(),
                    total: m.total,
                    by_category: m.by_category.clone(),
                })
                .collect(),
            by_handler: counts(&o.by_handler),
            by_client: counts(&o.by_client),
            discussed_anonymously: o.discussed_anonymously,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::overview::{Counts, Form, Period, Shown, assemble};
    use chrono::TimeZone;

    /// A snapshot as the service stored it before snapshots had a type of their own (taken
    /// from an evaluation recorded through the API).
    const STORED_BEFORE_VERSIONING: &str =
        include_str!("../../../tests/fixtures/evaluation-snapshot-unversioned.json");

    #[test]
    fn a_snapshot_stored_before_versioning_loads_as_it_was() {
        let snapshot = Snapshot::load(STORED_BEFORE_VERSIONING).unwrap();
        assert_eq!(snapshot.total, Shown::Value(3));
        assert_eq!(snapshot.by_kind["error"], Shown::Value(1));
        assert_eq!(snapshot.median_hours_to_first_response, Some(Shown::Value(24.5)));
        assert_eq!(snapshot.recurrence[1].category, "legal");
        assert_eq!(snapshot.by_client[0].name, "Cliënt 1");
        // Shown as it was stored: the same JSON.
        let shown = serde_json::to_value(&snapshot).unwrap();
        let stored: serde_json::Value = serde_json::from_str(STORED_BEFORE_VERSIONING).unwrap();
        assert_eq!(shown, stored);
        assert_eq!(Snapshot::load(&snapshot.to_stored()).unwrap(), snapshot);
    }

    #[test]
    fn missing_figures_read_as_empty_and_later_versions_are_refused() {
        let sparse = Snapshot::load(r#"{"total": 4, "actions": {"open": 1}}"#).unwrap();
        assert_eq!(
            (sparse.total, sparse.actions.open, sparse.actions.done),
            (Shown::Value(4), 1, 0)
        );
        assert!(sparse.by_kind.is_empty() && sparse.median_days_to_closure.is_none());
        let hidden = Snapshot::load(r#"{"version": 2, "total": "< 5"}"#).unwrap();
        assert_eq!(hidden.total, Shown::FewerThan(5));
        // Taken before judgements and satisfaction were counted: not "none", but absent.
        assert_eq!((&hidden.by_judgement, &hidden.satisfaction), (&None, &None));
        let shown = serde_json::to_value(&hidden).unwrap();
        assert!(shown.get("by_judgement").is_none() && shown.get("satisfaction").is_none());
        assert!(matches!(Snapshot::load(r#"{"version": 4}"#), Err(Unreadable::Later(4))));
        assert!(matches!(Snapshot::load("[]"), Err(Unreadable::Malformed)));
        assert!(Snapshot::load(&Snapshot::default().to_stored()).unwrap().by_kind.is_empty());
    }

    /// The API documents a snapshot as an `Overview`: the two must have the same JSON.
    #[test]
    fn a_snapshot_shows_as_the_overview_it_was_taken_of() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let period = Period { from: day(10, 1), to: day(11, 30) };
        let form = Form { period, anonymised: true, now, minimum_cell: 5 };
        let overview = assemble(form, Counts::default());
        let snapshot = Snapshot::from(&overview);
        assert_eq!(
            serde_json::to_string(&snapshot).unwrap(),
            serde_json::to_string(&overview).unwrap()
        );
    }
}
