DROP TABLE purge_runs;
