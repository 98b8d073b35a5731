//! The klachtendossier's documents (add, list, download) and the read log of a complaint.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done};
use super::page::{Page, PageRequest};
use super::people::StaffRef;
use super::reads;
use super::targets::{OnComplaint, readable_complaint};
use super::{Caller, Context, Event, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::documents::{detect, is_executable, stored_name};
use crate::domain::events::EventType;
use crate::domain::lifecycle;
use crate::store::complaints::ComplaintRow;
use crate::store::documents::{self, DocumentRow, NewDocument};
use crate::store::from_db;
use crate::store::read_log;
use crate::store::staff::{self, Person};
use crate::workers::read_log::ReadLog;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentView {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = "Brief aan cliënt 2026-11-06.pdf")]
    pub filename: String,
    /// Determined from the content.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    #[schema(example = 48213)]
    pub size_bytes: i64,
    /// Hex-encoded SHA-256 of the content.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    pub uploaded_by: StaffRef,
    pub uploaded_at: DateTime<Utc>,
}

fn view(row: DocumentRow, people: &HashMap<i64, Person>) -> DocumentView {
    DocumentView {
        uploaded_by: StaffRef::of(people, row.uploaded_by_id),
        uploaded_at: from_db(row.uploaded_at),
        id: row.id,
        filename: row.filename,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
    }
}

/// A file for the dossier, received whole: its name made safe (`domain::documents`), its
/// content hashed. A retry is the same upload when name and hash are.
#[derive(Debug, Serialize)]
pub struct Upload {
    pub filename: String,
    #[serde(skip)]
    pub content: Vec<u8>,
    pub sha256: String,
}

/// Adds a document to an open complaint's dossier, with the event that records it.
pub async fn add(
    db: &Db,
    ctx: Context,
    complaint: i64,
    upload: Upload,
) -> Result<DocumentView, OperationError> {
    if is_executable(&upload.filename) {
        return Err(OperationError::UnsupportedContent(
            "the dossier takes no programs or scripts (.exe, .bat, .cmd, .hta, .js, .vbs, .ps1, \
             …), whatever their content"
                .to_owned(),
        ));
    }
    let content_type = detect(&upload.content, &upload.filename).map_err(|found| {
        OperationError::UnsupportedContent(format!(
            "the dossier takes PDF, images, e-mail, Office documents and plain text; this is {found}"
        ))
    })?;
    let filename = stored_name(&upload.filename, content_type);
    db.write(move |conn| {
        let uploaded_by = ctx.caller.person()?.staff_id;
        let target = OnComplaint { id: complaint, act: ComplaintAct::Handle };
        command::run(conn, &ctx, (CommandKind::AddDocument, target), &upload, |conn, found| {
            lifecycle::ensure_editable(found.row.status())?;
            let document = documents::insert(
                conn,
                NewDocument {
                    organisation_id: ctx.organisation_id(),
                    complaint_id: complaint,
                    filename: &filename,
                    content_type,
                    sha256: &upload.sha256,
                    content: &upload.content,
                    uploaded_by_id: uploaded_by,
                    now: ctx.now,
                },
            )?;
            let event = Event {
                complaint_id: Some(complaint),
                event_type: EventType::DocumentAdded,
                data: json!({
                    "document": document.id, "filename": document.filename,
                    "content_type": document.content_type, "size_bytes": document.size_bytes,
                    "sha256": document.sha256,
                }),
            };
            let people = staff::people(conn, &[uploaded_by])?;
            Ok(Done::recorded(view(document, &people), event))
        })
    })
    .await
}

/// Whether the caller may add a document to the complaint now: asked before the upload is
/// read, so that nothing is received for a complaint that is not there, not theirs or closed.
/// `add` asks again in its transaction.
pub async fn may_add(db: &Db, ctx: &Context, complaint: i64) -> Result<(), OperationError> {
    let caller = ctx.caller.clone();
    db.read(move |conn| may_add_to(&caller, &readable_complaint(conn, &caller, complaint)?)).await
}

/// Whether `caller` may add to the dossier of a complaint they may read, as read.
pub(super) fn may_add_to(caller: &Caller, row: &ComplaintRow) -> Result<(), OperationError> {
    caller.authorise(&row.parties(), ComplaintAct::Handle)?;
    lifecycle::ensure_editable(row.status())?;
    Ok(())
}

/// All of a complaint's documents, oldest first; recorded as a read of the complaint.
pub async fn list(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    complaint: i64,
) -> Result<Page<DocumentView>, OperationError> {
    let caller = ctx.caller.clone();
    let documents = db
        .read::<_, OperationError, _>(move |conn| {
            readable_complaint(conn, &caller, complaint)?;
            Ok(Page::whole(documents_of(conn, complaint)?))
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], None).await?;
    Ok(documents)
}

/// A complaint's documents, oldest first, for a caller already allowed to read it.
pub(super) fn documents_of(
    conn: &mut AnyConnection,
    complaint: i64,
) -> Result<Vec<DocumentView>, OperationError> {
    let rows = documents::for_complaint(conn, complaint)?;
    let uploaders: Vec<i64> = rows.iter().map(|r| r.uploaded_by_id).collect();
    let people = staff::people(conn, &uploaders)?;
    Ok(rows.into_iter().map(|r| view(r, &people)).collect())
}

/// A document's content, as downloaded.
pub struct Download {
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// A document of a complaint the caller may read; the download is recorded in the read log.
pub async fn download(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    complaint: i64,
    document: i64,
) -> Result<Download, OperationError> {
    let caller = ctx.caller.clone();
    let (row, content) = db
        .read(move |conn| {
            readable_complaint(conn, &caller, complaint)?;
            documents::find_with_content(conn, complaint, document)?
                .ok_or(OperationError::NotFound("document"))
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], Some(row.id)).await?;
    Ok(Download {
        filename: row.filename,
        content_type: row.content_type,
        sha256: row.sha256,
        content,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadView {
    pub staff: StaffRef,
    pub read_at: DateTime<Utc>,
    /// The document read; `null` for the complaint's details (the complaint, a page of the
    /// list, its timeline, contacts or document list).
    pub document_id: Option<i64>,
}

/// Who read a complaint and its documents, newest first: for a coordinator.
pub async fn reads(
    db: &Db,
    ctx: Context,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<ReadView>, OperationError> {
    db.read(move |conn| {
        let row = readable_complaint(conn, &ctx.caller, complaint)?;
        ctx.caller.authorise(&row.parties(), ComplaintAct::Audit)?;
        reads_of(conn, complaint, page)
    })
    .await
}

/// A page of who read a complaint, newest first, for a caller already allowed to audit it.
pub(super) fn reads_of(
    conn: &mut AnyConnection,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<ReadView>, OperationError> {
    let rows = read_log::for_complaint(conn, complaint, page.after, page.fetch())?;
    let readers: Vec<i64> = rows.iter().map(|r| r.staff_id).collect();
    let people = staff::people(conn, &readers)?;
    Ok(page.cut(
        rows,
        |r| r.id,
        |r| ReadView {
            staff: StaffRef::of(&people, r.staff_id),
            read_at: from_db(r.read_at),
            document_id: r.document_id,
        },
    ))
}
