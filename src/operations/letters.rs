//! Letters to the client: the organisation's templates (read, and worded by a coordinator),
//! and a letter written from one into the complaint's dossier — added exactly as an upload
//! is, with its event and hash, so `written-confirmation` can name it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done, Target};
use super::documents::{self, DocumentView, Upload};
use super::people::StaffRef;
use super::{Caller, Context, Event, OperationError, complaints};
use crate::db::{AnyConnection, Db};
use crate::domain::documents::sha256_hex;
use crate::domain::events::EventType;
use crate::domain::letters::{
    self, LetterKind, PLACEHOLDERS, addressee, check_decided, check_template, fill,
};
use crate::render::dutch;
use crate::render::letter::{Letter, paragraphs};
use crate::render::typeset::{Layout, Typesetter};
use crate::store::letter_templates::{self, LetterTemplateRow};
use crate::store::{from_db, organisations, staff};

use super::targets::readable_complaint;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Placeholder {
    #[schema(example = "reference")]
    pub name: String,
    #[schema(example = "the complaint's reference, e.g. KL-2026-0007")]
    pub meaning: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LetterTemplateView {
    pub kind: LetterKind,
    /// The text, with `{{ placeholder }}`s; paragraphs are parted by blank lines.
    #[schema(
        example = "Geachte {{ complainant }},\n\nOp {{ received_on }} hebben wij uw klacht ontvangen. …"
    )]
    pub body: String,
    /// The Dutch default: the organisation has not worded this letter itself.
    pub is_default: bool,
    /// The placeholders a template may use.
    pub placeholders: Vec<Placeholder>,
    /// 0 for the default; the `ETag` is this number quoted.
    #[schema(example = 2)]
    pub version: i32,
    pub updated_by: Option<StaffRef>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn view(
    conn: &mut AnyConnection,
    kind: LetterKind,
    row: Option<LetterTemplateRow>,
) -> Result<LetterTemplateView, OperationError> {
    let placeholders = PLACEHOLDERS
        .iter()
        .map(|(name, meaning)| Placeholder { name: (*name).into(), meaning: (*meaning).into() })
        .collect();
    let Some(row) = row else {
        return Ok(LetterTemplateView {
            kind,
            body: kind.default_template().to_owned(),
            is_default: true,
            placeholders,
            version: 0,
            updated_by: None,
            updated_at: None,
        });
    };
    let people = staff::people(conn, &[row.updated_by_id])?;
    Ok(LetterTemplateView {
        kind,
        body: row.body,
        is_default: false,
        placeholders,
        version: row.version,
        updated_by: Some(StaffRef::of(&people, row.updated_by_id)),
        updated_at: Some(from_db(row.updated_at)),
    })
}

/// The organisation's template of a letter (the default until it words its own): for all
/// its staff, who write the letters.
pub async fn template(
    db: &Db,
    ctx: Context,
    kind: LetterKind,
) -> Result<LetterTemplateView, OperationError> {
    db.read(move |conn| {
        let row = letter_templates::find(conn, ctx.organisation_id(), kind.as_str())?;
        view(conn, kind, row)
    })
    .await
}

/// A template's new text.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Geachte {{ complainant }},\n\nUw klacht {{ reference }} is in behandeling. Uiterlijk op {{ follow_up_on }} komen wij bij u terug.\n\nMet vriendelijke groet,\n\n{{ organisation }}"}))]
pub struct LetterTemplateInput {
    #[schema(max_length = 20000)]
    pub body: String,
}

/// An organisation's template of one kind, for a coordinator to word.
struct TemplateOf(LetterKind);

impl Target for TemplateOf {
    type Found = Option<LetterTemplateRow>;

    fn id(&self) -> Option<i64> {
        None
    }

    fn find(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<Option<LetterTemplateRow>, OperationError> {
        caller.require_coordinator()?;
        Ok(letter_templates::find(conn, caller.organisation_id(), self.0.as_str())?)
    }

    fn version(&self, found: &Option<LetterTemplateRow>) -> Option<i32> {
        Some(found.as_ref().map_or(0, |row| row.version))
    }
}

/// Words a letter: a coordinator's. The template is checked first: one that does not parse
/// or names a placeholder the register does not fill is refused, naming it.
pub async fn save_template(
    db: &Db,
    ctx: Context,
    kind: LetterKind,
    input: LetterTemplateInput,
) -> Result<LetterTemplateView, OperationError> {
    check_template(&input.body)?;
    db.write(move |conn| {
        let by = ctx.caller.person()?.staff_id;
        let target = (CommandKind::EditLetterTemplate, TemplateOf(kind));
        command::run(conn, &ctx, target, &(kind, &input), |conn, current| {
            if current.as_ref().is_some_and(|row| row.body == input.body) {
                return Ok(Done::unchanged(view(conn, kind, current)?));
            }
            let key = (ctx.organisation_id(), kind.as_str());
            let based_on = current.as_ref().map(|row| row.version);
            let saved = letter_templates::save(conn, key, based_on, (&input.body, by), ctx.now)?
                .ok_or_else(|| OperationError::changed_meanwhile("letter template"))?;
            let event = Event {
                complaint_id: None,
                event_type: EventType::LetterTemplateUpdated,
                data: json!({"kind": kind, "version": saved.version, "sha256": sha256_hex(saved.body.as_bytes())}),
            };
            Ok(Done::recorded(view(conn, kind, Some(saved))?, event))
        })
    })
    .await
}

/// Which letter to write.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "acknowledgement"}))]
pub struct WriteLetter {
    pub kind: LetterKind,
}

/// What a letter is written from.
struct LetterFacts {
    template: String,
    letter: Letter,
    values: BTreeMap<&'static str, String>,
}

/// The address of the organisation's public regulation under `public_url`.
fn regulation_url(public_url: &str, slug: &str) -> String {
    format!("{public_url}/public/organisations/{slug}/klachtenregeling")
}

/// What a letter of `kind` to complaint `complaint` is written from, read once: the caller
/// may add to its dossier, it has a complainant to write to and, for a confirmation, a
/// decision to confirm.
fn facts(
    conn: &mut AnyConnection,
    ctx: &Context,
    (complaint, kind): (i64, LetterKind),
    public_url: &str,
) -> Result<LetterFacts, OperationError> {
    let row = readable_complaint(conn, &ctx.caller, complaint)?;
    documents::may_add_to(&ctx.caller, &row)?;
    let c = complaints::view_one(conn, row, ctx.now)?;
    let complainant = addressee(c.complainant.as_ref()).map_err(OperationError::Unprocessable)?;
    check_decided(kind, c.decision.is_some())?;
    let org = organisations::get(conn, ctx.organisation_id())?;
    let template = letter_templates::find(conn, org.id, kind.as_str())?
        .map_or_else(|| kind.default_template().to_owned(), |row| row.body);
    let decision = c.decision.as_ref().map(|d| d.summary.clone());
    let follow_up = c.follow_up_due_at.or(c.response_due_at).map(|at| dutch::date(at.date_naive()));
    let date = dutch::date(ctx.now.date_naive());
    let values = BTreeMap::from([
        ("organisation", org.name.clone()),
        ("reference", c.reference.clone()),
        ("complainant", complainant.name.clone()),
        ("date", date.clone()),
        ("received_on", dutch::date(c.received_at.date_naive())),
        ("follow_up_on", follow_up.unwrap_or_else(|| "korte termijn".to_owned())),
        ("handler", c.handler.name.clone().unwrap_or_else(|| "onze dienstverlener".to_owned())),
        ("decision", decision.unwrap_or_default()),
        ("regulation_url", regulation_url(public_url, &org.slug)),
        ("dispute_body", letters::dispute_body(org.dispute_body().as_ref())),
    ]);
    let letter = Letter {
        recipient: letters::address_block(complainant),
        organisation: org.name,
        date,
        reference: c.reference,
        subject: kind.subject().to_owned(),
        paragraphs: Vec::new(),
    };
    Ok(LetterFacts { template, letter, values })
}

/// Writes a letter to the complainant from the organisation's template, as PDF, into the
/// complaint's dossier: a handler's or a coordinator's, while the complaint is open.
pub async fn write(
    (db, typesetter, public_url): (&Db, &Typesetter, &str),
    ctx: Context,
    complaint: i64,
    input: WriteLetter,
) -> Result<DocumentView, OperationError> {
    let (reader, url, kind) = (ctx.clone(), public_url.to_owned(), input.kind);
    let LetterFacts { template, mut letter, values } =
        db.read(move |conn| facts(conn, &reader, (complaint, kind), &url)).await?;
    let text = fill(&template, &values).map_err(|error| {
        tracing::error!(%error, kind = kind.as_str(), "a saved letter template does not fill");
        OperationError::Internal("the letter template does not fill")
    })?;
    letter.paragraphs = paragraphs(&text);
    let content = typesetter.pdf(Layout::Letter, &letter).await?;
    let name = match kind {
        LetterKind::Acknowledgement => "Ontvangstbevestiging",
        LetterKind::Confirmation => "Bevestiging oplossing",
    };
    let upload = Upload {
        filename: format!("{name} {}.pdf", letter.reference),
        sha256: sha256_hex(&content),
        content,
    };
    documents::add(db, ctx, complaint, upload).await
}
