//! Contact moments with the client. The first one (or the decision, if that comes first) is
//! the reaction that stops the one-week clock; a client told the complaint is still being
//! handled is told when we come back.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::CommandKind;
use super::page::Page;
use super::people::StaffRef;
use super::procedure::{Taking, take_step};
use super::reads;
use super::targets::{FoundComplaint, OnComplaint, readable_complaint};
use super::{Context, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::events::EventType;
use crate::domain::lifecycle::{self, ContactChannel, Step};
use crate::domain::moment;
use crate::domain::validation::{AllValid, Text};
use crate::store::contacts::{self, ContactRow, NewContact};
use crate::store::from_db;
use crate::store::staff::{self, Person};
use crate::workers::read_log::ReadLog;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactView {
    #[schema(example = 3)]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub channel: ContactChannel,
    #[schema(example = "Cliënt gebeld: klacht is in behandeling, uiterlijk vrijdag uitsluitsel.")]
    pub summary: String,
    /// The client was told the complaint is still being handled.
    pub still_handling: bool,
    /// When we said we would come back to the client.
    pub follow_up_due_at: Option<DateTime<Utc>>,
    pub recorded_by: StaffRef,
    pub created_at: DateTime<Utc>,
}

fn view(row: ContactRow, people: &HashMap<i64, Person>) -> ContactView {
    ContactView {
        id: row.id,
        at: from_db(row.at),
        channel: ContactChannel::parse(&row.channel).unwrap_or(ContactChannel::Phone),
        summary: row.summary,
        still_handling: row.still_handling,
        follow_up_due_at: row.follow_up_due_at.map(from_db),
        recorded_by: StaffRef::of(people, row.recorded_by_id),
        created_at: from_db(row.created_at),
    }
}

/// A complaint's contacts, in the order they took place; recorded as a read.
pub async fn list(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    complaint: i64,
) -> Result<Page<ContactView>, OperationError> {
    let caller = ctx.caller.clone();
    let contacts = db
        .read::<_, OperationError, _>(move |conn| {
            readable_complaint(conn, &caller, complaint)?;
            Ok(Page::whole(of_complaint(conn, complaint)?))
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], None).await?;
    Ok(contacts)
}

/// The contacts of a complaint the caller was found to see, in the order they took place.
pub(super) fn of_complaint(
    conn: &mut AnyConnection,
    complaint: i64,
) -> Result<Vec<ContactView>, OperationError> {
    let rows = contacts::for_complaint(conn, complaint)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.recorded_by_id).collect();
    let people = staff::people(conn, &ids)?;
    Ok(rows.into_iter().map(|r| view(r, &people)).collect())
}

/// One contact of a complaint; recorded as a read.
pub async fn read(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    complaint: i64,
    contact: i64,
) -> Result<ContactView, OperationError> {
    let caller = ctx.caller.clone();
    let contact = db
        .read::<_, OperationError, _>(move |conn| {
            readable_complaint(conn, &caller, complaint)?;
            let row = contacts::for_complaint(conn, complaint)?
                .into_iter()
                .find(|c| c.id == contact)
                .ok_or(OperationError::NotFound("contact"))?;
            let people = staff::people(conn, &[row.recorded_by_id])?;
            Ok(view(row, &people))
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], None).await?;
    Ok(contact)
}

/// A contact moment with the client.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "at": "2026-11-03T10:15:00Z",
    "channel": "phone",
    "summary": "Cliënt gebeld: klacht is in behandeling, uiterlijk vrijdag uitsluitsel.",
    "still_handling": true,
    "follow_up_due_at": "2026-11-06T17:00:00Z"
}))]
pub struct RecordContact {
    /// When the contact took place; defaults to now.
    #[serde(default, deserialize_with = "moment::optional")]
    pub at: Option<DateTime<Utc>>,
    pub channel: ContactChannel,
    #[schema(max_length = 5000)]
    pub summary: String,
    /// The client was told the complaint is still being handled; then `follow_up_due_at`
    /// is required.
    #[serde(default)]
    pub still_handling: bool,
    #[serde(default, deserialize_with = "moment::optional")]
    pub follow_up_due_at: Option<DateTime<Utc>>,
}

/// Records a contact: a step of the procedure, answered with the contact.
pub async fn record(
    db: &Db,
    ctx: Context,
    complaint: i64,
    input: RecordContact,
) -> Result<ContactView, OperationError> {
    db.write(move |conn| {
        let (now, skew) = (ctx.now, ctx.skew);
        let recorded_by = ctx.caller.person()?.staff_id;
        let command =
            (CommandKind::RecordContact, OnComplaint { id: complaint, act: ComplaintAct::Handle });
        let plan = |conn: &mut AnyConnection,
                    found: &FoundComplaint|
         -> Result<(Taking, ContactRow), OperationError> {
            let (summary, contact) = (
                Text::parse("summary", &input.summary, lifecycle::SUMMARY_MAX),
                lifecycle::check_contact(
                    input.at.unwrap_or(now),
                    input.still_handling,
                    input.follow_up_due_at,
                    found.row.procedure().received_at,
                    (now, skew),
                ),
            )
                .all_valid()?;
            let saved = contacts::insert(
                conn,
                NewContact {
                    complaint_id: complaint,
                    contact,
                    channel: input.channel,
                    summary: summary.as_str(),
                    still_handling: input.still_handling,
                    recorded_by_id: recorded_by,
                    now,
                },
            )?;
            let taking = Taking {
                step: Step::Contact(contact),
                event: EventType::ContactRecorded,
                data: json!({
                    "contact": saved.id,
                    "at": contact.at,
                    "channel": input.channel,
                    "still_handling": input.still_handling,
                    "follow_up_due_at": contact.follow_up_due_at,
                }),
            };
            Ok((taking, saved))
        };
        take_step(conn, &ctx, command, &input, plan, |conn, _, saved| {
            let people = staff::people(conn, &[saved.recorded_by_id])?;
            Ok(view(saved, &people))
        })
    })
    .await
}
