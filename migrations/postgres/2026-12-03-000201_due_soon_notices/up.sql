-- The warning is announced once, as the overdue notice is: by the same row, now keyed on
-- which notice it was as well. The rows written so far were all overdue notices.
ALTER TABLE deadline_notices ADD COLUMN notice TEXT NOT NULL DEFAULT 'overdue'
    CHECK (notice IN ('due_soon', 'overdue'));
ALTER TABLE deadline_notices ALTER COLUMN notice DROP DEFAULT;
ALTER TABLE deadline_notices DROP CONSTRAINT deadline_notices_pkey;
ALTER TABLE deadline_notices ADD PRIMARY KEY (complaint_id, deadline, due_at, notice);
