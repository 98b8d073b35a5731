//! The overview's kept tallies (`overview_tallies`, maintained by triggers in the same
//! transaction as each change) against the straightforward count over the complaints, on
//! random data after random changes of every kind that touches what the overview counts.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;
use klachtenregister::db::AnyConnection;
use klachtenregister::domain::overview::{Medians, Period, assemble};
use klachtenregister::operations::overview::{Question, counts, counts_from_complaints};
use klachtenregister::seed::{Plan, seed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(
    the_kept_tallies_equal_the_complaints_after_every_kind_of_change,
    the_medians_from_the_span_buckets_equal_the_spans_at_the_edges,
);

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
    let sql = match rng.random_range(0..14) {
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
        // A correction of the moment of closure alone (another closure span).
        11 => format!(
            "UPDATE complaints SET closed_at = COALESCE(first_response_at, received_at) \
             WHERE {some} AND status = 'closed'"
        ),
        // A registration without the API (an import's bulk insert): a copy of a complaint.
        12 => {
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

/// Seconds from receipt to the first response and to closure, where there are.
type Spans = (Option<i64>, Option<i64>);

/// Puts complaint `id` at the start of `day` with the given spans (seconds to the first
/// response and to closure; a closure makes it closed), or, without `day`, out of the way.
fn place(conn: &mut AnyConnection, id: i64, day: Option<NaiveDate>, spans: Spans) {
    let received =
        day.unwrap_or(NaiveDate::from_ymd_opt(1999, 1, 1).unwrap()).and_hms_opt(0, 0, 0).unwrap();
    let at = |span: Option<i64>| match span {
        Some(seconds) => format!("'{}'", stamp(received + Duration::seconds(seconds))),
        None => "NULL".to_owned(),
    };
    let status = if spans.1.is_some() { "closed" } else { "in_progress" };
    run(
        conn,
        &format!(
            "UPDATE complaints SET received_at = '{}', first_response_at = {}, closed_at = {}, \
             status = '{status}' WHERE id = {id}",
            stamp(received),
            at(spans.0),
            at(spans.1)
        ),
    );
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

async fn the_medians_from_the_span_buckets_equal_the_spans_at_the_edges(app: TestApp) {
    let mut conn = app.db.connection().unwrap();
    let plan = Plan { organisations: 1, complaints: 12, staff: 3, years: 1, seed: 3 };
    seed(&mut conn, plan, app.clock_now()).unwrap();
    let organisation_id = ids(&mut conn, "SELECT MIN(organisation_id) AS id FROM complaints")[0];
    let all = ids(
        &mut conn,
        &format!("SELECT id FROM complaints WHERE organisation_id = {organisation_id} ORDER BY id"),
    );
    assert!(all.len() >= 5, "{all:?}");
    let day = NaiveDate::from_ymd_opt(2001, 1, 10).unwrap();
    let period = Period { from: day - Duration::days(3), to: day + Duration::days(3) };
    let (hour, whole_day) = (3_600, 86_400);
    let cases: Vec<(&str, Vec<Spans>, Medians)> = vec![
        (
            "no spans at all",
            vec![(None, None), (None, None), (None, None)],
            Medians { to_first_response: None, to_closure: None, responded: 0, closed: 0 },
        ),
        (
            "one span each",
            vec![(Some(5 * hour), Some(3 * whole_day + 7)), (None, None)],
            Medians {
                to_first_response: Some(5.0 * 3_600.0),
                to_closure: Some(3.0 * 86_400.0 + 7.0),
                responded: 1,
                closed: 1,
            },
        ),
        (
            // The two middle spans in buckets 0 and 3, the buckets between them empty; on
            // closure at both sides of a bucket's edge.
            "two middle values in different buckets",
            vec![
                (Some(hour), Some(whole_day - 1)),
                (Some(22 * hour), Some(whole_day)),
                (Some(3 * whole_day + 7), Some(whole_day + 1)),
                (Some(9 * whole_day), Some(2 * whole_day)),
            ],
            Medians {
                to_first_response: Some((22.0 * 3_600.0 + 3.0 * 86_400.0 + 7.0) / 2.0),
                to_closure: Some(86_400.5),
                responded: 4,
                closed: 4,
            },
        ),
        (
            // A response recorded before the receipt: truncation puts both signs in bucket 0.
            "spans below zero",
            vec![
                (Some(-2 * whole_day - 5), None),
                (Some(-2 * hour), None),
                (Some(100), None),
                (Some(4 * hour), None),
                (Some(5 * whole_day), None),
            ],
            Medians { to_first_response: Some(100.0), to_closure: None, responded: 5, closed: 0 },
        ),
        (
            "ties in one bucket",
            vec![(Some(hour), Some(hour)), (Some(hour), Some(hour)), (Some(2 * hour), Some(hour))],
            Medians {
                to_first_response: Some(3_600.0),
                to_closure: Some(3_600.0),
                responded: 3,
                closed: 3,
            },
        ),
    ];
    for (case, spans, expected) in cases {
        for &id in &all {
            place(&mut conn, id, None, (Some(hour), Some(whole_day)));
        }
        for (&id, &span) in all.iter().zip(&spans) {
            place(&mut conn, id, Some(day), span);
        }
        let q = Question {
            organisation_id,
            period,
            anonymised: false,
            now: app.clock_now(),
            minimum_cell: 5,
        };
        let fast = counts(&mut conn, q).unwrap().medians;
        let reference = counts_from_complaints(&mut conn, q).unwrap().medians;
        assert_eq!(fast, reference, "{case}");
        assert_eq!((fast.responded, fast.closed), (expected.responded, expected.closed), "{case}");
        // SQLite's seconds come from day fractions: equal to the reference's, near the
        // whole seconds.
        let near = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 0.01,
            (a, b) => a == b,
        };
        assert!(near(fast.to_first_response, expected.to_first_response), "{case}: {fast:?}");
        assert!(near(fast.to_closure, expected.to_closure), "{case}: {fast:?}");
    }
}
