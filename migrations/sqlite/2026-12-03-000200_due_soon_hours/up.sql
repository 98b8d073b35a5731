-- A warning before a term runs out (issue 13 item 5): `complaint.response_due_soon`, this many
-- hours before `response_due_at` or `follow_up_due_at`. Its default and bounds are
-- domain::organisation::DEFAULT_DUE_SOON_HOURS and DUE_SOON_HOURS.
ALTER TABLE organisations ADD COLUMN due_soon_hours INTEGER NOT NULL DEFAULT 24
    CHECK (due_soon_hours BETWEEN 1 AND 168);
