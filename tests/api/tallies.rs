//! The overview's kept tallies (`overview_tallies`, maintained by triggers in the same
//! transaction as each change) against the straightforward count over the complaints, on
//! random data after random changes of every kind that touches what the overview counts.

use chrono::Duration;
use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;
use klachtenregister::db::AnyConnection;
use klachtenregister::domain::overview::{Period, assemble};
use klachtenregister::operations::overview::{Question, counts, counts_from_complaints};
use klachtenregister::seed::{Plan, seed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(the_kept_tallies_equal_the_complaints_after_every_kind_of_change);

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

fn ids(conn: &mut AnyConnection, sql: &str) -> Vec<i64> {
    diesel::sql_query(sql).load::<Id>(conn).unwrap().into_iter().map(|r| r.id).collect()
}

fn run(conn: &mut AnyConnection, sql: &str) {
    diesel::sql_query(sql).execute(conn).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// One random change of a random few complaints, as each kind of writer makes it: the
/// columns the overview reads, set to values the procedure allows.
fn change(conn: &mut AnyConnection, rng: &mut StdRng, copies: &mut Vec<i64>, round: usize) {
    let (m, r) = (rng.random_range(3..9), rng.random_range(0..3));
    let some = format!("id % {m} = {r}");
    let sql = match rng.random_range(0..13) {
        // Classification.
        0 => format!(
            "UPDATE complaints SET channel = '{}', category_mask = {}, \
             classified_at = COALESCE(classified_at, received_at) WHERE {some}",
            ["oral", "written"][rng.random_range(0..2)],
            rng.random_range(0..16)
        ),
        // A first response, in time or late, or recorded later than given.
        1 => format!(
            "UPDATE complaints SET first_response_at = response_due_at, \
             first_response_recorded_at = {} WHERE {some} AND status <> 'withdrawn'",
            ["NULL", "closed_at", "received_at"][rng.random_range(0..3)]
        ),
        2 => format!(
            "UPDATE complaints SET first_response_at = COALESCE(closed_at, updated_at) \
             WHERE {some} AND status <> 'withdrawn'"
        ),
        // A decision.
        3 => format!(
            "UPDATE complaints SET decision_resolution = '{}', decision_judgement = {}, \
             decided_at = COALESCE(decided_at, received_at) WHERE {some}",
            ["resolved", "unresolved"][rng.random_range(0..2)],
            ["NULL", "'well_founded'", "'partly_well_founded'", "'unfounded'"]
                [rng.random_range(0..4)]
        ),
        // The client's satisfaction, given or cleared.
        4 => format!(
            "UPDATE complaints SET satisfaction_score = {} WHERE {some}",
            ["NULL", "1", "3", "5"][rng.random_range(0..4)]
        ),
        // Reassignment to another handler.
        5 => format!(
            "UPDATE complaints SET handler_id = (SELECT MIN(o.handler_id) FROM complaints o \
             WHERE o.organisation_id = complaints.organisation_id AND o.handler_id > complaints.handler_id) \
             WHERE {some} AND EXISTS (SELECT 1 FROM complaints o \
             WHERE o.organisation_id = complaints.organisation_id AND o.handler_id > complaints.handler_id)"
        ),
        // To be discussed anonymously, or no longer.
        6 => format!(
            "UPDATE complaints SET anonymize_in_meeting = NOT anonymize_in_meeting WHERE {some}"
        ),
        // Withdrawal of an open complaint; reopening of a closed one.
        7 => format!(
            "UPDATE complaints SET status = 'withdrawn' WHERE {some} AND status <> 'closed'"
        ),
        8 => format!(
            "UPDATE complaints SET status = 'in_progress', closed_at = NULL, satisfaction_score = NULL \
             WHERE {some} AND status = 'closed'"
        ),
        // A correction of the moment of receipt, across days, and of the response term.
        9 => format!(
            "UPDATE complaints SET received_at = COALESCE(first_response_at, updated_at), \
             response_due_at = {} WHERE {some}",
            ["response_due_at", "NULL", "updated_at"][rng.random_range(0..3)]
        ),
        // Erasure: personal data goes, the counted attributes stay.
        10 => format!(
            "UPDATE complaints SET client_name = NULL, complainant_name = NULL, description = '-' \
             WHERE {some} AND status IN ('closed', 'withdrawn')"
        ),
        // A registration without the API (an import's bulk insert): a copy of a complaint.
        11 => {
            let Some(&id) = ids(conn, &format!("SELECT id FROM complaints WHERE {some}")).first()
            else {
                return;
            };
            run(
                conn,
                &format!(
                    "INSERT INTO complaints (organisation_id, reference, kind, status, received_at, \
                     reported_by, description, handler_id, subject_id, registered_by_id, \
                     response_due_at, first_response_at, anonymize_in_meeting, created_at, updated_at, \
                     channel, category_mask, satisfaction_score, decision_resolution, \
                     decision_judgement, decided_at, classified_at, closed_at) \
                     SELECT organisation_id, reference || '-{round}', kind, status, received_at, \
                     reported_by, description, handler_id, subject_id, registered_by_id, \
                     response_due_at, first_response_at, anonymize_in_meeting, created_at, updated_at, \
                     channel, category_mask, satisfaction_score, decision_resolution, \
                     decision_judgement, decided_at, classified_at, closed_at \
                     FROM complaints WHERE id = {id}"
                ),
            );
            copies.extend(ids(conn, "SELECT MAX(id) AS id FROM complaints"));
            return;
        }
        // Deletion of a complaint without a dossier (the copies have none).
        _ => {
            if copies.is_empty() {
                return;
            }
            let id = copies.swap_remove(rng.random_range(0..copies.len()));
            format!("DELETE FROM complaints WHERE id = {id}")
        }
    };
    run(conn, &sql);
}

fn compare(app: &TestApp, conn: &mut AnyConnection, rng: &mut StdRng, round: usize) {
    let today = app.clock_now().date_naive();
    for organisation_id in ids(conn, "SELECT id FROM organisations") {
        for _ in 0..3 {
            let from = today - Duration::days(rng.random_range(0..800));
            let to = from + Duration::days(rng.random_range(0..400));
            let period = Period { from, to };
            // The response term of open complaints depends on when the overview is asked.
            let now = app.clock_now() - Duration::hours(rng.random_range(0..24 * 30));
            let q = Question { organisation_id, period, anonymised: false, now, minimum_cell: 5 };
            let fast = counts(conn, q).unwrap();
            let reference = counts_from_complaints(conn, q).unwrap();
            let context = format!("round {round}, organisation {organisation_id}, {period:?}");
            assert_eq!(fast.tallies, reference.tallies, "{context}");
            assert_eq!(fast.people, reference.people, "{context}");
            let sorted = |mut months: Vec<_>| {
                months.sort_by_key(|m: &klachtenregister::domain::overview::MonthCount| {
                    (m.current, m.month.clone(), m.categories)
                });
                months
            };
            assert_eq!(sorted(fast.months.clone()), sorted(reference.months.clone()), "{context}");
            assert_eq!(fast.medians, reference.medians, "{context}");
            assert_eq!(fast.actions, reference.actions, "{context}");
            assert_eq!(fast.clients, reference.clients, "{context}");
            for anonymised in [false, true] {
                let form = Question { anonymised, ..q };
                assert_eq!(
                    assemble(form.form(), fast.clone()),
                    assemble(form.form(), reference.clone()),
                    "{context}"
                );
            }
        }
    }
}

async fn the_kept_tallies_equal_the_complaints_after_every_kind_of_change(app: TestApp) {
    let mut conn = app.db.connection().unwrap();
    let plan = Plan { organisations: 2, complaints: 300, staff: 6, years: 2, seed: 7 };
    seed(&mut conn, plan, app.clock_now()).unwrap();
    let mut rng = StdRng::seed_from_u64(15);
    let mut copies = Vec::new();
    compare(&app, &mut conn, &mut rng, 0);
    for round in 1..=60 {
        change(&mut conn, &mut rng, &mut copies, round);
        if round % 5 == 0 {
            compare(&app, &mut conn, &mut rng, round);
        }
    }
}
