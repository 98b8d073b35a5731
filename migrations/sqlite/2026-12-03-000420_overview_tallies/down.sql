DROP INDEX complaints_open_in_term;
DROP TRIGGER complaints_overview_update_new;
DROP TRIGGER complaints_overview_update_old;
DROP TRIGGER complaints_overview_delete;
DROP TRIGGER complaints_overview_insert;
DROP VIEW overview_tally_values;
DROP TABLE overview_tallies;
