DROP INDEX complaints_open_in_term;
DROP TRIGGER complaints_overview_update ON complaints;
DROP TRIGGER complaints_overview_delete ON complaints;
DROP TRIGGER complaints_overview_insert ON complaints;
DROP FUNCTION overview_tally();
DROP FUNCTION overview_tallies_of(complaints);
DROP TABLE overview_tallies;
