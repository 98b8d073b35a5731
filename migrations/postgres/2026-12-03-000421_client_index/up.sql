-- The overview's `by_client`: the period's complaints per client counted from this index
-- alone, and each client's latest complaint of the period (which names them) one step back
-- in it, instead of a walk back through all of the organisation's complaints until one of
-- theirs turns up.
CREATE INDEX complaints_org_client_received
    ON complaints (organisation_id, anonymize_in_meeting, client_id, received_at, id)
    WHERE client_id IS NOT NULL;
