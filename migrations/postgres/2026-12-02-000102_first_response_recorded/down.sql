ALTER TABLE complaints DROP COLUMN first_response_recorded_at;
