-- The complaint procedure: classification, contacts with the client, escalation, the
-- decision, its written confirmation and the two signatures on the form.

ALTER TABLE complaints ADD COLUMN channel TEXT NULL CHECK (channel IN ('oral', 'written'));
ALTER TABLE complaints ADD COLUMN classified_at TEXT NULL;
ALTER TABLE complaints ADD COLUMN classified_by_id INTEGER NULL REFERENCES staff (id);
ALTER TABLE complaints ADD COLUMN last_contact_at TEXT NULL;
ALTER TABLE complaints ADD COLUMN escalated_at TEXT NULL;
ALTER TABLE complaints ADD COLUMN decision_summary TEXT NULL;
ALTER TABLE complaints ADD COLUMN decision_resolution TEXT NULL
    CHECK (decision_resolution IN ('resolved', 'unresolved'));
ALTER TABLE complaints ADD COLUMN decided_at TEXT NULL
    -- A closed complaint has its decision (the rest of §4 is checked by the service).
    CHECK (status <> 'closed' OR (decided_at IS NOT NULL AND classified_at IS NOT NULL));
ALTER TABLE complaints ADD COLUMN decided_by_id INTEGER NULL REFERENCES staff (id);
ALTER TABLE complaints ADD COLUMN confirmation_sent_at TEXT NULL;
ALTER TABLE complaints ADD COLUMN confirmation_channel TEXT NULL
    CHECK (confirmation_channel IN ('letter', 'email', 'portal'));
ALTER TABLE complaints ADD COLUMN confirmation_recorded_by_id INTEGER NULL REFERENCES staff (id);
ALTER TABLE complaints ADD COLUMN dienstverlener_signed_by_id INTEGER NULL REFERENCES staff (id);
ALTER TABLE complaints ADD COLUMN dienstverlener_signed_at TEXT NULL;
-- The form is signed by two different people (DESIGN.md §1 rule 6).
ALTER TABLE complaints ADD COLUMN coordinator_signed_by_id INTEGER NULL REFERENCES staff (id)
    CHECK (dienstverlener_signed_by_id IS NULL OR coordinator_signed_by_id IS NULL
           OR dienstverlener_signed_by_id <> coordinator_signed_by_id);
ALTER TABLE complaints ADD COLUMN coordinator_signed_at TEXT NULL;

CREATE TABLE complaint_categories (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    category TEXT NOT NULL CHECK (category IN ('conduct', 'legal', 'financial', 'practice')),
    PRIMARY KEY (complaint_id, category)
);

CREATE INDEX complaint_categories_category ON complaint_categories (category, complaint_id);
CREATE INDEX complaints_org_channel ON complaints (organisation_id, channel, id DESC);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    at TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'letter', 'meeting', 'video')),
    summary TEXT NOT NULL,
    still_handling INTEGER NOT NULL,
    follow_up_due_at TEXT NULL,
    recorded_by_id INTEGER NOT NULL REFERENCES staff (id),
    created_at TEXT NOT NULL,
    CHECK (NOT still_handling OR follow_up_due_at IS NOT NULL)
);

CREATE INDEX contacts_complaint ON contacts (complaint_id, id);
