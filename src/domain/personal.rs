//! What is personal data (DESIGN.md §9), listed once: every text and binary column of the
//! database, with what it holds. Erasure, subject access and the retention sweep work from
//! this list; `tests/api/privacy.rs` reads the database's own catalogue and fails when a
//! column is missing here (or listed here but gone), so a new free-text field cannot slip
//! past them unclassified.

use Holds::{Firm, Personal, Procedural};

/// What a column holds, for the AVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// About the complainant, the client or anyone named in a complaint: free text, contact
    /// details, identifiers of the client and their matter, documents. Erased with the
    /// complaint; handed over on a subject-access request.
    Personal,
    /// The procedure's own record: codes, statuses, channels, dates, hashes, references the
    /// register issued. Kept after an erasure, so counts and past overviews stay as they were.
    Procedural,
    /// The firm itself — its settings, its staff (who are not the data subject of a
    /// complaint) and its integrations.
    Firm,
}

/// `(table, column, what it holds)` for every text and binary column.
pub const COLUMNS: &[(&str, &str, Holds)] = &[
    ("complaints", "reference", Procedural),
    ("complaints", "kind", Procedural),
    ("complaints", "status", Procedural),
    ("complaints", "reported_by", Procedural),
    ("complaints", "complainant_name", Personal),
    ("complaints", "complainant_email", Personal),
    ("complaints", "complainant_phone", Personal),
    ("complaints", "complainant_street", Personal),
    ("complaints", "complainant_postal_code", Personal),
    ("complaints", "complainant_city", Personal),
    // With the rest of the address it locates the complainant.
    ("complaints", "complainant_country", Personal),
    ("complaints", "client_id", Personal),
    ("complaints", "client_name", Personal),
    // The client's file in the practice-management software: it points at the client.
    ("complaints", "matter_reference", Personal),
    ("complaints", "description", Personal),
    ("complaints", "root_cause", Personal),
    ("complaints", "channel", Procedural),
    ("complaints", "decision_summary", Personal),
    ("complaints", "decision_resolution", Procedural),
    // A code, counted in the overview; kept after an erasure as the resolution is.
    ("complaints", "decision_judgement", Procedural),
    // The client's own words about the outcome.
    ("complaints", "satisfaction_remark", Personal),
    ("complaints", "confirmation_channel", Procedural),
    // The hash of an imported row's cells, which recognises it when the file comes again: a
    // fingerprint, like a document's, that proves what was imported, not what it said.
    ("complaints", "import_key", Procedural),
    ("contacts", "channel", Procedural),
    ("contacts", "summary", Personal),
    ("documents", "filename", Personal),
    ("documents", "content_type", Procedural),
    // A fingerprint of content that is erased; it proves what was held, not what it said.
    ("documents", "sha256", Procedural),
    ("documents", "content", Personal),
    ("actions", "kind", Procedural),
    // A corrective action's text may name the client ("Excuses aan J. de Vries").
    ("actions", "title", Personal),
    ("actions", "description", Personal),
    ("actions", "status", Procedural),
    ("action_notes", "kind", Procedural),
    ("action_notes", "note", Personal),
    // An event's data holds ids, codes, dates and, for each text, only a salted commitment
    // (`domain::commitment`); the texts are in `event_texts`.
    ("events", "event_type", Procedural),
    ("events", "data", Procedural),
    ("events", "prev_hash", Procedural),
    ("events", "hash", Procedural),
    ("event_texts", "field", Procedural),
    // With the salt, a guess at an erased text could be tested against its commitment: it is
    // erased with the text.
    ("event_texts", "salt", Personal),
    ("event_texts", "text", Personal),
    ("pending_rewrites", "name", Procedural),
    ("deadline_notices", "deadline", Procedural),
    ("deadline_notices", "notice", Procedural),
    // Counts per day of receipt and attribute value; a handler is there as a row id.
    ("overview_tallies", "attribute", Procedural),
    ("overview_tallies", "value", Procedural),
    // A stored answer repeats the complaint it answered with.
    ("idempotency_keys", "idempotency_key", Procedural),
    ("idempotency_keys", "request_fingerprint", Procedural),
    ("idempotency_keys", "response_body", Personal),
    // The office meeting looks at the period anonymised; an assessment's note is about an
    // action and may name whom it concerned.
    ("evaluations", "summary", Firm),
    ("evaluations", "decisions", Firm),
    ("evaluations", "snapshot", Procedural),
    ("evaluation_assessments", "effect", Procedural),
    ("evaluation_assessments", "note", Personal),
    ("deliveries", "reason", Procedural),
    ("deliveries", "status", Procedural),
    ("deliveries", "last_error", Procedural),
    ("organisations", "slug", Firm),
    ("organisations", "name", Firm),
    ("organisations", "regulation_text", Firm),
    // Why the organisation keeps complaints beyond any term: about the firm, not a person.
    ("organisations", "retention_reason", Firm),
    // The external body the firm names to its clients (Kifid): an institution, not a person.
    ("organisations", "dispute_body_name", Firm),
    ("organisations", "dispute_body_address", Firm),
    ("organisations", "dispute_body_url", Firm),
    ("staff", "subject", Firm),
    ("staff", "name", Firm),
    ("staff", "roles", Firm),
    ("staff", "email", Firm),
    ("event_chain_heads", "last_hash", Procedural),
    ("webhook_subscriptions", "url", Firm),
    ("webhook_subscriptions", "event_types", Firm),
    ("webhook_subscriptions", "secret", Firm),
    // The firm's wording; a letter made from it is a document of the complaint.
    ("letter_templates", "kind", Procedural),
    ("letter_templates", "body", Firm),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn each_column_is_listed_once() {
        let mut seen = HashSet::new();
        for (table, column, _) in COLUMNS {
            assert!(seen.insert((table, column)), "{table}.{column} is listed twice");
        }
    }

    fn personal_columns(table: &str) -> impl Iterator<Item = &'static str> + '_ {
        COLUMNS
            .iter()
            .filter(move |(t, _, holds)| *t == table && *holds == Personal)
            .map(|(_, column, _)| *column)
    }

    #[test]
    fn the_complainant_and_the_free_text_are_personal() {
        let complaint: Vec<_> = personal_columns("complaints").collect();
        for column in ["complainant_name", "complainant_email", "client_name", "description"] {
            assert!(complaint.contains(&column), "{column}");
        }
        assert!(!complaint.contains(&"reference"));
        assert_eq!(personal_columns("contacts").collect::<Vec<_>>(), ["summary"]);
    }
}
