DELETE FROM deadline_notices WHERE notice <> 'overdue';
ALTER TABLE deadline_notices DROP CONSTRAINT deadline_notices_pkey;
ALTER TABLE deadline_notices ADD PRIMARY KEY (complaint_id, deadline, due_at);
ALTER TABLE deadline_notices DROP COLUMN notice;
