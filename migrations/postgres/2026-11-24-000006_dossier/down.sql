DROP TABLE reads;
ALTER TABLE complaints DROP COLUMN confirmation_document_id;
DROP TABLE documents;
