ALTER TABLE complaints DROP COLUMN satisfaction_recorded_at;
ALTER TABLE complaints DROP COLUMN satisfaction_recorded_by_id;
ALTER TABLE complaints DROP COLUMN satisfaction_remark;
ALTER TABLE complaints DROP COLUMN satisfaction_score;
