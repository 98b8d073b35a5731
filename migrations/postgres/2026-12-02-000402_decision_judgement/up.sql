-- Whether the complaint was well-founded (gegrond, deels gegrond, ongegrond): the Bar's model
-- regulation asks for a reasoned judgement. Decisions recorded before it was asked have none.
ALTER TABLE complaints ADD COLUMN decision_judgement TEXT NULL
    CHECK (decision_judgement IN ('well_founded', 'partly_well_founded', 'unfounded'));
