//! The klachtenregistratieformulier of a complaint, filled in from the register: for the
//! file, the auditor and — anonymised — the office meeting.

use super::{Context, OperationError, actions, complaints, contacts, reads};
use crate::db::Db;
use crate::render::form::{self, FormFacts};
use crate::render::typeset::{Layout, Typesetter};
use crate::render::{Format, Paper, sheet};
use crate::store::organisations;
use crate::workers::read_log::ReadLog;

use super::targets::readable_complaint;

/// The form of a complaint the caller may read, as PDF or HTML; a read of the complaint,
/// recorded as such whether or not it is anonymised.
pub async fn form(
    (db, read_log, typesetter): (&Db, &ReadLog, &Typesetter),
    ctx: Context,
    complaint: i64,
    anonymised: bool,
    format: Format,
) -> Result<Paper, OperationError> {
    let (caller, now) = (ctx.caller.clone(), ctx.now);
    let facts = db
        .read(move |conn| {
            let row = readable_complaint(conn, &caller, complaint)?;
            let organisation = organisations::get(conn, caller.organisation_id())?.name;
            let contacts = contacts::of_complaint(conn, complaint)?;
            let actions = actions::corrective_of(conn, &caller, complaint, now.date_naive())?;
            let complaint = complaints::view_one(conn, row, now)?;
            Ok::<_, OperationError>(FormFacts { organisation, complaint, contacts, actions })
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], None).await?;
    let sheet = form::sheet(&facts, anonymised, now);
    let content = match format {
        Format::Pdf => typesetter.pdf(Layout::Form, &sheet).await?,
        Format::Html => sheet::html(&sheet).into_string().into_bytes(),
    };
    let suffix = if anonymised { " geanonimiseerd" } else { "" };
    Ok(Paper {
        format,
        content,
        filename: format!(
            "Klachtenregistratieformulier {}{suffix}.{}",
            facts.complaint.reference,
            format.extension()
        ),
    })
}
