ALTER TABLE complaints DROP COLUMN complainant_country;
ALTER TABLE complaints DROP COLUMN complainant_city;
ALTER TABLE complaints DROP COLUMN complainant_postal_code;
ALTER TABLE complaints DROP COLUMN complainant_street;
