-- The external body a client can turn to when not satisfied (issue 13): Kifid, the
-- Geschillencommissie. All NULL: none named; the letters and the public regulation then
-- point to the regulation itself. The address and website only with a name.
ALTER TABLE organisations ADD COLUMN dispute_body_name TEXT NULL;
ALTER TABLE organisations ADD COLUMN dispute_body_address TEXT NULL;
ALTER TABLE organisations ADD COLUMN dispute_body_url TEXT NULL;
