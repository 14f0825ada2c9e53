-- A counter bumped by every write to what the pipeline report reads, so the server can
-- cache the report and know, with one single-row read, whether it is still current.
-- Statement-level triggers: a 100,000-row import bumps it once per statement.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER deals_version AFTER INSERT OR UPDATE OR DELETE ON deals
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER calls_version AFTER INSERT OR DELETE ON calls
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER next_steps_version AFTER INSERT OR UPDATE ON next_steps
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER reps_version AFTER UPDATE ON reps
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER accounts_version AFTER UPDATE ON accounts
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
