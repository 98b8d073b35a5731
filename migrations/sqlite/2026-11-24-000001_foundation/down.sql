DROP TABLE idempotency_keys;
DROP TRIGGER events_no_delete;
DROP TRIGGER events_no_update;
DROP TABLE events;
DROP TABLE complaints;
DROP TABLE reference_counters;
DROP TABLE staff;
DROP TABLE organisations;
