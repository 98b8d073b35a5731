//! The overview of a period for the office meeting: counted by the database, assembled by
//! `domain::overview`, anonymised for whoever may only see it so.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Context, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::overview::{
    self, ActionCounts, Attribution, Counts, Form, Medians, MonthCount, Overview, Period, Tally,
};
use crate::domain::roles::Person;
use crate::store::overview as store;
use crate::store::{organisations, staff};

/// The questions behind an overview.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub organisation_id: i64,
    pub period: Period,
    pub anonymised: bool,
    pub now: DateTime<Utc>,
    /// The anonymised form shows no figure of fewer complaints than this.
    pub minimum_cell: i64,
}

impl Question {
    pub fn form(&self) -> Form {
        Form {
            period: self.period,
            anonymised: self.anonymised,
            now: self.now,
            minimum_cell: self.minimum_cell,
        }
    }
}

/// How an overview is asked for: anonymised or not (`None`: the form's default), that
/// default, and the smallest number of complaints a figure of the anonymised form may
/// describe.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub anonymised: Option<bool>,
    pub default_anonymised: bool,
    pub minimum_cell: i64,
}

/// The counts per attribute value, with the people the `handler` ones name.
fn tallies(
    conn: &mut AnyConnection,
    q: Question,
) -> Result<(Vec<Tally>, HashMap<i64, Person>), OperationError> {
    let tallies = store::tallies(conn, q.organisation_id, &q.period, q.now)?;
    let people = people(conn, &tallies)?;
    Ok((tallies, people))
}

fn people(
    conn: &mut AnyConnection,
    tallies: &[Tally],
) -> Result<HashMap<i64, Person>, OperationError> {
    let handlers: Vec<i64> = tallies
        .iter()
        .filter(|t| t.attribute == "handler")
        .filter_map(|t| t.value.parse().ok())
        .collect();
    Ok(staff::people(conn, &handlers)?)
}

fn months(conn: &mut AnyConnection, q: Question) -> Result<Vec<MonthCount>, OperationError> {
    Ok(store::months(conn, q.organisation_id, &q.period)?)
}

fn timing(
    conn: &mut AnyConnection,
    q: Question,
) -> Result<(Medians, ActionCounts), OperationError> {
    Ok((
        store::medians(conn, q.organisation_id, &q.period)?,
        store::actions(conn, q.organisation_id, &q.period, q.now.date_naive())?,
    ))
}

fn clients(conn: &mut AnyConnection, q: Question) -> Result<Vec<Attribution>, OperationError> {
    Ok(store::by_client(conn, q.organisation_id, &q.period)?)
}

/// The overview, counted on one connection — inside a transaction when an evaluation takes
/// its snapshot.
pub fn compute(conn: &mut AnyConnection, q: Question) -> Result<Overview, OperationError> {
    Ok(overview::assemble(q.form(), counts(conn, q)?))
}

/// What the database counts for an overview, on one connection.
pub fn counts(conn: &mut AnyConnection, q: Question) -> Result<Counts, OperationError> {
    let (tallies, people) = tallies(conn, q)?;
    let months = months(conn, q)?;
    let (medians, actions) = timing(conn, q)?;
    let clients = clients(conn, q)?;
    Ok(Counts { tallies, people, months, medians, actions, clients })
}

/// [`counts`] as the complaints themselves give them, every attribute grouped in one pass
/// over the period's complaints instead of summed from the kept tallies: the reference the
/// tallies are held to.
pub fn counts_from_complaints(
    conn: &mut AnyConnection,
    q: Question,
) -> Result<Counts, OperationError> {
    let profiles = store::profiles(conn, q.organisation_id, &q.period, q.now)?;
    let tallies = overview::tallies(&profiles);
    let people = people(conn, &tallies)?;
    let months = store::months_of_complaints(conn, q.organisation_id, &q.period)?;
    let medians = store::medians_of_complaints(conn, q.organisation_id, &q.period)?;
    let actions = store::actions(conn, q.organisation_id, &q.period, q.now.date_naive())?;
    let clients = clients(conn, q)?;
    Ok(Counts { tallies, people, months, medians, actions, clients })
}

/// The overview, its parts counted side by side on several pooled connections: what an
/// interactive request waits for is the slowest part, not the sum.
async fn compute_concurrently(db: &Db, q: Question) -> Result<Overview, OperationError> {
    let ((tallies, people), months, (medians, actions), clients) = tokio::try_join!(
        db.read(move |conn| tallies(conn, q)),
        db.read(move |conn| months(conn, q)),
        db.read(move |conn| timing(conn, q)),
        db.read(move |conn| clients(conn, q)),
    )?;
    Ok(overview::assemble(q.form(), Counts { tallies, people, months, medians, actions, clients }))
}

/// The overview of `period` as the caller may see it: anonymised for a dienstverlener; for a
/// coordinator as asked, or else as the form's default has it.
pub async fn read(
    db: &Db,
    ctx: &Context,
    period: Period,
    asked: Asked,
) -> Result<Overview, OperationError> {
    let anonymised = overview::anonymised(
        ctx.caller.is_coordinator(),
        asked.anonymised,
        asked.default_anonymised,
    );
    let question = Question {
        organisation_id: ctx.organisation_id(),
        period,
        anonymised,
        now: ctx.now,
        minimum_cell: asked.minimum_cell,
    };
    compute_concurrently(db, question).await
}

/// The overview (as [`read`] gives it) with the organisation's name, for the printable report.
pub async fn report(
    db: &Db,
    ctx: &Context,
    period: Period,
    asked: Asked,
) -> Result<(Overview, String), OperationError> {
    let organisation_id = ctx.organisation_id();
    let (figures, organisation) = tokio::try_join!(
        read(db, ctx, period, asked),
        db.read(move |conn| Ok::<_, OperationError>(organisations::get(conn, organisation_id)?)),
    )?;
    Ok((figures, organisation.name))
}
