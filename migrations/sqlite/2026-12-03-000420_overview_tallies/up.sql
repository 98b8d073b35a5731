-- The overview's counts kept per organisation, day of receipt and value of each attribute it
-- counts by, in the same transaction as every change to a complaint (triggers, so that no
-- writer — registration, procedure step, import, erasure, retention sweep — can forget it).
-- The overview of a period then sums a few rows per day instead of grouping every complaint
-- of the period: at a million complaints the grouping took seconds.
--
-- Per day, not per month: periods are whole days, so a period is exactly a range of days and
-- needs no partial months counted from the complaints.
--
-- The response term of a complaint still open (due, unanswered, not withdrawn) depends on the
-- time of the request; those complaints are left out here and counted when asked, through
-- `complaints_open_in_term`.

CREATE TABLE overview_tallies (
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    received_on TEXT NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, attribute, received_on, value)
) WITHOUT ROWID;

-- The attribute values each complaint counts under (none where `value` is NULL): the same as
-- PostgreSQL's `overview_tallies_of` and `domain::overview::tallies`.
CREATE VIEW overview_tally_values AS
SELECT c.id, c.organisation_id, date(c.received_at) AS received_on, a.attribute,
    CASE a.attribute
        WHEN 'kind' THEN c.kind
        WHEN 'status' THEN c.status
        WHEN 'reported_by' THEN c.reported_by
        WHEN 'channel' THEN COALESCE(c.channel, 'unclassified')
        WHEN 'term' THEN CASE
            WHEN c.response_due_at IS NULL THEN 'not_applicable'
            WHEN c.first_response_at IS NULL AND c.status = 'withdrawn' THEN 'not_applicable'
            WHEN c.first_response_at IS NOT NULL AND c.first_response_at <= c.response_due_at
                 AND COALESCE(c.first_response_recorded_at, c.first_response_at) <= c.response_due_at
                THEN 'answered_within_term'
            WHEN c.first_response_at IS NOT NULL THEN 'answered_late'
        END
        WHEN 'outcome' THEN COALESCE(c.decision_resolution, 'undecided')
        WHEN 'judgement' THEN COALESCE(c.decision_judgement, 'not_judged')
        WHEN 'satisfaction' THEN CAST(c.satisfaction_score AS TEXT)
        WHEN 'handler' THEN CASE WHEN NOT c.anonymize_in_meeting THEN CAST(c.handler_id AS TEXT) END
        WHEN 'anonymised' THEN CASE WHEN c.anonymize_in_meeting THEN '' END
        WHEN 'categories' THEN CAST(c.category_mask AS TEXT)
    END AS value
FROM complaints AS c
CROSS JOIN (SELECT column1 AS attribute FROM (VALUES ('kind'), ('status'), ('reported_by'), ('channel'), ('term'), ('outcome'), ('judgement'), ('satisfaction'), ('handler'), ('anonymised'), ('categories'))) AS a;

-- The old values are taken away before the change, while the row still has them; the new
-- ones added after it. A statement that fails undoes both.
CREATE TRIGGER complaints_overview_insert AFTER INSERT ON complaints
BEGIN
    INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
    SELECT organisation_id, received_on, attribute, value, 1 FROM overview_tally_values
    WHERE id = NEW.id AND value IS NOT NULL
    ON CONFLICT (organisation_id, attribute, received_on, value) DO UPDATE SET count = count + excluded.count;
END;

CREATE TRIGGER complaints_overview_delete BEFORE DELETE ON complaints
BEGIN
    INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
    SELECT organisation_id, received_on, attribute, value, -1 FROM overview_tally_values
    WHERE id = OLD.id AND value IS NOT NULL
    ON CONFLICT (organisation_id, attribute, received_on, value) DO UPDATE SET count = count + excluded.count;
END;

CREATE TRIGGER complaints_overview_update_old BEFORE UPDATE ON complaints
WHEN OLD.organisation_id IS NOT NEW.organisation_id
   OR OLD.received_at IS NOT NEW.received_at
   OR OLD.kind IS NOT NEW.kind
   OR OLD.status IS NOT NEW.status
   OR OLD.reported_by IS NOT NEW.reported_by
   OR OLD.channel IS NOT NEW.channel
   OR OLD.response_due_at IS NOT NEW.response_due_at
   OR OLD.first_response_at IS NOT NEW.first_response_at
   OR OLD.first_response_recorded_at IS NOT NEW.first_response_recorded_at
   OR OLD.decision_resolution IS NOT NEW.decision_resolution
   OR OLD.decision_judgement IS NOT NEW.decision_judgement
   OR OLD.satisfaction_score IS NOT NEW.satisfaction_score
   OR OLD.anonymize_in_meeting IS NOT NEW.anonymize_in_meeting
   OR OLD.handler_id IS NOT NEW.handler_id
   OR OLD.category_mask IS NOT NEW.category_mask
BEGIN
    INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
    SELECT organisation_id, received_on, attribute, value, -1 FROM overview_tally_values
    WHERE id = OLD.id AND value IS NOT NULL
    ON CONFLICT (organisation_id, attribute, received_on, value) DO UPDATE SET count = count + excluded.count;
END;

CREATE TRIGGER complaints_overview_update_new AFTER UPDATE ON complaints
WHEN OLD.organisation_id IS NOT NEW.organisation_id
   OR OLD.received_at IS NOT NEW.received_at
   OR OLD.kind IS NOT NEW.kind
   OR OLD.status IS NOT NEW.status
   OR OLD.reported_by IS NOT NEW.reported_by
   OR OLD.channel IS NOT NEW.channel
   OR OLD.response_due_at IS NOT NEW.response_due_at
   OR OLD.first_response_at IS NOT NEW.first_response_at
   OR OLD.first_response_recorded_at IS NOT NEW.first_response_recorded_at
   OR OLD.decision_resolution IS NOT NEW.decision_resolution
   OR OLD.decision_judgement IS NOT NEW.decision_judgement
   OR OLD.satisfaction_score IS NOT NEW.satisfaction_score
   OR OLD.anonymize_in_meeting IS NOT NEW.anonymize_in_meeting
   OR OLD.handler_id IS NOT NEW.handler_id
   OR OLD.category_mask IS NOT NEW.category_mask
BEGIN
    INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
    SELECT organisation_id, received_on, attribute, value, 1 FROM overview_tally_values
    WHERE id = NEW.id AND value IS NOT NULL
    ON CONFLICT (organisation_id, attribute, received_on, value) DO UPDATE SET count = count + excluded.count;
END;

INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
SELECT organisation_id, received_on, attribute, value, COUNT(*) FROM overview_tally_values
WHERE value IS NOT NULL
GROUP BY organisation_id, received_on, attribute, value;

-- The complaints whose response term is still running or overdue, by receipt.
CREATE INDEX complaints_open_in_term ON complaints (organisation_id, received_at, response_due_at)
    WHERE response_due_at IS NOT NULL AND first_response_at IS NULL AND status <> 'withdrawn';
