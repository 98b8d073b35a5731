-- A tamper-evident timeline: every event carries the hash of the one before it in its
-- organisation. Events recorded before this migration have no hash; the chain starts after
-- them. The head row per organisation is locked while an event is appended, so events of one
-- organisation are chained in the order of their ids.

ALTER TABLE events ADD COLUMN prev_hash TEXT NULL, ADD COLUMN hash TEXT NULL;

CREATE TABLE event_chain_heads (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations (id),
    last_event_id BIGINT NULL REFERENCES events (id),
    last_hash TEXT NOT NULL
);

CREATE INDEX events_org_id ON events (organisation_id, id);
