DROP INDEX complaints_closure_span;
DROP INDEX complaints_first_response_span;
DELETE FROM overview_tallies WHERE attribute IN ('first_response_days', 'closure_days');
DROP TRIGGER complaints_overview_update ON complaints;
CREATE TRIGGER complaints_overview_update AFTER UPDATE ON complaints
    FOR EACH ROW
    WHEN ((OLD.organisation_id, OLD.received_at, OLD.kind, OLD.status, OLD.reported_by,
          OLD.channel, OLD.response_due_at, OLD.first_response_at,
          OLD.first_response_recorded_at, OLD.decision_resolution, OLD.decision_judgement,
          OLD.satisfaction_score, OLD.anonymize_in_meeting, OLD.handler_id, OLD.category_mask)
         IS DISTINCT FROM
         (NEW.organisation_id, NEW.received_at, NEW.kind, NEW.status, NEW.reported_by,
          NEW.channel, NEW.response_due_at, NEW.first_response_at,
          NEW.first_response_recorded_at, NEW.decision_resolution, NEW.decision_judgement,
          NEW.satisfaction_score, NEW.anonymize_in_meeting, NEW.handler_id, NEW.category_mask))
    EXECUTE FUNCTION overview_tally();

CREATE OR REPLACE FUNCTION overview_tallies_of(c complaints) RETURNS TABLE (attribute TEXT, value TEXT)
LANGUAGE sql IMMUTABLE AS $$
    SELECT t.attribute, t.value FROM (VALUES
        ('kind', c.kind),
        ('status', c.status),
        ('reported_by', c.reported_by),
        ('channel', COALESCE(c.channel, 'unclassified')),
        ('term', CASE
            WHEN c.response_due_at IS NULL THEN 'not_applicable'
            WHEN c.first_response_at IS NULL AND c.status = 'withdrawn' THEN 'not_applicable'
            WHEN c.first_response_at IS NOT NULL AND c.first_response_at <= c.response_due_at
                 AND COALESCE(c.first_response_recorded_at, c.first_response_at) <= c.response_due_at
                THEN 'answered_within_term'
            WHEN c.first_response_at IS NOT NULL THEN 'answered_late'
        END),
        ('outcome', COALESCE(c.decision_resolution, 'undecided')),
        ('judgement', COALESCE(c.decision_judgement, 'not_judged')),
        ('satisfaction', CAST(c.satisfaction_score AS TEXT)),
        ('handler', CASE WHEN NOT c.anonymize_in_meeting THEN CAST(c.handler_id AS TEXT) END),
        ('anonymised', CASE WHEN c.anonymize_in_meeting THEN '' END),
        ('categories', CAST(c.category_mask AS TEXT))
    ) AS t (attribute, value)
    WHERE t.value IS NOT NULL
$$;
