//! What the register does, once per operation: register a complaint, take a step of the
//! procedure, record an action, an evaluation, a setting. An operation takes who acts (a
//! [`Caller`]), its parsed input and the moment ([`Context`]); it opens the transaction,
//! asks `crate::domain` for the rule, writes the rows through `crate::store` with the event
//! that records them, and answers with a view. Commands run through one runner
//! ([`command::run`]), which does idempotency, the precondition and the event once.
//!
//! The HTTP handlers of `crate::api` call these; so do the command line and the workers,
//! and so will the import, the retention sweep and the letters: the import registers exactly
//! as `POST /complaints` does. Nothing here knows about HTTP: a refusal is an
//! [`OperationError`], which the API renders as a problem document.

pub mod actions;
mod caller;
pub mod classification;
pub mod command;
pub mod complaints;
pub mod contacts;
mod context;
pub mod deadlines;
pub mod documents;
pub mod erasure;
mod error;
pub mod evaluations;
pub mod events;
pub mod form;
pub mod import;
pub mod letters;
pub mod organisation;
pub mod overview;
pub mod page;
pub mod people;
pub mod procedure;
pub mod reads;
pub mod regulation;
pub mod staff;
pub mod subject_access;
mod sweep;
pub mod targets;
pub mod webhooks;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub use caller::{Caller, Process};
pub use context::{Conditions, Context, Event, IdempotencyKey, Precondition};
pub use error::OperationError;

/// What an edit changed, as its event records it: the named fields of the resource's view
/// that differ, `{"changes": {field: {"before": …, "after": …}}}`.
pub fn changes<T: Serialize>(before: &T, after: &T, fields: &[&str]) -> Value {
    let (before, after) = (json!(before), json!(after));
    let changed: Map<String, Value> = fields
        .iter()
        .filter(|field| before[**field] != after[**field])
        .map(|field| {
            ((*field).to_owned(), json!({"before": before[*field], "after": after[*field]}))
        })
        .collect();
    json!({ "changes": changed })
}
