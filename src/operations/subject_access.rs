//! Subject access (AVG art. 15): everything the register holds about a complainant or a
//! client, put together for a klachtencoördinator to hand over — each complaint where they
//! are the complainant or the client, with its contacts, decision, written confirmation,
//! documents, timeline, who read it and the actions taken on it. Who is searched for, and
//! how, is the domain's (`domain::subject_access`).
//!
//! The request is itself recorded: an event names who asked and which complaints were
//! handed out, and holds the search term only as a salted commitment; each complaint handed
//! out (and each document, when their contents go along) is a read in its read log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::actions::{ActionView, actions_of};
use super::complaints::{ComplaintView, view_one};
use super::contacts::{self, ContactView};
use super::documents::{DocumentView, ReadView, documents_of, reads_of};
use super::events::{TimelineEvent, events_of};
use super::page::PageRequest;
use super::people::StaffRef;
use super::reads;
use super::targets::readable_complaint;
use super::{Context, Event, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::events::EventType;
use crate::domain::subject_access::{HANDED_OUT, Search, handed_out};
use crate::store::complaints as complaints_store;
use crate::store::documents as documents_store;
use crate::store::staff;
use crate::store::{event_texts, events as events_store};
use crate::workers::read_log::ReadLog;

/// Whom to look for: exactly one of `email`, `name` or `client_id`.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "j.devries@example.nl"}))]
pub struct SubjectAccessRequest {
    /// The complainant's e-mail address; case and surrounding spaces are ignored.
    #[schema(example = "j.devries@example.nl", max_length = 254)]
    #[serde(default)]
    pub email: Option<String>,
    /// The complainant's or the client's name, exactly as registered but for case and spaces
    /// (`"j.  DE vries"` finds `"J. de Vries"`, `"J. de Vries"` does not find `"Jan de
    /// Vries"`: ask once for each spelling).
    #[schema(example = "J. de Vries", max_length = 200)]
    #[serde(default)]
    pub name: Option<String>,
    /// The client's id in the practice-management system, exactly.
    #[schema(example = "REL-10442", max_length = 255)]
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Everything the register holds about one person or client.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectAccess {
    /// The field searched by: `email`, `name` or `client_id`.
    #[schema(example = "email")]
    pub searched_by: &'static str,
    /// The term as it was compared (lower case for an e-mail address or a name).
    #[schema(example = "j.devries@example.nl")]
    pub term: String,
    pub requested_by: StaffRef,
    pub answered_at: DateTime<Utc>,
    /// Each complaint where they are the complainant or the client, oldest first.
    pub complaints: Vec<Dossier>,
}

/// One complaint and its dossier, as the register holds them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dossier {
    /// The registration form: complainant, client, description, decision, written
    /// confirmation, signatures.
    pub complaint: ComplaintView,
    pub contacts: Vec<ContactView>,
    /// The documents' descriptions; with `Accept: application/zip` their contents too.
    pub documents: Vec<DocumentView>,
    /// Every event of the complaint, oldest first, as `GET /complaints/{id}/timeline` shows.
    pub timeline: Vec<TimelineEvent>,
    /// Who read the complaint and its documents, newest first (this answer not yet among
    /// them).
    pub reads: Vec<ReadView>,
    /// The corrective and improvement actions that concern the complaint, newest first.
    pub actions: Vec<ActionView>,
}

/// A document's content, for the ZIP.
pub struct File {
    pub complaint_id: i64,
    pub complaint_reference: String,
    pub document_id: i64,
    pub filename: String,
    pub content: Vec<u8>,
}

/// The answer, and — when asked for — the documents' contents.
pub struct Answer {
    pub document: SubjectAccess,
    pub files: Vec<File>,
}

/// Puts together everything held about whom `request` names, for a klachtencoördinator;
/// with `with_files`, the documents' contents as well. A complaint about the caller is
/// theirs to read but not to hand out: the deputy answers such a request.
pub async fn answer(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    request: SubjectAccessRequest,
    with_files: bool,
) -> Result<Answer, OperationError> {
    ctx.caller.require_coordinator()?;
    let search = Search::parse(
        request.email.as_deref(),
        request.name.as_deref(),
        request.client_id.as_deref(),
    )?;
    let asked = ctx.clone();
    let searched = search.clone();
    let answer = db.read(move |conn| gather(conn, &asked, &searched, with_files)).await?;
    let found: Vec<i64> = answer.document.complaints.iter().map(|d| d.complaint.id).collect();
    // Recorded once the answer is together, in a short write of its own: gathering the
    // dossiers (and the documents' bytes) holds no write lock.
    let event = Event {
        complaint_id: None,
        event_type: EventType::SubjectAccessRequested,
        // The term goes in as text: the event keeps only its salted commitment, the text
        // beside it where it can be erased (`EventType::texts`, `erase_terms_about`).
        data: json!({ search.field(): search.term(), HANDED_OUT: &found }),
    };
    let recorder = ctx.clone();
    db.write(move |conn| recorder.record(conn, event)).await?;
    reads::record(read_log, &ctx, found, None).await?;
    for file in &answer.files {
        reads::record(read_log, &ctx, [file.complaint_id], Some(file.document_id)).await?;
    }
    Ok(answer)
}

fn gather(
    conn: &mut AnyConnection,
    ctx: &Context,
    search: &Search,
    with_files: bool,
) -> Result<Answer, OperationError> {
    let asking = ctx.caller.person()?.staff_id;
    let found: Vec<i64> = complaints_store::concerned(conn, ctx.organisation_id())?
        .into_iter()
        .filter(|c| search.matches(&c.held()))
        .map(|c| c.id)
        .collect();
    let mut dossiers = Vec::with_capacity(found.len());
    let mut files = Vec::new();
    for id in &found {
        let row = readable_complaint(conn, &ctx.caller, *id)?;
        ctx.caller.authorise(&row.parties(), ComplaintAct::Audit)?;
        let complaint = view_one(conn, row, ctx.now)?;
        let documents = documents_of(conn, *id)?;
        if with_files {
            for document in &documents {
                let (_, content) = documents_store::find_with_content(conn, *id, document.id)?
                    .ok_or(OperationError::Internal("a listed document is gone"))?;
                files.push(File {
                    complaint_id: *id,
                    complaint_reference: complaint.reference.clone(),
                    document_id: document.id,
                    filename: document.filename.clone(),
                    content,
                });
            }
        }
        dossiers.push(Dossier {
            contacts: contacts::of_complaint(conn, *id)?,
            documents,
            timeline: events_of(conn, *id, PageRequest::EVERYTHING)?.items,
            reads: reads_of(conn, *id, PageRequest::EVERYTHING)?.items,
            actions: actions_of(conn, ctx, *id, PageRequest::EVERYTHING)?.items,
            complaint,
        });
    }
    let people = staff::people(conn, &[asking])?;
    let document = SubjectAccess {
        searched_by: search.field(),
        term: search.term().to_owned(),
        requested_by: StaffRef::of(&people, asking),
        answered_at: ctx.now,
        complaints: dossiers,
    };
    Ok(Answer { document, files })
}

/// Erases, in the caller's transaction, the search terms of the requests that handed out
/// complaint `complaint_id`, as it is erased: each named the person it is about
/// (`domain::subject_access::HANDED_OUT`). The events keep their commitments, so the chain
/// still verifies; answers how many texts went.
pub fn erase_terms_about(
    conn: &mut AnyConnection,
    organisation_id: i64,
    complaint_id: i64,
) -> Result<usize, OperationError> {
    erase_terms(conn, (organisation_id, None), |found| found.contains(&complaint_id))
}

/// Erases the search terms of the requests made before `before` (the retention term's
/// cutoff) that handed out nothing: about no complaint, they are kept as long as a finished
/// complaint would be.
pub fn erase_terms_that_found_nothing(
    conn: &mut AnyConnection,
    organisation_id: i64,
    before: DateTime<Utc>,
) -> Result<usize, OperationError> {
    erase_terms(conn, (organisation_id, Some(before)), <[i64]>::is_empty)
}

fn erase_terms(
    conn: &mut AnyConnection,
    (organisation_id, before): (i64, Option<DateTime<Utc>>),
    erased: impl Fn(&[i64]) -> bool,
) -> Result<usize, OperationError> {
    let requests =
        events_store::with_texts(conn, organisation_id, EventType::SubjectAccessRequested, before)?;
    let mut due = Vec::new();
    for (id, data) in requests {
        let data: serde_json::Value = serde_json::from_str(&data)
            .map_err(|_| OperationError::Internal("an event's data is not JSON"))?;
        if erased(&handed_out(&data)) {
            due.push(id);
        }
    }
    Ok(event_texts::erase_of_events(conn, &due)?)
}
