DROP TABLE evaluation_assessments;
DROP TABLE evaluations;
DROP TABLE action_notes;
DROP TABLE action_complaints;
DROP TABLE actions;
