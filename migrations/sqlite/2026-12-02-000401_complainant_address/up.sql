-- The complainant's postal address (Bgfo art. 41: the register records name and address).
-- Written together: all four parts or none.
ALTER TABLE complaints ADD COLUMN complainant_street TEXT NULL;
ALTER TABLE complaints ADD COLUMN complainant_postal_code TEXT NULL;
ALTER TABLE complaints ADD COLUMN complainant_city TEXT NULL;
ALTER TABLE complaints ADD COLUMN complainant_country TEXT NULL;
