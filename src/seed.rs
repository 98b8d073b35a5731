//! A realistic data set for benchmarks and demonstrations: organisations with staff, and
//! complaints spread over years in every state — classified, contacted, decided, confirmed,
//! signed, closed — with their contacts, actions and events. Written in bulk (many rows per
//! statement, ids assigned here) so that a million complaints take minutes, not hours.
//!
//! Every generated complaint obeys the procedure's rules: a closed complaint has its
//! classification, decision, confirmation and — when resolved — two signatures by two people.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{AnyConnection, DbError};
use crate::domain::chain;
use crate::domain::classification::Category;
use crate::store::events::chained_time;

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub organisations: usize,
    /// Complaints per organisation.
    pub complaints: usize,
    /// Staff per organisation; the first two are the coordinator and the deputy.
    pub staff: usize,
    /// How far back receipts go.
    pub years: i64,
    pub seed: u64,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Seeded {
    pub complaints: usize,
    pub rows: usize,
    /// Deadlines passed or running out recorded as announced (see the end of [`seed`]).
    pub announced: usize,
}

const BATCH: usize = 1_000;
const CATEGORIES: [Category; 4] =
    [Category::Conduct, Category::Legal, Category::Financial, Category::Practice];
const REPORTERS: [&str; 4] = ["client", "client", "representative", "contact"];

/// Next free id of a table, so that related rows can name each other in bulk.
fn next_id(conn: &mut AnyConnection, table: &str) -> Result<i64, DbError> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let max: Max = diesel::sql_query(format!(
        "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS id FROM {table}"
    ))
    .get_result(conn)?;
    Ok(max.id + 1)
}

fn ts(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S"))
}

fn opt(t: Option<NaiveDateTime>) -> String {
    t.map_or_else(|| "NULL".to_owned(), ts)
}

fn id_or_null(id: Option<i64>) -> String {
    id.map_or_else(|| "NULL".to_owned(), |i| i.to_string())
}

/// Rows for one table, flushed as multi-row INSERTs.
struct Bulk {
    table: &'static str,
    columns: &'static str,
    rows: Vec<String>,
    written: usize,
}

impl Bulk {
    fn new(table: &'static str, columns: &'static str) -> Bulk {
        Bulk { table, columns, rows: Vec::with_capacity(BATCH), written: 0 }
    }

    fn push(&mut self, row: String) {
        self.rows.push(row);
    }

    fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), DbError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql =
            format!("INSERT INTO {} ({}) VALUES {}", self.table, self.columns, self.rows.join(","));
        conn.batch_execute(&sql)?;
        self.written += self.rows.len();
        self.rows.clear();
        Ok(())
    }
}

struct Tables {
    complaints: Bulk,
    contacts: Bulk,
    events: Bulk,
    actions: Bulk,
    links: Bulk,
}

impl Tables {
    fn new() -> Tables {
        Tables {
            complaints: Bulk::new(
                "complaints",
                "id, organisation_id, reference, kind, status, received_at, reported_by, complainant_name, \
                 client_id, client_name, matter_reference, description, handler_id, subject_id, coordinator_id, \
                 registered_by_id, response_due_at, first_response_at, follow_up_due_at, anonymize_in_meeting, \
                 closed_at, version, created_at, updated_at, channel, classified_at, classified_by_id, \
                 last_contact_at, escalated_at, decision_summary, decision_resolution, decided_at, decided_by_id, \
                 confirmation_sent_at, confirmation_channel, confirmation_recorded_by_id, \
                 dienstverlener_signed_by_id, dienstverlener_signed_at, coordinator_signed_by_id, coordinator_signed_at, \
                 category_mask",
            ),
            contacts: Bulk::new(
                "contacts",
                "complaint_id, at, channel, summary, still_handling, follow_up_due_at, recorded_by_id, created_at",
            ),
            events: Bulk::new(
                "events",
                "id, organisation_id, complaint_id, event_type, actor_id, occurred_at, data, prev_hash, hash",
            ),
            actions: Bulk::new(
                "actions",
                "id, organisation_id, kind, title, description, owner_id, due_on, status, proposed_by_id, \
                 approved_by_id, approved_at, completed_at, version, created_at, updated_at",
            ),
            links: Bulk::new("action_complaints", "action_id, complaint_id"),
        }
    }

    fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), DbError> {
        // Parents before children, so that every reference finds its row.
        self.complaints.flush(conn)?;
        self.actions.flush(conn)?;
        for bulk in [&mut self.contacts, &mut self.events, &mut self.links] {
            bulk.flush(conn)?;
        }
        Ok(())
    }

    fn written(&self) -> usize {
        [&self.complaints, &self.contacts, &self.events, &self.actions, &self.links]
            .iter()
            .map(|b| b.written)
            .sum()
    }
}

/// Seeds `plan` into the database, next to whatever is there. Organisations are named
/// `seed-1`, `seed-2`, …; their staff `seed-1-staff-0` (coordinator), `…-1` (deputy), ….
/// Run it in one transaction, as the command line does: on PostgreSQL it turns a trigger off
/// for the load (`tally_seeded`), which no other session must see.
pub fn seed(conn: &mut AnyConnection, plan: Plan, now: DateTime<Utc>) -> Result<Seeded, DbError> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let now = now.naive_utc();
    let mut tables = Tables::new();
    let mut complaint_id = next_id(conn, "complaints")?;
    let first_complaint = complaint_id;
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    if postgres {
        // Tallied in one pass after the load (`tally_seeded`), not row by row: see there.
        conn.batch_execute("ALTER TABLE complaints DISABLE TRIGGER complaints_overview_insert")?;
    }
    let mut action_id = next_id(conn, "actions")?;
    let mut event_id = next_id(conn, "events")?;
    let mut seeded = Seeded::default();
    for o in 1..=plan.organisations {
        let slug = format!("seed-{o}");
        conn.batch_execute(&format!(
            "INSERT INTO organisations (slug, name, response_term_days, created_at, updated_at) \
             VALUES ('{slug}', 'Kantoor {o}', 7, {now}, {now})",
            now = ts(now)
        ))?;
        let organisation = next_id(conn, "organisations")? - 1;
        let first_staff = next_id(conn, "staff")?;
        let staff: Vec<String> = (0..plan.staff.max(3))
            .map(|s| {
                let roles = if s < 2 { "klachtencoordinator" } else { "dienstverlener" };
                format!(
                    "({}, {organisation}, '{slug}-staff-{s}', 'Medewerker {o}-{s}', '{roles}', {})",
                    first_staff + s as i64,
                    ts(now)
                )
            })
            .collect();
        conn.batch_execute(&format!(
            "INSERT INTO staff (id, organisation_id, subject, name, roles, created_at) VALUES {}",
            staff.join(",")
        ))?;
        let (coordinator, deputy) = (first_staff, first_staff + 1);
        let dienstverleners = (first_staff + 2)..(first_staff + plan.staff.max(3) as i64);
        conn.batch_execute(&format!(
            "UPDATE organisations SET coordinator_id = {coordinator}, deputy_coordinator_id = {deputy} WHERE id = {organisation}"
        ))?;

        let span = Duration::days(365 * plan.years).num_seconds();
        let mut receipts: Vec<NaiveDateTime> = (0..plan.complaints)
            .map(|_| now - Duration::seconds(rng.random_range(60..span)))
            .collect();
        receipts.sort();
        let mut counters: std::collections::BTreeMap<i32, i32> = Default::default();
        let mut last_hash = chain::GENESIS.to_owned();
        let mut last_event = None;
        for received in receipts {
            let id = complaint_id;
            complaint_id += 1;
            let year: i32 = received.format("%Y").to_string().parse().unwrap_or(2026);
            let number = counters.entry(year).or_default();
            *number += 1;
            let handler = rng.random_range(dienstverleners.clone());
            let subject = if rng.random_bool(0.05) { coordinator } else { handler };
            let assigned = if subject == coordinator { deputy } else { coordinator };
            let external = rng.random_bool(0.85);
            let kind = if external {
                "complaint"
            } else if rng.random_bool(0.5) {
                "error"
            } else {
                "improvement"
            };
            let reported_by = if external { REPORTERS[rng.random_range(0..4)] } else { "employee" };
            let age = now - received;
            // Older complaints are further along.
            let stage = match age.num_days() {
                0..=3 => rng.random_range(0..2),
                4..=20 => rng.random_range(0..5),
                _ => {
                    if rng.random_bool(0.9) {
                        5
                    } else {
                        rng.random_range(0..6)
                    }
                }
            };
            let due = external.then(|| received + Duration::days(7));
            let hours = |rng: &mut StdRng, low: i64, high: i64| {
                Duration::hours(rng.random_range(low..high))
            };
            let first_response =
                (stage >= 1).then(|| received + hours(&mut rng, 1, 240)).filter(|t| *t < now);
            let classified = stage >= 2 || rng.random_bool(0.3);
            let channel = classified.then(|| if rng.random_bool(0.6) { "oral" } else { "written" });
            // One category, sometimes two.
            let first = CATEGORIES[rng.random_range(0..4)];
            let category_mask = first.bit()
                + if rng.random_bool(0.3) {
                    CATEGORIES[(first.bit().trailing_zeros() as usize + 1) % 4].bit()
                } else {
                    0
                };
            let decided = (stage >= 3)
                .then(|| first_response.unwrap_or(received) + hours(&mut rng, 1, 200))
                .filter(|t| *t < now);
            let resolved = rng.random_bool(0.7);
            let confirmed = decided
                .filter(|_| external && stage >= 4)
                .map(|d| d + Duration::hours(2))
                .filter(|t| *t < now);
            let closed = decided
                .filter(|_| stage >= 5 && classified && (!external || confirmed.is_some()))
                .map(|d| d + Duration::hours(30))
                .filter(|t| *t < now);
            let signed = closed.filter(|_| resolved);
            let status = match (closed, decided, first_response) {
                (Some(_), _, _) => "closed",
                (None, Some(_), _) => "decided",
                (None, None, Some(_)) => {
                    if rng.random_bool(0.15) {
                        "escalated"
                    } else {
                        "in_progress"
                    }
                }
                _ => {
                    if stage == 0 && age.num_days() > 30 && rng.random_bool(0.3) {
                        "withdrawn"
                    } else {
                        "registered"
                    }
                }
            };
            let client = rng.random_range(1..5_000);
            let row = format!(
                "({id}, {organisation}, 'KL-{year}-{number:04}', '{kind}', '{status}', {received}, '{reported_by}', {complainant}, \
                 {client_id}, {client_name}, {matter}, 'Gegenereerde klacht {id}', {handler}, {subject}, {assigned}, {handler}, \
                 {due}, {first}, NULL, {anonymous}, {closed}, 1, {received}, {received}, {channel}, {classified_at}, {classified_by}, \
                 {first}, NULL, {summary}, {resolution}, {decided}, {decided_by}, {confirmed}, {confirmation_channel}, {confirmed_by}, \
                 {dv_signer}, {dv_at}, {co_signer}, {co_at}, {categories})",
                received = ts(received),
                complainant = if external { "'Klager'".to_owned() } else { "NULL".to_owned() },
                client_id = if external { format!("'REL-{client}'") } else { "NULL".to_owned() },
                client_name =
                    if external { format!("'Cliënt {client}'") } else { "NULL".to_owned() },
                matter = if external { format!("'Z-{id}'") } else { "NULL".to_owned() },
                due = opt(due),
                first = opt(first_response),
                anonymous = if rng.random_bool(0.05) { "TRUE" } else { "FALSE" },
                closed = opt(closed),
                channel = channel.map_or_else(|| "NULL".to_owned(), |c| format!("'{c}'")),
                classified_at = opt(classified.then_some(received + Duration::hours(3))),
                classified_by = id_or_null(classified.then_some(assigned)),
                summary =
                    if decided.is_some() { "'Besluit'".to_owned() } else { "NULL".to_owned() },
                resolution = match decided {
                    Some(_) if resolved => "'resolved'".to_owned(),
                    Some(_) => "'unresolved'".to_owned(),
                    None => "NULL".to_owned(),
                },
                decided = opt(decided),
                decided_by = id_or_null(decided.map(|_| handler)),
                confirmed = opt(confirmed),
                confirmation_channel =
                    if confirmed.is_some() { "'letter'".to_owned() } else { "NULL".to_owned() },
                confirmed_by = id_or_null(confirmed.map(|_| handler)),
                dv_signer = id_or_null(signed.map(|_| handler)),
                dv_at = opt(signed),
                co_signer = id_or_null(signed.map(|_| assigned)),
                co_at = opt(signed),
                categories = if classified { category_mask } else { 0 },
            );
            tables.complaints.push(row);
            if let Some(at) = first_response {
                tables.contacts.push(format!(
                    "({id}, {at}, 'phone', 'Gebeld', FALSE, NULL, {handler}, {at})",
                    at = ts(at)
                ));
            }
            // Chained as `store::events::append` would have: each event links to the last.
            let data = format!("{{\"reference\":\"KL-{year}-{number:04}\"}}");
            let hash = chain::hash(
                &last_hash,
                &chain::Linked {
                    organisation_id: organisation,
                    complaint_id: Some(id),
                    event_type: "complaint.registered",
                    actor_id: Some(handler),
                    occurred_at: &chained_time(received),
                    data: &data,
                },
            );
            tables.events.push(format!(
                "({event_id}, {organisation}, {id}, 'complaint.registered', {handler}, {}, '{data}', '{last_hash}', '{hash}')",
                ts(received)
            ));
            last_event = Some(event_id);
            event_id += 1;
            last_hash = hash;
            if rng.random_bool(0.08) {
                let done = rng.random_bool(0.5);
                let created = received + Duration::days(2);
                tables.actions.push(format!(
                    "({action_id}, {organisation}, 'corrective', 'Maatregel {id}', '', {handler}, '{due_on}', '{status}', \
                     {handler}, {coordinator}, {approved}, {completed}, 1, {created}, {created})",
                    due_on = (created + Duration::days(30)).format("%Y-%m-%d"),
                    status = if done { "done" } else { "approved" },
                    approved = ts(created),
                    completed = if done { ts(created + Duration::days(10)) } else { "NULL".to_owned() },
                    created = ts(created),
                ));
                tables.links.push(format!("({action_id}, {id})"));
                action_id += 1;
            }
            seeded.complaints += 1;
            if tables.complaints.rows.len() >= BATCH {
                tables.flush(conn)?;
            }
        }
        tables.flush(conn)?;
        conn.batch_execute(&format!(
            "INSERT INTO event_chain_heads (organisation_id, last_event_id, last_hash) \
             VALUES ({organisation}, {}, '{last_hash}')",
            id_or_null(last_event)
        ))?;
        for (year, last) in counters {
            conn.batch_execute(&format!(
                "INSERT INTO reference_counters (organisation_id, year, last_number) VALUES ({organisation}, {year}, {last})"
            ))?;
        }
    }
    tables.flush(conn)?;
    if postgres {
        tally_seeded(conn, first_complaint)?;
    }
    // A service that had been running would have announced the history's deadlines as they
    // came near and passed; left unannounced, the deadline watcher's first sweep would
    // announce thousands of them at once (and a benchmark would measure that).
    seeded.announced = crate::store::deadlines::mark_due_as_announced(conn, now.and_utc())?;
    if postgres {
        // Ids were assigned here; the identity sequences continue after them.
        conn.batch_execute(
            "SELECT setval(pg_get_serial_sequence('complaints', 'id'), (SELECT MAX(id) FROM complaints)); \
             SELECT setval(pg_get_serial_sequence('actions', 'id'), GREATEST((SELECT MAX(id) FROM actions), 1)); \
             SELECT setval(pg_get_serial_sequence('staff', 'id'), (SELECT MAX(id) FROM staff)); \
             SELECT setval(pg_get_serial_sequence('events', 'id'), GREATEST((SELECT MAX(id) FROM events), 1)); \
             ANALYZE;",
        )?;
    }
    seeded.rows = tables.written();
    Ok(seeded)
}

/// PostgreSQL: the overview's tallies of the complaints seeded from `first_complaint` on,
/// counted in one pass with the function the insert trigger counts with, and the trigger,
/// turned off for the load, on again. Through the trigger every row of the load updated a
/// dozen tally rows, each update a new row version that no vacuum could remove before the
/// load committed: a million complaints took 13 minutes and left the tallies 120 times
/// their size, which the overview then read through (660 ms at a million, 294–330 ms
/// compacted; bench/results/2026-12-03-benchmark-full.md). In the seeding transaction the `ALTER TABLE`
/// is seen by nobody else: other writers wait for the commit.
fn tally_seeded(conn: &mut AnyConnection, first_complaint: i64) -> Result<(), DbError> {
    conn.batch_execute(&format!(
        "INSERT INTO overview_tallies AS t (organisation_id, received_on, attribute, value, count)
         SELECT c.organisation_id, CAST(c.received_at AS DATE), o.attribute, o.value, COUNT(*)
         FROM complaints c CROSS JOIN LATERAL overview_tallies_of(c) o
         WHERE c.id >= {first_complaint}
         GROUP BY 1, 2, 3, 4
         ON CONFLICT (organisation_id, attribute, received_on, value)
             DO UPDATE SET count = t.count + EXCLUDED.count;
         ALTER TABLE complaints ENABLE TRIGGER complaints_overview_insert;"
    ))?;
    Ok(())
}
