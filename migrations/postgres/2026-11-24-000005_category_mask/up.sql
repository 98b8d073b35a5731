-- A complaint's categories as a bit set on the complaint itself (conduct 1, legal 2,
-- financial 4, practice 8): the overview counts categories per month in the same pass over
-- the complaints as everything else, instead of joining a table of their own.

ALTER TABLE complaints ADD COLUMN category_mask INTEGER NOT NULL DEFAULT 0
    CHECK (category_mask BETWEEN 0 AND 15);

UPDATE complaints c SET category_mask = s.mask
FROM (
    SELECT complaint_id,
           SUM(CASE category WHEN 'conduct' THEN 1 WHEN 'legal' THEN 2
                             WHEN 'financial' THEN 4 WHEN 'practice' THEN 8 END) AS mask
    FROM complaint_categories GROUP BY complaint_id
) s
WHERE s.complaint_id = c.id;

DROP TABLE complaint_categories;
