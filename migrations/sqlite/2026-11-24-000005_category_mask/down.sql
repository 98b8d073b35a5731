CREATE TABLE complaint_categories (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    category TEXT NOT NULL CHECK (category IN ('conduct', 'legal', 'financial', 'practice')),
    PRIMARY KEY (complaint_id, category)
);
CREATE INDEX complaint_categories_category ON complaint_categories (category, complaint_id);
INSERT INTO complaint_categories (complaint_id, category)
SELECT c.id, b.category FROM complaints c
JOIN (SELECT 1 AS bit, 'conduct' AS category UNION ALL SELECT 2, 'legal'
      UNION ALL SELECT 4, 'financial' UNION ALL SELECT 8, 'practice') AS b
  ON (c.category_mask & b.bit) <> 0;
ALTER TABLE complaints DROP COLUMN category_mask;
