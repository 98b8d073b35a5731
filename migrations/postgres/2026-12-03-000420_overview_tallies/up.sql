-- The overview's counts kept per organisation, day of receipt and value of each attribute it
-- counts by, in the same transaction as every change to a complaint (a trigger, so that no
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
    received_on DATE NOT NULL,
    attribute TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, attribute, received_on, value)
);

-- The attribute values one complaint counts under; the SQL form of `domain::overview::tallies`.
CREATE FUNCTION overview_tallies_of(c complaints) RETURNS TABLE (attribute TEXT, value TEXT)
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

-- One statement for the difference between the old and the new row, in key order: two
-- transactions changing complaints of the same day lock the rows they share in the same
-- order, and an unchanged attribute locks nothing.
CREATE FUNCTION overview_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO overview_tallies AS t (organisation_id, received_on, attribute, value, count)
    SELECT d.organisation_id, d.received_on, d.attribute, d.value, SUM(d.delta)
    FROM (
        SELECT OLD.organisation_id, CAST(OLD.received_at AS DATE), o.attribute, o.value, -1
        FROM overview_tallies_of(OLD) o WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.organisation_id, CAST(NEW.received_at AS DATE), n.attribute, n.value, 1
        FROM overview_tallies_of(NEW) n WHERE TG_OP <> 'DELETE'
    ) AS d (organisation_id, received_on, attribute, value, delta)
    GROUP BY 1, 2, 3, 4
    HAVING SUM(d.delta) <> 0
    ORDER BY 1, 3, 2, 4
    ON CONFLICT (organisation_id, attribute, received_on, value)
        DO UPDATE SET count = t.count + EXCLUDED.count;
    RETURN NULL;
END
$$;

CREATE TRIGGER complaints_overview_insert AFTER INSERT ON complaints
    FOR EACH ROW EXECUTE FUNCTION overview_tally();
CREATE TRIGGER complaints_overview_delete AFTER DELETE ON complaints
    FOR EACH ROW EXECUTE FUNCTION overview_tally();
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

INSERT INTO overview_tallies (organisation_id, received_on, attribute, value, count)
SELECT c.organisation_id, CAST(c.received_at AS DATE), o.attribute, o.value, COUNT(*)
FROM complaints c CROSS JOIN LATERAL overview_tallies_of(c) o
GROUP BY 1, 2, 3, 4;

-- The complaints whose response term is still running or overdue, by receipt.
CREATE INDEX complaints_open_in_term ON complaints (organisation_id, received_at, response_due_at)
    WHERE response_due_at IS NOT NULL AND first_response_at IS NULL AND status <> 'withdrawn';
