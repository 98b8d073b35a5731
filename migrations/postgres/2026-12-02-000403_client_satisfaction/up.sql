-- The client's satisfaction with the decision, as they gave it at closure: a score of 1 to 5
-- and their remark, with who recorded it and when. Written together.
ALTER TABLE complaints ADD COLUMN satisfaction_score INTEGER NULL
    CHECK (satisfaction_score BETWEEN 1 AND 5);
ALTER TABLE complaints ADD COLUMN satisfaction_remark TEXT NULL;
ALTER TABLE complaints ADD COLUMN satisfaction_recorded_by_id BIGINT NULL REFERENCES staff (id);
ALTER TABLE complaints ADD COLUMN satisfaction_recorded_at TIMESTAMP NULL;
