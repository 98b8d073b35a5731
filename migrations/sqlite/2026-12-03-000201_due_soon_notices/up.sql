-- The warning is announced once, as the overdue notice is: by the same row, now keyed on
-- which notice it was as well. SQLite cannot change a primary key in place: the table is
-- rebuilt (nothing refers to it). The rows written so far were all overdue notices.
CREATE TABLE deadline_notices_keyed (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    deadline TEXT NOT NULL CHECK (deadline IN ('response', 'follow_up')),
    due_at TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    notice TEXT NOT NULL CHECK (notice IN ('due_soon', 'overdue')),
    PRIMARY KEY (complaint_id, deadline, due_at, notice)
);
INSERT INTO deadline_notices_keyed (complaint_id, deadline, due_at, noticed_at, notice)
    SELECT complaint_id, deadline, due_at, noticed_at, 'overdue' FROM deadline_notices;
DROP TABLE deadline_notices;
ALTER TABLE deadline_notices_keyed RENAME TO deadline_notices;
