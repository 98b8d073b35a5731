-- Complaints brought in from an existing register (`klachtenregister import`, POST /imports):
-- marked, so that the register can tell them from those the procedure ran on here; a row that
-- had no reference is recognised by the hash of its cells, so a second import of the same file
-- creates nothing twice.
ALTER TABLE complaints ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
ALTER TABLE complaints ADD COLUMN import_key TEXT NULL;
CREATE UNIQUE INDEX complaints_import_key ON complaints (organisation_id, import_key);
