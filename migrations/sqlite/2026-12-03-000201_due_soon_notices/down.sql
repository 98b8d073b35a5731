CREATE TABLE deadline_notices_unkeyed (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    deadline TEXT NOT NULL CHECK (deadline IN ('response', 'follow_up')),
    due_at TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (complaint_id, deadline, due_at)
);
INSERT INTO deadline_notices_unkeyed (complaint_id, deadline, due_at, noticed_at)
    SELECT complaint_id, deadline, due_at, noticed_at FROM deadline_notices
    WHERE notice = 'overdue';
DROP TABLE deadline_notices;
ALTER TABLE deadline_notices_unkeyed RENAME TO deadline_notices;
