-- A counter bumped by every write to what the pipeline report reads, so the server can
-- cache the report and know, with one single-row read, whether it is still current.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE TRIGGER deals_version_insert AFTER INSERT ON deals
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER deals_version_update AFTER UPDATE ON deals
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER deals_version_delete AFTER DELETE ON deals
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calls_version_insert AFTER INSERT ON calls
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER calls_version_delete AFTER DELETE ON calls
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER next_steps_version_insert AFTER INSERT ON next_steps
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER next_steps_version_update AFTER UPDATE ON next_steps
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER reps_version_update AFTER UPDATE ON reps
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER accounts_version_update AFTER UPDATE ON accounts
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
