//! A complaint's classification — channel A/B and categories I–IV — which the coordinator
//! sets as a step of the procedure.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::CommandKind;
use super::people::StaffRef;
use super::procedure::{Taking, take_step};
use super::targets::{FoundComplaint, OnComplaint, readable_complaint};
use super::{Context, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::classification::{Category, Channel, check_categories};
use crate::domain::events::EventType;
use crate::domain::lifecycle::Step;
use crate::store::complaints::{self as complaints_store, ComplaintRow};
use crate::store::from_db;
use crate::store::staff::{self, Person};

/// A complaint's classification. All fields are empty until the coordinator classifies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Classification {
    pub channel: Option<Channel>,
    pub categories: Vec<Category>,
    pub classified_at: Option<DateTime<Utc>>,
    pub classified_by: Option<StaffRef>,
}

impl Classification {
    /// A complaint's classification; empty before the coordinator classifies it.
    pub fn of(row: &ComplaintRow, people: &HashMap<i64, Person>) -> Classification {
        Classification {
            channel: row.channel(),
            categories: row.categories(),
            classified_at: row.classified_at.map(from_db),
            classified_by: row.classified_by_id.map(|id| StaffRef::of(people, id)),
        }
    }

    /// Has the coordinator classified the complaint?
    pub fn is_set(&self) -> bool {
        self.channel.is_some()
    }
}

/// A complaint's classification and the complaint's version.
pub async fn read(db: &Db, ctx: Context, id: i64) -> Result<(Classification, i32), OperationError> {
    db.read(move |conn| {
        let row = readable_complaint(conn, &ctx.caller, id)?;
        let people = staff::people(conn, &row.people())?;
        Ok((Classification::of(&row, &people), row.version))
    })
    .await
}

/// A classification to set: the channel and one or more categories.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "oral", "categories": ["legal", "financial"]}))]
pub struct SetClassification {
    pub channel: Channel,
    #[schema(min_items = 1, max_items = 4)]
    pub categories: Vec<Category>,
}

/// Classifies a complaint (again): every change is kept in its timeline. Answers with the
/// classification and the complaint's new version.
pub async fn set(
    db: &Db,
    ctx: Context,
    id: i64,
    input: SetClassification,
) -> Result<(Classification, i32), OperationError> {
    db.write(move |conn| {
        let classified_by = ctx.caller.person()?.staff_id;
        let command = (CommandKind::Classify, OnComplaint { id, act: ComplaintAct::Classify });
        let plan = |conn: &mut AnyConnection,
                    found: &FoundComplaint|
         -> Result<(Taking, ()), OperationError> {
            let categories = check_categories(&input.categories)?;
            let before = found.row.categories();
            complaints_store::save_classification(
                conn,
                id,
                input.channel,
                &categories,
                classified_by,
                ctx.now,
            )?;
            let taking = Taking {
                step: Step::Classify,
                event: EventType::ComplaintClassified,
                data: json!({
                    "before": {"channel": found.row.channel(), "categories": before},
                    "after": {"channel": input.channel, "categories": categories},
                }),
            };
            Ok((taking, ()))
        };
        take_step(conn, &ctx, command, &input, plan, |conn, saved, ()| {
            let people = staff::people(conn, &saved.people())?;
            Ok((Classification::of(&saved, &people), saved.version))
        })
    })
    .await
}
