ALTER TABLE organisations DROP COLUMN due_soon_hours;
