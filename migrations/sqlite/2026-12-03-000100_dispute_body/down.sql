ALTER TABLE organisations DROP COLUMN dispute_body_url;
ALTER TABLE organisations DROP COLUMN dispute_body_address;
ALTER TABLE organisations DROP COLUMN dispute_body_name;
