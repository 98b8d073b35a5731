-- The medians of the overview (seconds from receipt to the first response, and to the closure
-- of a closed complaint) without reading every span of the period: the tallies also count,
-- per day of receipt, the spans per whole day they last (truncated: `first_response_days`,
-- `closure_days`). Summed over the period they say which day-bucket holds the middle
-- position(s); only the spans of that bucket are then read, in order, through the indexes
-- below. The bucket is computed from the same double the overview reads, so that both agree
-- on which bucket a span is in. `store::overview::medians` writes the same expressions.

DROP VIEW overview_tally_values;
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
        WHEN 'first_response_days' THEN CAST(CAST(
            ((julianday(c.first_response_at) - julianday(c.received_at)) * 86400.0) / 86400 AS INTEGER) AS TEXT)
        WHEN 'closure_days' THEN CASE WHEN c.status = 'closed' THEN CAST(CAST(
            ((julianday(c.closed_at) - julianday(c.received_at)) * 86400.0) / 86400 AS INTEGER) AS TEXT) END
    END AS value
FROM complaints AS c
CROSS JOIN (SELECT column1 AS attribute FROM (VALUES ('kind'), ('status'), ('reported_by'), ('channel'), ('term'), ('outcome'), ('judgement'), ('satisfaction'), ('handler'), ('anonymised'), ('categories'), ('first_response_days'), ('closure_days'))) AS a;

-- A change of `closed_at` alone changes a closure span now.
DROP TRIGGER complaints_overview_update_new;
DROP TRIGGER complaints_overview_update_old;
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
   OR OLD.closed_at IS NOT NEW.closed_at
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
   OR OLD.closed_at IS NOT NEW.closed_at
BEGIN
    INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
    SELECT organisation_id, received_on, attribute, value, 1 FROM overview_tally_values
    WHERE id = NEW.id AND value IS NOT NULL
    ON CONFLICT (organisation_id, attribute, received_on, value) DO UPDATE SET count = count + excluded.count;
END;

INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
SELECT organisation_id, received_on, attribute, value, COUNT(*) FROM overview_tally_values
WHERE value IS NOT NULL AND attribute IN ('first_response_days', 'closure_days')
GROUP BY organisation_id, received_on, attribute, value;

-- The spans of one organisation in order: the middle bucket's are read from here.
CREATE INDEX complaints_first_response_span ON complaints
    (organisation_id, ((julianday(first_response_at) - julianday(received_at)) * 86400.0), received_at)
    WHERE first_response_at IS NOT NULL;
CREATE INDEX complaints_closure_span ON complaints
    (organisation_id, ((julianday(closed_at) - julianday(received_at)) * 86400.0), received_at)
    WHERE status = 'closed';
