//! Complaints: the registration form's row, its per-year reference counter, and the list
//! query with its filters and keyset pagination.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::{Lock, first_row, from_db, to_db};
use crate::db::{AnyConnection, FixedSql};
use std::collections::BTreeSet;

use crate::db::schema::{complaints, reference_counters, staff};
use crate::domain::access::{Parties, Scope};
use crate::domain::address::PostalAddress;
use crate::domain::classification::{self, Category, Channel};
use crate::domain::complaint::{
    Assignment, CheckedDetails, Client, Complainant, ComplaintKind, ComplaintStatus, Details,
    ReportedBy,
};
use crate::domain::deadlines::Clockwork;
use crate::domain::lifecycle::{
    Confirmation, ConfirmationChannel, Decision, Judgement, Procedure, Resolution, Satisfaction,
    Signature,
};
use crate::domain::overview::{self, TermOutcome};
use crate::domain::subject_access::Held;
use crate::per_backend;
use crate::store::staff::Person;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ComplaintRow {
    pub id: i64,
    pub organisation_id: i64,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub received_at: NaiveDateTime,
    pub reported_by: String,
    pub complainant_name: Option<String>,
    pub complainant_email: Option<String>,
    pub complainant_phone: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
    pub matter_reference: Option<String>,
    pub description: String,
    pub handler_id: i64,
    pub subject_id: i64,
    pub coordinator_id: Option<i64>,
    pub registered_by_id: i64,
    pub response_due_at: Option<NaiveDateTime>,
    pub first_response_at: Option<NaiveDateTime>,
    pub follow_up_due_at: Option<NaiveDateTime>,
    pub root_cause: Option<String>,
    pub anonymize_in_meeting: bool,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub channel: Option<String>,
    pub classified_at: Option<NaiveDateTime>,
    pub classified_by_id: Option<i64>,
    pub last_contact_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
    pub decision_summary: Option<String>,
    pub decision_resolution: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by_id: Option<i64>,
    pub confirmation_sent_at: Option<NaiveDateTime>,
    pub confirmation_channel: Option<String>,
    pub confirmation_recorded_by_id: Option<i64>,
    pub dienstverlener_signed_by_id: Option<i64>,
    pub dienstverlener_signed_at: Option<NaiveDateTime>,
    pub coordinator_signed_by_id: Option<i64>,
    pub coordinator_signed_at: Option<NaiveDateTime>,
    pub category_mask: i32,
    pub confirmation_document_id: Option<i64>,
    pub first_response_recorded_at: Option<NaiveDateTime>,
    pub complainant_street: Option<String>,
    pub complainant_postal_code: Option<String>,
    pub complainant_city: Option<String>,
    pub complainant_country: Option<String>,
    pub decision_judgement: Option<String>,
    pub satisfaction_score: Option<i32>,
    pub satisfaction_remark: Option<String>,
    pub satisfaction_recorded_by_id: Option<i64>,
    pub satisfaction_recorded_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
    /// Brought in from an existing register rather than registered here.
    pub imported: bool,
    /// A row imported without a reference: the hash of its cells.
    pub import_key: Option<String>,
}

impl ComplaintRow {
    pub fn parties(&self) -> Parties {
        Parties {
            handler: self.handler_id,
            subject: self.subject_id,
            registered_by: self.registered_by_id,
        }
    }

    /// The database's CHECK constraints admit only known values, so these parses hold.
    pub fn status(&self) -> ComplaintStatus {
        ComplaintStatus::parse(&self.status).unwrap_or(ComplaintStatus::Registered)
    }

    pub fn kind(&self) -> ComplaintKind {
        ComplaintKind::parse(&self.kind).unwrap_or(ComplaintKind::Complaint)
    }

    pub fn reported_by(&self) -> ReportedBy {
        ReportedBy::parse(&self.reported_by).unwrap_or(ReportedBy::Client)
    }

    pub fn complainant(&self) -> Option<Complainant> {
        self.complainant_name.as_ref().map(|name| Complainant {
            name: name.clone(),
            email: self.complainant_email.clone(),
            phone: self.complainant_phone.clone(),
            address: self.complainant_address(),
        })
    }

    /// The parts of an address are written together (`DetailsColumns`), so one stands for all.
    fn complainant_address(&self) -> Option<PostalAddress> {
        Some(PostalAddress {
            street: self.complainant_street.clone()?,
            postal_code: self.complainant_postal_code.clone()?,
            city: self.complainant_city.clone()?,
            country: self.complainant_country.clone()?,
        })
    }

    pub fn client(&self) -> Option<Client> {
        match (&self.client_id, &self.client_name) {
            (Some(id), Some(name)) => Some(Client { id: id.clone(), name: name.clone() }),
            _ => None,
        }
    }

    pub fn assignment(&self) -> Assignment {
        Assignment {
            handler_id: self.handler_id,
            subject_id: self.subject_id,
            coordinator_id: self.coordinator_id,
            response_due_at: self.response_due_at.map(from_db),
        }
    }

    pub fn clockwork(&self) -> Clockwork {
        Clockwork {
            status: self.status(),
            response_due_at: self.response_due_at.map(from_db),
            first_response_at: self.first_response_at.map(from_db),
            follow_up_due_at: self.follow_up_due_at.map(from_db),
        }
    }

    /// How the complaint fared against its response term, by the overview's rule.
    pub fn term_outcome(&self, now: DateTime<Utc>) -> TermOutcome {
        let first_response =
            (self.first_response_at.map(from_db), self.first_response_recorded_at.map(from_db));
        let withdrawn = self.status() == ComplaintStatus::Withdrawn;
        overview::term_outcome(self.response_due_at.map(from_db), first_response, withdrawn, now)
    }

    pub fn categories(&self) -> Vec<Category> {
        classification::from_mask(self.category_mask)
    }

    pub fn channel(&self) -> Option<Channel> {
        self.channel.as_deref().and_then(|c| Channel::parse(c).ok())
    }

    /// Where the complaint stands in the procedure. The CHECK constraints keep the stored
    /// values within their vocabularies, and the columns of one step are written together.
    pub fn procedure(&self) -> Procedure {
        let signature = |by: Option<i64>, at: Option<NaiveDateTime>| {
            Some(Signature { signed_by: by?, signed_at: from_db(at?) })
        };
        Procedure {
            status: self.status(),
            external: self.reported_by().is_external(),
            received_at: from_db(self.received_at),
            has_coordinator: self.coordinator_id.is_some(),
            classified: self.classified_at.is_some(),
            first_response_at: self.first_response_at.map(from_db),
            follow_up_due_at: self.follow_up_due_at.map(from_db),
            last_contact_at: self.last_contact_at.map(from_db),
            escalated_at: self.escalated_at.map(from_db),
            decision: (|| {
                Some(Decision {
                    summary: self.decision_summary.clone()?,
                    resolution: Resolution::parse(self.decision_resolution.as_deref()?).ok()?,
                    judgement: self
                        .decision_judgement
                        .as_deref()
                        .and_then(|j| Judgement::parse(j).ok()),
                    decided_at: from_db(self.decided_at?),
                    decided_by: self.decided_by_id?,
                })
            })(),
            confirmation: (|| {
                Some(Confirmation {
                    sent_at: from_db(self.confirmation_sent_at?),
                    channel: ConfirmationChannel::parse(self.confirmation_channel.as_deref()?)
                        .ok()?,
                    document_id: self.confirmation_document_id,
                    recorded_by: self.confirmation_recorded_by_id?,
                })
            })(),
            dienstverlener_signature: signature(
                self.dienstverlener_signed_by_id,
                self.dienstverlener_signed_at,
            ),
            coordinator_signature: signature(
                self.coordinator_signed_by_id,
                self.coordinator_signed_at,
            ),
            closed_at: self.closed_at.map(from_db),
            satisfaction: (|| {
                Some(Satisfaction {
                    score: self.satisfaction_score?,
                    remark: self.satisfaction_remark.clone(),
                    recorded_by: self.satisfaction_recorded_by_id?,
                    recorded_at: from_db(self.satisfaction_recorded_at?),
                })
            })(),
            erased: self.erased_at.is_some(),
        }
    }

    /// Everyone the complaint's view names, by staff row id.
    pub fn people(&self) -> Vec<i64> {
        [
            Some(self.handler_id),
            Some(self.subject_id),
            Some(self.registered_by_id),
            self.coordinator_id,
            self.classified_by_id,
            self.decided_by_id,
            self.confirmation_recorded_by_id,
            self.dienstverlener_signed_by_id,
            self.coordinator_signed_by_id,
            self.satisfaction_recorded_by_id,
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The registration details as stored, for editing.
    pub fn details(&self) -> Details {
        Details {
            kind: self.kind(),
            received_at: from_db(self.received_at),
            reported_by: self.reported_by(),
            complainant: self.complainant(),
            client: self.client(),
            matter_reference: self.matter_reference.clone(),
            description: self.description.clone(),
            root_cause: self.root_cause.clone(),
            anonymize_in_meeting: self.anonymize_in_meeting,
        }
    }
}

/// The columns the registration details occupy, written alike on insert and on edit.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = complaints, treat_none_as_null = true, treat_none_as_default_value = false)]
struct DetailsColumns {
    kind: &'static str,
    received_at: NaiveDateTime,
    reported_by: &'static str,
    complainant_name: Option<String>,
    complainant_email: Option<String>,
    complainant_phone: Option<String>,
    complainant_street: Option<String>,
    complainant_postal_code: Option<String>,
    complainant_city: Option<String>,
    complainant_country: Option<String>,
    client_id: Option<String>,
    client_name: Option<String>,
    matter_reference: Option<String>,
    description: String,
    root_cause: Option<String>,
    anonymize_in_meeting: bool,
}

impl From<&CheckedDetails> for DetailsColumns {
    fn from(checked: &CheckedDetails) -> Self {
        let d = checked.get();
        let address = d.complainant.as_ref().and_then(|c| c.address.as_ref());
        DetailsColumns {
            kind: d.kind.as_str(),
            received_at: to_db(d.received_at),
            reported_by: d.reported_by.as_str(),
            complainant_name: d.complainant.as_ref().map(|c| c.name.clone()),
            complainant_email: d.complainant.as_ref().and_then(|c| c.email.clone()),
            complainant_phone: d.complainant.as_ref().and_then(|c| c.phone.clone()),
            complainant_street: address.map(|a| a.street.clone()),
            complainant_postal_code: address.map(|a| a.postal_code.clone()),
            complainant_city: address.map(|a| a.city.clone()),
            complainant_country: address.map(|a| a.country.clone()),
            client_id: d.client.as_ref().map(|c| c.id.clone()),
            client_name: d.client.as_ref().map(|c| c.name.clone()),
            matter_reference: d.matter_reference.clone(),
            description: d.description.clone(),
            root_cause: d.root_cause.clone(),
            anonymize_in_meeting: d.anonymize_in_meeting,
        }
    }
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = complaints, treat_none_as_null = true)]
struct AssignmentColumns {
    handler_id: i64,
    subject_id: i64,
    coordinator_id: Option<i64>,
    response_due_at: Option<NaiveDateTime>,
}

/// The columns the procedure's state occupies.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = complaints, treat_none_as_null = true)]
struct ProcedureColumns {
    status: &'static str,
    first_response_at: Option<NaiveDateTime>,
    follow_up_due_at: Option<NaiveDateTime>,
    last_contact_at: Option<NaiveDateTime>,
    escalated_at: Option<NaiveDateTime>,
    decision_summary: Option<String>,
    decision_resolution: Option<&'static str>,
    decision_judgement: Option<&'static str>,
    decided_at: Option<NaiveDateTime>,
    decided_by_id: Option<i64>,
    confirmation_sent_at: Option<NaiveDateTime>,
    confirmation_channel: Option<&'static str>,
    confirmation_recorded_by_id: Option<i64>,
    confirmation_document_id: Option<i64>,
    dienstverlener_signed_by_id: Option<i64>,
    dienstverlener_signed_at: Option<NaiveDateTime>,
    coordinator_signed_by_id: Option<i64>,
    coordinator_signed_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    satisfaction_score: Option<i32>,
    satisfaction_remark: Option<String>,
    satisfaction_recorded_by_id: Option<i64>,
    satisfaction_recorded_at: Option<NaiveDateTime>,
}

impl From<&Procedure> for ProcedureColumns {
    fn from(p: &Procedure) -> Self {
        let d = p.decision.as_ref();
        let c = p.confirmation.as_ref();
        ProcedureColumns {
            status: p.status.as_str(),
            first_response_at: p.first_response_at.map(to_db),
            follow_up_due_at: p.follow_up_due_at.map(to_db),
            last_contact_at: p.last_contact_at.map(to_db),
            escalated_at: p.escalated_at.map(to_db),
            decision_summary: d.map(|d| d.summary.clone()),
            decision_resolution: d.map(|d| d.resolution.as_str()),
            decision_judgement: d.and_then(|d| d.judgement).map(|j| j.as_str()),
            decided_at: d.map(|d| to_db(d.decided_at)),
            decided_by_id: d.map(|d| d.decided_by),
            confirmation_sent_at: c.map(|c| to_db(c.sent_at)),
            confirmation_channel: c.map(|c| c.channel.as_str()),
            confirmation_recorded_by_id: c.map(|c| c.recorded_by),
            confirmation_document_id: c.and_then(|c| c.document_id),
            dienstverlener_signed_by_id: p.dienstverlener_signature.map(|s| s.signed_by),
            dienstverlener_signed_at: p.dienstverlener_signature.map(|s| to_db(s.signed_at)),
            coordinator_signed_by_id: p.coordinator_signature.map(|s| s.signed_by),
            coordinator_signed_at: p.coordinator_signature.map(|s| to_db(s.signed_at)),
            closed_at: p.closed_at.map(to_db),
            satisfaction_score: p.satisfaction.as_ref().map(|s| s.score),
            satisfaction_remark: p.satisfaction.as_ref().and_then(|s| s.remark.clone()),
            satisfaction_recorded_by_id: p.satisfaction.as_ref().map(|s| s.recorded_by),
            satisfaction_recorded_at: p.satisfaction.as_ref().map(|s| to_db(s.recorded_at)),
        }
    }
}

/// Writes the procedure's new state if the row still has the version the step was based
/// on; `None` means it did not.
pub fn save_procedure(
    conn: &mut AnyConnection,
    id: i64,
    based_on_version: i32,
    procedure: &Procedure,
    first_response_recorded_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<Option<ComplaintRow>> {
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(id))
            .filter(complaints::version.eq(based_on_version)),
    )
    .set((
        ProcedureColumns::from(procedure),
        complaints::first_response_recorded_at.eq(first_response_recorded_at.map(to_db)),
        complaints::version.eq(complaints::version + 1),
        complaints::updated_at.eq(to_db(now)),
    ))
    .returning(complaints::all_columns)
    .get_result(conn)
    .optional()
}

/// Records a classification: the channel and the set of categories.
pub fn save_classification(
    conn: &mut AnyConnection,
    id: i64,
    channel: Channel,
    categories: &BTreeSet<Category>,
    classified_by: i64,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(complaints::table.find(id))
        .set((
            complaints::channel.eq(channel.as_str()),
            complaints::category_mask.eq(classification::mask(categories)),
            complaints::classified_at.eq(to_db(now)),
            complaints::classified_by_id.eq(classified_by),
        ))
        .execute(conn)
        .map(drop)
}

impl From<Assignment> for AssignmentColumns {
    fn from(a: Assignment) -> Self {
        AssignmentColumns {
            handler_id: a.handler_id,
            subject_id: a.subject_id,
            coordinator_id: a.coordinator_id,
            response_due_at: a.response_due_at.map(to_db),
        }
    }
}

/// Takes the next number of the organisation's counter for `year`. The counter row stays
/// locked until the registering transaction ends, so numbers are unique and gap-free.
pub fn next_reference_number(
    conn: &mut AnyConnection,
    organisation_id: i64,
    year: i32,
) -> QueryResult<i32> {
    FixedSql(
        diesel::insert_into(reference_counters::table)
            .values((
                reference_counters::organisation_id.eq(organisation_id),
                reference_counters::year.eq(year),
                reference_counters::last_number.eq(1),
            ))
            .on_conflict((reference_counters::organisation_id, reference_counters::year))
            .do_update()
            .set(reference_counters::last_number.eq(reference_counters::last_number + 1))
            .returning(reference_counters::last_number),
    )
    .get_result(conn)
}

pub struct NewComplaint<'a> {
    pub organisation_id: i64,
    pub reference: String,
    pub details: &'a CheckedDetails,
    pub assignment: Assignment,
    pub registered_by_id: i64,
    pub now: DateTime<Utc>,
}

pub fn insert(conn: &mut AnyConnection, new: NewComplaint<'_>) -> QueryResult<ComplaintRow> {
    let a = new.assignment;
    diesel::insert_into(complaints::table)
        .values((
            DetailsColumns::from(new.details),
            (
                complaints::organisation_id.eq(new.organisation_id),
                complaints::reference.eq(&new.reference),
                complaints::status.eq(ComplaintStatus::Registered.as_str()),
                complaints::handler_id.eq(a.handler_id),
                complaints::subject_id.eq(a.subject_id),
                complaints::coordinator_id.eq(a.coordinator_id),
                complaints::registered_by_id.eq(new.registered_by_id),
                complaints::response_due_at.eq(a.response_due_at.map(to_db)),
                complaints::created_at.eq(to_db(new.now)),
                complaints::updated_at.eq(to_db(new.now)),
            ),
        ))
        .returning(complaints::all_columns)
        .get_result(conn)
}

/// What an imported complaint has beyond its registration: the state its old register left
/// it in, and what recognises its row.
pub struct Imported<'a> {
    pub procedure: &'a Procedure,
    /// `None` leaves it unclassified.
    pub classification: Option<ImportedClassification<'a>>,
    /// The hash of a row that had no reference.
    pub key: Option<&'a str>,
}

/// The classification an imported complaint had, and who is recorded as having made it when.
pub struct ImportedClassification<'a> {
    pub channel: Option<Channel>,
    pub categories: &'a BTreeSet<Category>,
    pub by: i64,
    pub at: DateTime<Utc>,
}

/// Records a complaint of an existing register: registered as [`insert`] does, then given
/// its procedure's state, marked `imported`, in the same transaction.
pub fn insert_imported(
    conn: &mut AnyConnection,
    new: NewComplaint<'_>,
    imported: Imported<'_>,
) -> QueryResult<ComplaintRow> {
    let now = new.now;
    let row = insert(conn, new)?;
    let (channel, mask, classified_by, classified_at) = match imported.classification {
        Some(c) => (
            c.channel.map(|ch| ch.as_str()),
            classification::mask(c.categories),
            Some(c.by),
            Some(to_db(c.at)),
        ),
        None => (None, 0, None, None),
    };
    diesel::update(complaints::table.find(row.id))
        .set((
            ProcedureColumns::from(imported.procedure),
            (
                complaints::channel.eq(channel),
                complaints::category_mask.eq(mask),
                complaints::classified_by_id.eq(classified_by),
                complaints::classified_at.eq(classified_at),
                complaints::imported.eq(true),
                complaints::import_key.eq(imported.key),
                complaints::updated_at.eq(to_db(now)),
            ),
        ))
        .returning(complaints::all_columns)
        .get_result(conn)
}

/// Whether the organisation holds a complaint with this reference: `Some(imported)` if so.
pub fn with_reference(
    conn: &mut AnyConnection,
    organisation_id: i64,
    reference: &str,
) -> QueryResult<Option<bool>> {
    complaints::table
        .filter(complaints::organisation_id.eq(organisation_id))
        .filter(complaints::reference.eq(reference))
        .select(complaints::imported)
        .first(conn)
        .optional()
}

/// Whether a row with this hash was imported into the organisation before.
pub fn import_key_taken(
    conn: &mut AnyConnection,
    organisation_id: i64,
    key: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        complaints::table
            .filter(complaints::organisation_id.eq(organisation_id))
            .filter(complaints::import_key.eq(key)),
    ))
    .get_result(conn)
}

/// Moves the organisation's counter for `year` up to `number` when it is behind, so that
/// the references issued after an import of `KL-2026-0040` go on from `KL-2026-0041`.
pub fn counter_at_least(
    conn: &mut AnyConnection,
    organisation_id: i64,
    year: i32,
    number: i32,
) -> QueryResult<()> {
    per_backend!(conn, |c| {
        diesel::insert_into(reference_counters::table)
            .values((
                reference_counters::organisation_id.eq(organisation_id),
                reference_counters::year.eq(year),
                reference_counters::last_number.eq(number),
            ))
            .on_conflict((reference_counters::organisation_id, reference_counters::year))
            .do_update()
            .set(reference_counters::last_number.eq(sql::<diesel::sql_types::Integer>(
                "CASE WHEN reference_counters.last_number > excluded.last_number \
                 THEN reference_counters.last_number ELSE excluded.last_number END",
            )))
            .execute(c)
    })?;
    Ok(())
}

/// One of the organisation's complaints.
pub fn find(
    conn: &mut AnyConnection,
    organisation_id: i64,
    id: i64,
    lock: Lock,
) -> QueryResult<Option<ComplaintRow>> {
    let query = complaints::table
        .filter(complaints::organisation_id.eq(organisation_id))
        .filter(complaints::id.eq(id))
        .select(complaints::all_columns);
    first_row!(conn, query, lock)
}

/// One of the organisation's complaints with everyone its view names ([`ComplaintRow::people`]),
/// in one query: a read is one round trip. Staff is joined once, on any of the row's people,
/// so the answer is a row per person named (the complaint repeated on each). Ten joins of
/// `staff` through aliases, one row, were measured slower on PostgreSQL: it hashes each
/// alias of a small staff table, where this is one index scan of the complaint and one pass
/// over the staff it names.
pub fn find_with_people(
    conn: &mut AnyConnection,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<(ComplaintRow, HashMap<i64, Person>)>> {
    use complaints::dsl as c;
    let person = staff::id.nullable();
    let names = person
        .eq(c::handler_id.nullable())
        .or(person.eq(c::subject_id.nullable()))
        .or(person.eq(c::registered_by_id.nullable()))
        .or(person.eq(c::coordinator_id))
        .or(person.eq(c::classified_by_id))
        .or(person.eq(c::decided_by_id))
        .or(person.eq(c::confirmation_recorded_by_id))
        .or(person.eq(c::dienstverlener_signed_by_id))
        .or(person.eq(c::coordinator_signed_by_id))
        .or(person.eq(c::satisfaction_recorded_by_id));
    type Named = Option<(i64, String, Option<String>)>;
    let rows: Vec<(ComplaintRow, Named)> = c::complaints
        .left_join(staff::table.on(names))
        .filter(c::organisation_id.eq(organisation_id))
        .filter(c::id.eq(id))
        .select((complaints::all_columns, (staff::id, staff::subject, staff::name).nullable()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((row, first)) = rows.next() else { return Ok(None) };
    let people = first
        .into_iter()
        .chain(rows.filter_map(|(_, named)| named))
        .map(|(id, subject, name)| (id, Person { subject, name }))
        .collect();
    Ok(Some((row, people)))
}

/// The references of these complaints, by id.
pub fn references(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = complaints::table
        .filter(complaints::id.eq_any(ids))
        .select((complaints::id, complaints::reference))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Whom a complaint concerns: the fields a subject-access search compares.
#[derive(Debug, Clone, Queryable)]
pub struct Concerned {
    pub id: i64,
    pub complainant_name: Option<String>,
    pub complainant_email: Option<String>,
    pub client_id: Option<String>,
    pub client_name: Option<String>,
}

impl Concerned {
    pub fn held(&self) -> Held<'_> {
        Held {
            complainant_name: self.complainant_name.as_deref(),
            complainant_email: self.complainant_email.as_deref(),
            client_id: self.client_id.as_deref(),
            client_name: self.client_name.as_deref(),
        }
    }
}

/// Whom each of the organisation's complaints concerns, oldest first. The comparison is the
/// domain's (`domain::subject_access`: case and spaces ignored alike on both databases), so
/// the organisation's complaints are read whole, five short columns each: a rare request.
pub fn concerned(conn: &mut AnyConnection, organisation_id: i64) -> QueryResult<Vec<Concerned>> {
    complaints::table
        .filter(complaints::organisation_id.eq(organisation_id))
        .order(complaints::id.asc())
        .select((
            complaints::id,
            complaints::complainant_name,
            complaints::complainant_email,
            complaints::client_id,
            complaints::client_name,
        ))
        .load(conn)
}

/// Writes edited details (and the assignment they imply) if the row still has the version
/// the edit was based on; `None` means it did not.
pub fn save_details(
    conn: &mut AnyConnection,
    id: i64,
    based_on_version: i32,
    details: &CheckedDetails,
    assignment: Assignment,
    now: DateTime<Utc>,
) -> QueryResult<Option<ComplaintRow>> {
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(id))
            .filter(complaints::version.eq(based_on_version)),
    )
    .set((
        DetailsColumns::from(details),
        AssignmentColumns::from(assignment),
        complaints::version.eq(complaints::version + 1),
        complaints::updated_at.eq(to_db(now)),
    ))
    .returning(complaints::all_columns)
    .get_result(conn)
    .optional()
}

diesel::define_sql_function!(fn lower(x: Nullable<Text>) -> Nullable<Text>);

/// Makes `%`, `_` and the escape character itself match literally in a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<ComplaintStatus>,
    pub kind: Option<ComplaintKind>,
    pub handler_id: Option<i64>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    /// Words to find (case-insensitively) in the reference, description, client,
    /// complainant or matter.
    pub text: Option<String>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    /// `Some((wanted, now))`: only complaints that are (or are not) overdue at `now`.
    pub overdue: Option<(bool, DateTime<Utc>)>,
    /// Keyset pagination: only complaints with a smaller id than this.
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Complaints in the caller's scope, newest registration first.
pub fn list(
    conn: &mut AnyConnection,
    organisation_id: i64,
    scope: Scope,
    filter: &ListFilter,
) -> QueryResult<Vec<ComplaintRow>> {
    use complaints::dsl as c;
    let mut query = c::complaints
        .filter(c::organisation_id.eq(organisation_id))
        .select(complaints::all_columns)
        .order(c::id.desc())
        .limit(filter.limit)
        .into_boxed();
    if let Scope::PartyTo(me) = scope {
        query = query
            .filter(c::handler_id.eq(me).or(c::subject_id.eq(me)).or(c::registered_by_id.eq(me)));
    }
    if let Some(status) = filter.status {
        query = query.filter(c::status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(c::kind.eq(kind.as_str()));
    }
    if let Some(handler) = filter.handler_id {
        query = query.filter(c::handler_id.eq(handler));
    }
    if let Some(category) = filter.category {
        // The bit comes from the vocabulary, never from the request.
        query = query.filter(sql::<Bool>(&format!("(category_mask & {}) <> 0", category.bit())));
    }
    if let Some(channel) = filter.channel {
        query = query.filter(c::channel.eq(channel.as_str()));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        macro_rules! found {
            ($column:expr) => {
                lower($column).like(pattern.clone()).escape('\\')
            };
        }
        query = query.filter(
            found!(c::reference.nullable())
                .or(found!(c::description.nullable()))
                .or(found!(c::client_name))
                .or(found!(c::client_id))
                .or(found!(c::complainant_name))
                .or(found!(c::matter_reference)),
        );
    }
    if let Some(from) = filter.received_from {
        query = query.filter(c::received_at.ge(from.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(to) = filter.received_to.and_then(|d| d.succ_opt()) {
        query = query.filter(c::received_at.lt(to.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some((wanted, now)) = filter.overdue {
        // The SQL form of `domain::deadlines::is_overdue`; the HTTP tests hold both to the
        // same cases.
        let now = to_db(now);
        let open: Vec<&str> = <ComplaintStatus as strum::VariantArray>::VARIANTS
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        let unanswered = c::first_response_at
            .is_null()
            .and(c::response_due_at.is_not_null())
            .and(c::response_due_at.lt(now));
        let follow_up_missed = c::follow_up_due_at.is_not_null().and(c::follow_up_due_at.lt(now));
        let overdue = c::status.eq_any(open).and(unanswered.or(follow_up_missed));
        query =
            if wanted { query.filter(overdue) } else { query.filter(diesel::dsl::not(overdue)) };
    }
    if let Some(before) = filter.before_id {
        query = query.filter(c::id.lt(before));
    }
    query.load(conn)
}
