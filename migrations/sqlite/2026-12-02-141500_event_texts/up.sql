-- Events commit to free text; they do not hold it (DESIGN.md §9). The texts an event records
-- (summaries, reasons, descriptions, …) and the salt of each one's commitment live here, keyed
-- by event and by the JSON pointer of the text's place in the event's data. Unlike events,
-- these rows can be deleted: erasing a text leaves the event and its hash as they were.
CREATE TABLE event_texts (
    event_id INTEGER NOT NULL REFERENCES events (id),
    field TEXT NOT NULL,
    salt BLOB NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (event_id, field)
);

-- Events recorded before this migration still hold their texts. Taking them out changes the
-- events' data and so every hash after the first such event: the chain has to be rebuilt.
-- SQLite has no SHA-256 in SQL, so for both databases alike the service does that rewrite in
-- Rust (`store::rewrites`), once, in one transaction, right after the migrations have run;
-- this row says it is still to be done.
CREATE TABLE pending_rewrites (
    name TEXT PRIMARY KEY
);
INSERT INTO pending_rewrites (name) VALUES ('event_texts');
