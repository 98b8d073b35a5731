DROP INDEX complaints_closure_span;
DROP INDEX complaints_first_response_span;
DELETE FROM overview_tallies WHERE attribute IN ('first_response_days', 'closure_days');
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
    END AS value
FROM complaints AS c
CROSS JOIN (SELECT column1 AS attribute FROM (VALUES ('kind'), ('status'), ('reported_by'), ('channel'), ('term'), ('outcome'), ('judgement'), ('satisfaction'), ('handler'), ('anonymised'), ('categories'))) AS a;

