-- The klachtendossier: documents kept in the database, beside the event that records them,
-- so that one transaction holds both; and the read log of who looked at what.

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by_id INTEGER NOT NULL REFERENCES staff (id),
    uploaded_at TEXT NOT NULL
);

CREATE INDEX documents_complaint ON documents (complaint_id, id);

-- A written confirmation may point to the letter in the dossier.
ALTER TABLE complaints ADD COLUMN confirmation_document_id INTEGER NULL REFERENCES documents (id);

CREATE TABLE reads (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    document_id INTEGER NULL REFERENCES documents (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    read_at TEXT NOT NULL
);

CREATE INDEX reads_complaint ON reads (complaint_id, id);
