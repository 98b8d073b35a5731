-- The texts are not put back into the events: the chain stays as it was rebuilt, and the
-- texts are gone with the table.
DROP TABLE pending_rewrites;
DROP TABLE event_texts;
