-- When the first response was recorded, as against the moment it claims: a response recorded
-- after the term counts as late whatever it claims. NULL for responses recorded before this
-- column existed: their claimed moment counts, as it did.
ALTER TABLE complaints ADD COLUMN first_response_recorded_at TIMESTAMP NULL;
