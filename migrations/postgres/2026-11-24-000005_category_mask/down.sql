CREATE TABLE complaint_categories (
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    category TEXT NOT NULL CHECK (category IN ('conduct', 'legal', 'financial', 'practice')),
    PRIMARY KEY (complaint_id, category)
);
CREATE INDEX complaint_categories_category ON complaint_categories (category, complaint_id);
INSERT INTO complaint_categories (complaint_id, category)
SELECT c.id, b.category FROM complaints c
JOIN (VALUES (1, 'conduct'), (2, 'legal'), (4, 'financial'), (8, 'practice')) AS b (bit, category)
  ON (c.category_mask & b.bit) <> 0;
ALTER TABLE complaints DROP COLUMN category_mask;
