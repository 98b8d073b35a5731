//! What every operation is given besides its input: who acts, when, and — for a command — the
//! caller's conditions (`If-Match`, an idempotency key). Events are recorded here too, so
//! that each names its organisation, actor and moment the same way.

use chrono::{DateTime, Duration, Utc};

use super::{Caller, OperationError};
use crate::db::AnyConnection;
use crate::domain::events::EventType;
use crate::domain::moment::DEFAULT_CLOCK_SKEW;
use crate::domain::validation::FieldError;
use crate::store::events::{self, NewEvent};

#[derive(Debug, Clone)]
pub struct Context {
    pub caller: Caller,
    pub now: DateTime<Utc>,
    pub conditions: Conditions,
    /// How far the caller's clock may be off (`KLACHTEN_CLOCK_SKEW_SECS`).
    pub skew: Duration,
    /// How long an idempotency key's stored answer is replayed; after that the key is new.
    pub key_lifetime: std::time::Duration,
}

/// How long idempotency keys are kept unless the settings say otherwise.
pub const KEY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// What a caller may attach to a command.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// The versions the change may be based on (HTTP: `If-Match`).
    pub precondition: Precondition,
    /// Makes a retry safe (HTTP: `Idempotency-Key`).
    pub key: Option<IdempotencyKey>,
}

impl From<Precondition> for Conditions {
    fn from(precondition: Precondition) -> Conditions {
        Conditions { precondition, key: None }
    }
}

impl Context {
    pub fn new(caller: impl Into<Caller>, now: DateTime<Utc>) -> Context {
        Context {
            caller: caller.into(),
            now,
            conditions: Conditions::default(),
            skew: DEFAULT_CLOCK_SKEW,
            key_lifetime: KEY_LIFETIME,
        }
    }

    pub fn with_skew(self, skew: Duration) -> Context {
        Context { skew, ..self }
    }

    pub fn keeping_keys_for(self, key_lifetime: std::time::Duration) -> Context {
        Context { key_lifetime, ..self }
    }

    /// Keys claimed before this moment have expired.
    pub fn keys_expired_before(&self) -> DateTime<Utc> {
        self.now
            - chrono::Duration::from_std(self.key_lifetime).unwrap_or(chrono::Duration::days(1))
    }

    pub fn with(self, conditions: Conditions) -> Context {
        Context { conditions, ..self }
    }

    pub fn organisation_id(&self) -> i64 {
        self.caller.organisation_id()
    }

    /// Appends an event, in the caller's transaction, as done by the caller now.
    pub fn record(&self, conn: &mut AnyConnection, event: Event) -> Result<(), OperationError> {
        events::append(
            conn,
            NewEvent {
                organisation_id: self.organisation_id(),
                complaint_id: event.complaint_id,
                event_type: event.event_type,
                actor_id: self.caller.staff_id(),
                occurred_at: self.now,
                data: event.data,
            },
        )?;
        Ok(())
    }
}

/// What happened, as an operation records it.
#[derive(Debug, Clone)]
pub struct Event {
    /// The complaint whose dossier it belongs to, if any.
    pub complaint_id: Option<i64>,
    pub event_type: EventType,
    pub data: serde_json::Value,
}

/// The versions a change may be based on: none named (no condition), any, or a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    #[default]
    None,
    Any,
    /// The current version must be one of these. (An entity tag that names no version is
    /// left out: nothing matches it.)
    Versions(Vec<i32>),
}

impl Precondition {
    /// Refuses a change to `current` unless it is a version the caller named.
    pub fn check(&self, current: i32) -> Result<(), OperationError> {
        match self {
            Precondition::None | Precondition::Any => Ok(()),
            Precondition::Versions(versions) if versions.contains(&current) => Ok(()),
            Precondition::Versions(_) => Err(OperationError::PreconditionFailed(format!(
                "the resource has changed: its current ETag is \"{current}\"; read it again and \
                 reapply your change"
            ))),
        }
    }
}

/// A caller's name for one request, so that sending it again does it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(field: &str, value: &str) -> Result<IdempotencyKey, FieldError> {
        let key = value.trim();
        if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(IdempotencyKey(key.to_owned()))
        } else {
            Err(FieldError::new(field, "must be 1 to 255 visible ASCII characters"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_precondition_names_the_versions_a_change_may_be_based_on() {
        assert!(Precondition::None.check(3).is_ok());
        assert!(Precondition::Any.check(3).is_ok());
        assert!(Precondition::Versions(vec![2, 3]).check(3).is_ok());
        let stale = Precondition::Versions(vec![2]).check(3).unwrap_err();
        assert!(
            matches!(stale, OperationError::PreconditionFailed(detail) if detail.contains("\"3\""))
        );
        assert!(Precondition::Versions(Vec::new()).check(3).is_err());
    }

    #[test]
    fn keys_are_visible_ascii() {
        assert_eq!(IdempotencyKey::parse("k", " pms-42 ").unwrap().as_str(), "pms-42");
        for bad in ["", "with space", "é", &"x".repeat(256)] {
            assert!(IdempotencyKey::parse("k", bad).is_err(), "{bad}");
        }
    }
}
