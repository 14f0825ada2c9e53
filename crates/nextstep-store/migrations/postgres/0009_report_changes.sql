-- What changed, in write order, for the team reports' caches: a cached coaching report
-- re-aggregates only the weeks of call facts that changed after a write, and a cached
-- forecast re-reads only the deals that changed, instead of all 500,000 calls and every
-- open deal. A row names a week (`week`), a deal (`deal_id`), or, both NULL, everything
-- (the roster or an account changed, or one statement touched more than 1,000 deals).
-- A call judged again also names the call (`call_id`): its quoted sentences may change
-- while its counts stay the same.
-- Readers take the distinct keys after the sequence number they were built on.
--
-- Every append first locks the data version's row, which every writing transaction
-- updates anyway: sequence numbers are then taken in commit order, so a reader never
-- sees a change without every earlier one. Old rows are pruned by every 4,096th call's
-- facts, keeping the last 100,000: a cache older than that rebuilds whole. A call's facts
-- log its deal, so its step's insert and the step it supersedes do not log it again.
CREATE TABLE report_changes (
    seq BIGSERIAL PRIMARY KEY,
    week DATE,
    deal_id BIGINT,
    call_id BIGINT
);

CREATE FUNCTION lock_report_changes() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM data_version WHERE id = 1 FOR UPDATE;
END;
$$;

CREATE FUNCTION call_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_report_changes();
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_changes (week, deal_id) VALUES (NEW.week, NEW.deal_id);
        IF NEW.call_id % 4096 = 0 THEN
            DELETE FROM report_changes
            WHERE seq <= (SELECT MAX(seq) FROM report_changes) - 100000;
        END IF;
    ELSE
        INSERT INTO report_changes (week, deal_id, call_id)
        VALUES (OLD.week, OLD.deal_id, OLD.call_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO report_changes (week, deal_id, call_id)
        VALUES (NEW.week, NEW.deal_id, NEW.call_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER call_facts_changes AFTER INSERT OR UPDATE OR DELETE ON call_facts
FOR EACH ROW EXECUTE FUNCTION call_facts_changed();
-- A judged-again call's facts are rewritten by an upsert, which the data version did not
-- see when the call's other columns stayed the same (a new call's insert moves it).
CREATE TRIGGER call_facts_version AFTER UPDATE ON call_facts
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();

-- Rows of a deal-keyed table (`deal_id`): one log row per deal, or one "everything" row
-- for a bulk statement. A step from a call, or one superseded, is logged by the call's
-- facts in the same transaction.
CREATE FUNCTION deal_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_report_changes();
    IF (SELECT COUNT(*) FROM changed_rows) > 1000 THEN
        INSERT INTO report_changes (week, deal_id) VALUES (NULL, NULL);
    ELSIF TG_TABLE_NAME = 'next_steps' AND TG_OP = 'INSERT' THEN
        INSERT INTO report_changes (deal_id)
        SELECT DISTINCT deal_id FROM changed_rows WHERE call_id IS NULL;
    ELSIF TG_TABLE_NAME = 'next_steps' AND TG_OP = 'UPDATE' THEN
        INSERT INTO report_changes (deal_id)
        SELECT DISTINCT deal_id FROM changed_rows WHERE status <> 'superseded';
    ELSE
        INSERT INTO report_changes (deal_id) SELECT DISTINCT deal_id FROM changed_rows;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER next_steps_changes_insert AFTER INSERT ON next_steps
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION deal_rows_changed();
CREATE TRIGGER next_steps_changes_update AFTER UPDATE ON next_steps
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION deal_rows_changed();
CREATE TRIGGER next_steps_changes_delete AFTER DELETE ON next_steps
REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION deal_rows_changed();
CREATE TRIGGER stage_history_changes_insert AFTER INSERT ON stage_history
REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION deal_rows_changed();

-- Deals inserted or deleted: the deals.
CREATE FUNCTION deals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_report_changes();
    IF (SELECT COUNT(*) FROM changed_deals) > 1000 THEN
        INSERT INTO report_changes (week, deal_id) VALUES (NULL, NULL);
    ELSE
        INSERT INTO report_changes (deal_id) SELECT id FROM changed_deals;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER deals_changes_insert AFTER INSERT ON deals
REFERENCING NEW TABLE AS changed_deals
FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();
CREATE TRIGGER deals_changes_delete AFTER DELETE ON deals
REFERENCING OLD TABLE AS changed_deals
FOR EACH STATEMENT EXECUTE FUNCTION deals_changed();

-- Deals updated: the deals, and the weeks of the calls of a deal whose owner changed
-- (they move to another rep's scorecard).
CREATE FUNCTION deals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_report_changes();
    IF (SELECT COUNT(*) FROM new_deals) > 1000 THEN
        INSERT INTO report_changes (week, deal_id) VALUES (NULL, NULL);
    ELSE
        INSERT INTO report_changes (deal_id) SELECT id FROM new_deals;
        INSERT INTO report_changes (week)
        SELECT DISTINCT f.week FROM new_deals n
        JOIN old_deals o ON o.id = n.id
        JOIN call_facts f ON f.deal_id = n.id
        WHERE o.owner_id IS DISTINCT FROM n.owner_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER deals_changes_update AFTER UPDATE ON deals
REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
FOR EACH STATEMENT EXECUTE FUNCTION deals_updated();

-- The roster or an account changed: everything.
CREATE FUNCTION everything_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_report_changes();
    INSERT INTO report_changes (week, deal_id) VALUES (NULL, NULL);
    RETURN NULL;
END;
$$;
CREATE TRIGGER reps_changes_update AFTER UPDATE ON reps
FOR EACH STATEMENT EXECUTE FUNCTION everything_changed();
CREATE TRIGGER accounts_changes_update AFTER UPDATE ON accounts
FOR EACH STATEMENT EXECUTE FUNCTION everything_changed();
