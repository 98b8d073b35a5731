//! The import of an existing register (DESIGN.md §11), from the command line or `POST
//! /imports`: every row is read and checked first (`domain::import`), and the faults of all
//! rows are reported together; only a file without one is written, in one transaction, each
//! complaint registered as `POST /complaints` registers it (the same checks of the form, the
//! same assignment, the same insert) and then given the state its old register left it in,
//! marked `imported`, with a `complaint.imported` event in the chain. A row imported before —
//! known by its reference, or by the hash of its cells when it had none — is passed over, so
//! a second import of the same file creates nothing.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{Caller, Context, Event, OperationError, Process};
use crate::db::{AnyConnection, Db};
use crate::domain::complaint;
use crate::domain::events::EventType;
use crate::domain::import::{self, Header, Historical, RowError};
use crate::domain::reference;
use crate::domain::register::{Column, Language};
use crate::domain::validation::ExternalId;
use crate::import::Table;
use crate::store::complaints::{self as store, Imported, ImportedClassification, NewComplaint};
use crate::store::{organisations, staff};

/// What an import did, or (`dry_run`) would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// The rows of complaints the file holds (the header row and empty rows not counted).
    #[schema(example = 500)]
    pub rows: usize,
    /// Complaints created (or, on a dry run, that would be).
    #[schema(example = 498)]
    pub created: usize,
    /// Rows imported before, passed over.
    #[schema(example = 2)]
    pub already_imported: usize,
    /// Only checked; nothing was written.
    pub dry_run: bool,
}

/// How often the command line hears how far an import is.
pub const PROGRESS_EVERY: usize = 1000;

/// Imports `table` into the caller's organisation; `dry_run` checks everything and writes
/// nothing. `progress` is told the number of rows done every [`PROGRESS_EVERY`] rows.
pub async fn import(
    db: &Db,
    ctx: Context,
    table: Table,
    dry_run: bool,
    progress: impl Fn(usize) + Send + 'static,
) -> Result<ImportReport, OperationError> {
    ctx.caller.require_coordinator().map_err(|d| d.hidden_as("import"))?;
    let rows = read(&ctx, table)?;
    db.write(move |conn| {
        let organisation = organisations::get(conn, ctx.organisation_id())?;
        let mut report =
            ImportReport { rows: rows.len(), created: 0, already_imported: 0, dry_run };
        let mut errors = Vec::new();
        let mut fresh = Vec::new();
        let mut people = People::default();
        for row in &rows {
            let known = already_here(conn, organisation.id, row).and_then(|known| {
                if known {
                    Ok(true)
                } else {
                    people.resolve_all(conn, organisation.id, row).map(|()| false)
                }
            });
            match known {
                Ok(true) => report.already_imported += 1,
                Ok(false) => fresh.push(row),
                Err(Fault::Row(fault)) => errors.push(fault),
                Err(Fault::Database(e)) => return Err(e.into()),
            }
        }
        if !errors.is_empty() {
            return Err(OperationError::ImportRefused(errors));
        }
        report.created = fresh.len();
        if dry_run {
            return Ok(report);
        }
        let settings = organisation.procedure();
        for (done, row) in fresh.into_iter().enumerate() {
            let handler = people.id(conn, organisation.id, &row.handler, &ctx)?;
            let subject = match &row.subject {
                Some(subject) => people.id(conn, organisation.id, subject, &ctx)?,
                None => handler,
            };
            let decided_by = match row.decision.as_ref().and_then(|d| d.decided_by.as_ref()) {
                Some(decider) => people.id(conn, organisation.id, decider, &ctx)?,
                None => handler,
            };
            let mut assignment = complaint::assign(&settings, row.details.get(), handler, subject);
            if row.response_due_at.is_some() {
                assignment.response_due_at = row.response_due_at;
            }
            let reference = match &row.reference {
                Some(reference) => {
                    if let Some((year, number)) = reference::parse(reference) {
                        store::counter_at_least(conn, organisation.id, year, number)?;
                    }
                    reference.clone()
                }
                None => {
                    let year = reference::counter_year(row.details.get().received_at);
                    reference::format(
                        year,
                        store::next_reference_number(conn, organisation.id, year)?,
                    )
                }
            };
            let procedure = row.procedure(assignment.coordinator_id.is_some(), decided_by, handler);
            let classification = row.is_classified().then(|| ImportedClassification {
                channel: row.channel,
                categories: &row.categories,
                by: handler,
                at: row.classified_at(),
            });
            let saved = store::insert_imported(
                conn,
                NewComplaint {
                    organisation_id: organisation.id,
                    reference,
                    details: &row.details,
                    assignment,
                    registered_by_id: ctx.caller.staff_id().unwrap_or(handler),
                    now: ctx.now,
                },
                Imported {
                    procedure: &procedure,
                    classification,
                    key: row.reference.is_none().then_some(row.key.as_str()),
                },
            )?;
            ctx.record(conn, imported_event(&saved, row))?;
            if (done + 1) % PROGRESS_EVERY == 0 {
                progress(done + 1);
            }
        }
        Ok(report)
    })
    .await
}

/// An import from the command line: by the service itself, into the organisation `slug`
/// names.
pub async fn from_command_line(
    db: &Db,
    slug: String,
    now: chrono::DateTime<chrono::Utc>,
    (table, dry_run): (Table, bool),
    progress: impl Fn(usize) + Send + 'static,
) -> Result<ImportReport, OperationError> {
    let organisation = db
        .read(move |conn| Ok::<_, OperationError>(organisations::find_by_slug(conn, &slug)?))
        .await?
        .ok_or(OperationError::NotFound("organisation"))?;
    let caller = Caller::System { organisation_id: organisation.id, process: Process::Import };
    import(db, Context::new(caller, now), table, dry_run, progress).await
}

/// Every row read and checked, before the database is asked anything: all faults at once.
fn read(ctx: &Context, table: Table) -> Result<Vec<Historical>, OperationError> {
    let mut rows = table.rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(OperationError::ImportRefused(vec![RowError {
            row: 1,
            column: String::new(),
            message: "the file is empty: it needs a header row and a row per complaint".into(),
        }]));
    };
    let header = Header::read(&header).map_err(OperationError::ImportRefused)?;
    let mut errors = Vec::new();
    let mut read = Vec::new();
    let mut references = HashSet::new();
    for (number, cells) in rows {
        match import::read(&header, number, &cells, ctx.now, ctx.skew) {
            Ok(row) => {
                if let Some(reference) = &row.reference
                    && !references.insert(reference.clone())
                {
                    let message = format!("{reference} appears on an earlier row too");
                    errors.push(fault(number, Column::Reference, message));
                }
                read.push(row);
            }
            Err(faults) => errors.extend(faults),
        }
    }
    if errors.is_empty() { Ok(read) } else { Err(OperationError::ImportRefused(errors)) }
}

/// A fault of a row in `column`, reported under the column's Dutch header.
fn fault(row: usize, column: Column, message: impl Into<String>) -> RowError {
    RowError { row, column: column.header(Language::Dutch).into(), message: message.into() }
}

enum Fault {
    Row(RowError),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Fault {
    fn from(e: diesel::result::Error) -> Fault {
        Fault::Database(e)
    }
}

/// Whether the row was imported before; a reference that a complaint registered here already
/// has is a fault, not a match.
fn already_here(
    conn: &mut AnyConnection,
    organisation: i64,
    row: &Historical,
) -> Result<bool, Fault> {
    match &row.reference {
        Some(reference) => match store::with_reference(conn, organisation, reference)? {
            Some(true) => Ok(true),
            Some(false) => Err(Fault::Row(fault(
                row.row,
                Column::Reference,
                format!("{reference} is the reference of a complaint registered here"),
            ))),
            None => Ok(false),
        },
        None => Ok(store::import_key_taken(conn, organisation, &row.key)?),
    }
}

/// The staff the file names, by id or e-mail address, looked up once each.
#[derive(Default)]
struct People {
    known: HashMap<String, Option<i64>>,
}

impl People {
    /// Checks that everyone the row names can be recorded: an e-mail address must be one the
    /// service knows; an id is recorded when first seen, as `POST /complaints` does.
    fn resolve_all(
        &mut self,
        conn: &mut AnyConnection,
        organisation: i64,
        row: &Historical,
    ) -> Result<(), Fault> {
        let named = [
            (Column::Handler, Some(&row.handler)),
            (Column::Subject, row.subject.as_ref()),
            (Column::DecidedBy, row.decision.as_ref().and_then(|d| d.decided_by.as_ref())),
        ];
        for (column, who) in named {
            let Some(who) = who else { continue };
            if !who.contains('@') {
                if let Err(e) = ExternalId::parse("staff", who) {
                    return Err(Fault::Row(fault(row.row, column, e.message)));
                }
                continue;
            }
            let found = match self.known.get(who) {
                Some(found) => *found,
                None => {
                    let found = staff::find_by_email(conn, organisation, who)?;
                    self.known.insert(who.clone(), found);
                    found
                }
            };
            if found.is_none() {
                let message = format!(
                    "no staff member of the organisation has the e-mail address {who}: name \
                     them by their id"
                );
                return Err(Fault::Row(fault(row.row, column, message)));
            }
        }
        Ok(())
    }

    /// The row id of someone the file names (checked by [`People::resolve_all`]).
    fn id(
        &mut self,
        conn: &mut AnyConnection,
        organisation: i64,
        who: &str,
        ctx: &Context,
    ) -> Result<i64, OperationError> {
        if let Some(Some(id)) = self.known.get(who) {
            return Ok(*id);
        }
        let id = staff::ensure(conn, organisation, who, ctx.now)?;
        self.known.insert(who.to_owned(), Some(id));
        Ok(id)
    }
}

/// The event that records an import: what the complaint was in its old register. Its
/// decision's text is committed to, not held (`EventType::texts`).
fn imported_event(saved: &store::ComplaintRow, row: &Historical) -> Event {
    Event {
        complaint_id: Some(saved.id),
        event_type: EventType::ComplaintImported,
        data: json!({
            "reference": saved.reference,
            "row": row.row,
            "kind": row.details.get().kind,
            "status": row.status,
            "received_at": row.details.get().received_at,
            "decision": row.decision.as_ref().map(|d| json!({
                "summary": d.summary,
                "resolution": d.resolution,
                "judgement": d.judgement,
                "decided_at": d.decided_at,
            })),
            "closed_at": row.closed_at,
        }),
    }
}
