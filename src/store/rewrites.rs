//! Rewrites of stored data that a SQL migration cannot do on both databases. Each is named by
//! a row its migration puts in `pending_rewrites`, runs once right after the migrations (under
//! the same lock on PostgreSQL), in one transaction, and deletes its row when done.
//!
//! `event_texts`: events recorded before free text left the events (DESIGN.md §9) still hold
//! their texts. They are taken out as new events' are (`domain::commitment`, a fresh salt
//! each), which changes those events' data, so the chain is rebuilt: every chained event gets
//! new hashes, oldest first. SQLite has no SHA-256 in SQL, hence Rust rather than SQL. The
//! rebuild is itself an event (`chain.rebuilt`) at the head of each organisation's new chain,
//! naming the head it replaced and whether the chain it replaced was intact — so a rebuild
//! cannot quietly launder an event altered before it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde_json::{Value, json};

use super::event_texts;
use super::events::{self, EventRow, NewEvent, chained_time};
use crate::db::schema::{event_chain_heads as heads, events as events_table, pending_rewrites};
use crate::db::{AnyConnection, DbError, write_transaction};
use crate::domain::chain::{self, Linked, Walk};
use crate::domain::commitment;
use crate::domain::events::EventType;

const EVENT_TEXTS: &str = "event_texts";

/// How many events are rewritten per query.
const BATCH: i64 = 1_000;

/// Runs the rewrites still pending; answers how many ran.
pub fn run_pending(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<usize, DbError> {
    write_transaction(conn, |conn| {
        // Read inside the transaction: a second instance starting at the same moment finds
        // the row gone once the first has committed.
        let pending = pending_rewrites::table
            .find(EVENT_TEXTS)
            .select(pending_rewrites::name)
            .first::<String>(conn)
            .optional()?;
        if pending.is_none() {
            return Ok(0);
        }
        move_texts_out_of_events(conn, now)?;
        diesel::delete(pending_rewrites::table.find(EVENT_TEXTS)).execute(conn)?;
        Ok(1)
    })
}

/// One organisation's chain while it is rebuilt.
#[derive(Default)]
struct Rebuilding {
    /// The chain as it was, checked as it is read.
    before: Walk,
    first_break: Option<i64>,
    old_head: Option<String>,
    new_head: Option<(i64, String)>,
    events: u64,
    texts: u64,
}

fn move_texts_out_of_events(conn: &mut AnyConnection, now: DateTime<Utc>) -> QueryResult<()> {
    let protection = lift_protection(conn)?;
    let mut chains: BTreeMap<i64, Rebuilding> = BTreeMap::new();
    let mut after = 0;
    loop {
        let batch: Vec<EventRow> = events_table::table
            .filter(events_table::id.gt(after))
            .order(events_table::id.asc())
            .limit(BATCH)
            .select(events_table::all_columns)
            .load(conn)?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for event in batch {
            let rebuilding = chains.entry(event.organisation_id).or_default();
            rewrite(conn, rebuilding, event)?;
        }
    }
    restore_protection(conn, protection)?;
    for (organisation_id, rebuilt) in chains {
        record_rebuild(conn, organisation_id, rebuilt, now)?;
    }
    Ok(())
}

/// Takes one event's texts out and links it to the rebuilt chain.
fn rewrite(conn: &mut AnyConnection, chain: &mut Rebuilding, event: EventRow) -> QueryResult<()> {
    let occurred_at = chained_time(event.occurred_at);
    let stored = (event.prev_hash.as_deref(), event.hash.as_deref());
    if chain.first_break.is_none()
        && let Err(broken) = chain.before.step(event.id, stored, &event.linked(&occurred_at))
    {
        chain.first_break = Some(broken.event_id());
    }
    let texts = EventType::parse(&event.event_type).map(EventType::texts).unwrap_or(&[]);
    let mut data: Value = serde_json::from_str(&event.data).unwrap_or(Value::Null);
    let sealed = commitment::seal(&mut data, texts, rand::random);
    // Data without text is kept byte for byte.
    let data = if sealed.is_empty() { event.data.clone() } else { data.to_string() };
    event_texts::insert(conn, event.id, &sealed)?;
    chain.events += 1;
    chain.texts += sealed.len() as u64;
    // Events from before the chain began stay outside it.
    let links = match &event.hash {
        Some(old) => {
            chain.old_head = Some(old.clone());
            let prev =
                chain.new_head.as_ref().map_or(chain::GENESIS, |(_, h)| h.as_str()).to_owned();
            let hash = chain::hash(&prev, &Linked { data: &data, ..event.linked(&occurred_at) });
            chain.new_head = Some((event.id, hash.clone()));
            Some((prev, hash))
        }
        None => None,
    };
    let (prev, hash) = links.unzip();
    if sealed.is_empty() && (&prev, &hash) == (&event.prev_hash, &event.hash) {
        return Ok(());
    }
    diesel::update(events_table::table.find(event.id))
        .set((
            events_table::data.eq(&data),
            events_table::prev_hash.eq(prev),
            events_table::hash.eq(hash),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the organisation's head to its rebuilt chain and records the rebuild as the next
/// event on it.
fn record_rebuild(
    conn: &mut AnyConnection,
    organisation_id: i64,
    rebuilt: Rebuilding,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    if let Some((event_id, hash)) = &rebuilt.new_head {
        diesel::update(heads::table.find(organisation_id))
            .set((heads::last_event_id.eq(event_id), heads::last_hash.eq(hash)))
            .execute(conn)?;
    }
    let data = json!({
        "reason": "texts moved out of the events",
        "before": {
            "head": rebuilt.old_head,
            "intact": rebuilt.first_break.is_none(),
            "first_break": rebuilt.first_break,
        },
        "after": {"head": rebuilt.new_head.map(|(_, hash)| hash)},
        "events": rebuilt.events,
        "texts": rebuilt.texts,
    });
    events::append(
        conn,
        NewEvent {
            organisation_id,
            complaint_id: None,
            event_type: EventType::ChainRebuilt,
            actor_id: None,
            occurred_at: now,
            data,
        },
    )?;
    Ok(())
}

/// What the events' append-only protection was, to be put back as it was.
enum Protection {
    /// PostgreSQL: the triggers are disabled and enabled again.
    Postgres,
    /// SQLite cannot disable a trigger: they are dropped and created again from their own
    /// stored definitions.
    Sqlite(Vec<String>),
}

#[derive(QueryableByName)]
struct Trigger {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Lifts the database's refusal to update events, inside the rewrite's transaction: should
/// the rewrite fail, the rollback puts it back.
fn lift_protection(conn: &mut AnyConnection) -> QueryResult<Protection> {
    match conn {
        AnyConnection::Postgresql(c) => {
            c.batch_execute("ALTER TABLE events DISABLE TRIGGER USER")?;
            Ok(Protection::Postgres)
        }
        AnyConnection::Sqlite(c) => {
            let triggers: Vec<Trigger> = diesel::sql_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'",
            )
            .load(c)?;
            for trigger in &triggers {
                c.batch_execute(&format!("DROP TRIGGER \"{}\"", trigger.name))?;
            }
            Ok(Protection::Sqlite(triggers.into_iter().map(|t| t.sql).collect()))
        }
    }
}

fn restore_protection(conn: &mut AnyConnection, protection: Protection) -> QueryResult<()> {
    match protection {
        Protection::Postgres => conn.batch_execute("ALTER TABLE events ENABLE TRIGGER USER"),
        Protection::Sqlite(definitions) => {
            definitions.iter().try_for_each(|definition| conn.batch_execute(definition))
        }
    }
}
