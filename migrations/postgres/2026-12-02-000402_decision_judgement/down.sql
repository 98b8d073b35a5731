ALTER TABLE complaints DROP COLUMN decision_judgement;
