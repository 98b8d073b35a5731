DROP INDEX events_org_id;
DROP TABLE event_chain_heads;
ALTER TABLE events DROP COLUMN hash, DROP COLUMN prev_hash;
