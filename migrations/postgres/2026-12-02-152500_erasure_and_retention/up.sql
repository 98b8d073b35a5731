-- Erasure (issue 12 item 3): when a complaint's personal data was erased. An erased
-- complaint keeps its kind, dates, statuses and classification, so counts stay.
ALTER TABLE complaints ADD COLUMN erased_at TIMESTAMP NULL;

-- Which complaint a stored idempotency answer is about, so that erasure deletes the answers
-- that repeat its personal data. NULL for answers about no complaint, and for answers
-- stored before this column existed (they expire after KLACHTEN_IDEMPOTENCY_TTL_HOURS).
ALTER TABLE idempotency_keys ADD COLUMN complaint_id BIGINT NULL;
CREATE INDEX idempotency_keys_complaint ON idempotency_keys (complaint_id);

-- Retention (issue 12 item 4): closed and withdrawn complaints are erased this many months
-- after they ended. NULL keeps them, which needs a recorded reason.
ALTER TABLE organisations ADD COLUMN retention_months INTEGER NULL DEFAULT 24
    CHECK (retention_months IS NULL OR retention_months >= 12);
ALTER TABLE organisations ADD COLUMN retention_reason TEXT NULL;
