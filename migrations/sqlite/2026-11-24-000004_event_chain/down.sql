DROP INDEX events_org_id;
DROP TABLE event_chain_heads;
ALTER TABLE events DROP COLUMN hash;
ALTER TABLE events DROP COLUMN prev_hash;
