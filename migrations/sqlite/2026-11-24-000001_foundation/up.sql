-- Foundation: organisations, the staff seen in their tokens, complaints with their
-- per-year reference counter, the append-only event log and stored idempotent answers.
-- Timestamps are TEXT in diesel's format (UTC), which sorts chronologically.

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    response_term_days INTEGER NOT NULL DEFAULT 7 CHECK (response_term_days BETWEEN 1 AND 90),
    coordinator_id INTEGER NULL REFERENCES staff (id),
    deputy_coordinator_id INTEGER NULL REFERENCES staff (id),
    regulation_text TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    subject TEXT NOT NULL,
    name TEXT NULL,
    roles TEXT NOT NULL DEFAULT '',
    last_seen_at TEXT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, subject)
);

CREATE TABLE reference_counters (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, year)
);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    reference TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'error', 'improvement')),
    status TEXT NOT NULL CHECK (status IN ('registered', 'in_progress', 'escalated', 'decided', 'closed', 'withdrawn')),
    received_at TEXT NOT NULL,
    reported_by TEXT NOT NULL CHECK (reported_by IN ('client', 'representative', 'contact', 'employee')),
    complainant_name TEXT NULL,
    complainant_email TEXT NULL,
    complainant_phone TEXT NULL,
    client_id TEXT NULL,
    client_name TEXT NULL,
    matter_reference TEXT NULL,
    description TEXT NOT NULL,
    handler_id INTEGER NOT NULL REFERENCES staff (id),
    subject_id INTEGER NOT NULL REFERENCES staff (id),
    coordinator_id INTEGER NULL REFERENCES staff (id),
    registered_by_id INTEGER NOT NULL REFERENCES staff (id),
    response_due_at TEXT NULL,
    first_response_at TEXT NULL,
    follow_up_due_at TEXT NULL,
    root_cause TEXT NULL,
    anonymize_in_meeting INTEGER NOT NULL DEFAULT 0,
    closed_at TEXT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, reference)
);

CREATE INDEX complaints_org_id ON complaints (organisation_id, id DESC);
CREATE INDEX complaints_org_status ON complaints (organisation_id, status, id DESC);
CREATE INDEX complaints_org_handler ON complaints (organisation_id, handler_id, id DESC);
CREATE INDEX complaints_org_subject ON complaints (organisation_id, subject_id, id DESC);
CREATE INDEX complaints_org_registrant ON complaints (organisation_id, registered_by_id, id DESC);
CREATE INDEX complaints_org_received ON complaints (organisation_id, received_at);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    complaint_id INTEGER NULL REFERENCES complaints (id),
    event_type TEXT NOT NULL,
    actor_id INTEGER NULL REFERENCES staff (id),
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
);

CREATE INDEX events_complaint ON events (complaint_id, id);

-- The event log is the register's memory: the database itself refuses to rewrite it.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

CREATE TABLE idempotency_keys (
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    idempotency_key TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (staff_id, idempotency_key)
);
