DROP INDEX complaints_import_key;
ALTER TABLE complaints DROP COLUMN import_key;
ALTER TABLE complaints DROP COLUMN imported;
