ALTER TABLE organisations DROP COLUMN retention_reason;
ALTER TABLE organisations DROP COLUMN retention_months;
DROP INDEX idempotency_keys_complaint;
ALTER TABLE idempotency_keys DROP COLUMN complaint_id;
ALTER TABLE complaints DROP COLUMN erased_at;
