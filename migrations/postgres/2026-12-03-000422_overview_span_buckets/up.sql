-- The medians of the overview (seconds from receipt to the first response, and to the closure
-- of a closed complaint) without sorting every span of the period: the tallies also count,
-- per day of receipt, the spans per whole day they last (truncated: `first_response_days`,
-- `closure_days`). Summed over the period they say which day-bucket holds the middle
-- position(s); only the spans of that bucket are then read, in order, through the indexes
-- below. The bucket is computed from the same double the overview reads, so that both agree
-- on which bucket a span is in. `store::overview::medians` writes the same expressions.

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
        ('categories', CAST(c.category_mask AS TEXT)),
        ('first_response_days', CAST(CAST(trunc(
            CAST(EXTRACT(EPOCH FROM (c.first_response_at - c.received_at)) AS DOUBLE PRECISION) / 86400
        ) AS BIGINT) AS TEXT)),
        ('closure_days', CASE WHEN c.status = 'closed' THEN CAST(CAST(trunc(
            CAST(EXTRACT(EPOCH FROM (c.closed_at - c.received_at)) AS DOUBLE PRECISION) / 86400
        ) AS BIGINT) AS TEXT) END)
    ) AS t (attribute, value)
    WHERE t.value IS NOT NULL
$$;

-- A change of `closed_at` alone changes a closure span now.
DROP TRIGGER complaints_overview_update ON complaints;
CREATE TRIGGER complaints_overview_update AFTER UPDATE ON complaints
    FOR EACH ROW
    WHEN ((OLD.organisation_id, OLD.received_at, OLD.kind, OLD.status, OLD.reported_by,
          OLD.channel, OLD.response_due_at, OLD.first_response_at,
          OLD.first_response_recorded_at, OLD.decision_resolution, OLD.decision_judgement,
          OLD.satisfaction_score, OLD.anonymize_in_meeting, OLD.handler_id, OLD.category_mask, OLD.closed_at)
         IS DISTINCT FROM
         (NEW.organisation_id, NEW.received_at, NEW.kind, NEW.status, NEW.reported_by,
          NEW.channel, NEW.response_due_at, NEW.first_response_at,
          NEW.first_response_recorded_at, NEW.decision_resolution, NEW.decision_judgement,
          NEW.satisfaction_score, NEW.anonymize_in_meeting, NEW.handler_id, NEW.category_mask, NEW.closed_at))
    EXECUTE FUNCTION overview_tally();

INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
SELECT c.organisation_id, CAST(c.received_at AS DATE), o.attribute, o.value, COUNT(*)
FROM complaints c CROSS JOIN LATERAL overview_tallies_of(c) o
WHERE o.attribute IN ('first_response_days', 'closure_days')
GROUP BY 1, 2, 3, 4;

-- The spans of one organisation in order: the middle bucket's are read from here. Receipt
-- is in the key so that the period is checked without visiting other periods' rows.
CREATE INDEX complaints_first_response_span ON complaints
    (organisation_id, (CAST(EXTRACT(EPOCH FROM (first_response_at - received_at)) AS DOUBLE PRECISION)), received_at)
    WHERE first_response_at IS NOT NULL;
CREATE INDEX complaints_closure_span ON complaints
    (organisation_id, (CAST(EXTRACT(EPOCH FROM (closed_at - received_at)) AS DOUBLE PRECISION)), received_at)
    WHERE status = 'closed';
