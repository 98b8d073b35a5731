-- The organisation's own wording of its letters to the client, per kind. Without a row the
-- Dutch default of `domain::letters` applies.
CREATE TABLE letter_templates (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('acknowledgement', 'confirmation')),
    body TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_by_id BIGINT NOT NULL REFERENCES staff (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (organisation_id, kind)
);
