-- What changed, in write order, for the team reports' caches: a cached coaching report
-- re-aggregates only the weeks of call facts that changed after a write, and a cached
-- forecast re-reads only the deals that changed, instead of all 500,000 calls and every
-- open deal. A row names a week (`week`), a deal (`deal_id`), or, both NULL, everything
-- (the roster or an account changed). A call judged again also names the call
-- (`call_id`): its quoted sentences may change while its counts stay the same. Rows are appended (the rowid is the
-- order: an append costs one page write, an upsert would cost a search); readers take the
-- distinct keys after the sequence number they were built on. Old rows are pruned by
-- every 4,096th call's facts, keeping the last 100,000: a cache older than that rebuilds
-- whole. A call's facts log its deal, so its step's insert and the step it supersedes
-- do not log it again (each trigger program costs a call's store a few per cent).
CREATE TABLE report_changes (
    seq INTEGER PRIMARY KEY,
    week TEXT,
    deal_id INTEGER,
    call_id INTEGER
) STRICT;

CREATE TRIGGER call_facts_changes_insert AFTER INSERT ON call_facts
BEGIN
    INSERT INTO report_changes (week, deal_id) VALUES (NEW.week, NEW.deal_id);
    -- Off the 4,096th call, `seq < 0`: one seek that finds nothing.
    DELETE FROM report_changes WHERE seq < (NEW.call_id % 4096 = 0)
        * ((SELECT MAX(seq) FROM report_changes) - 100000);
END;
CREATE TRIGGER call_facts_changes_update AFTER UPDATE ON call_facts
BEGIN
    INSERT INTO report_changes (week, deal_id, call_id) VALUES (OLD.week, OLD.deal_id, OLD.call_id);
    INSERT INTO report_changes (week, deal_id, call_id) VALUES (NEW.week, NEW.deal_id, NEW.call_id);
END;
CREATE TRIGGER call_facts_changes_delete AFTER DELETE ON call_facts
BEGIN
    INSERT INTO report_changes (week, deal_id, call_id) VALUES (OLD.week, OLD.deal_id, OLD.call_id);
END;
-- A judged-again call's facts are rewritten by an upsert, which the data version did not
-- see when the call's other columns stayed the same (a new call's insert moves it).
CREATE TRIGGER call_facts_version_update AFTER UPDATE ON call_facts
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;

CREATE TRIGGER deals_changes_insert AFTER INSERT ON deals
BEGIN INSERT INTO report_changes (deal_id) VALUES (NEW.id); END;
CREATE TRIGGER deals_changes_delete AFTER DELETE ON deals
BEGIN INSERT INTO report_changes (deal_id) VALUES (OLD.id); END;
CREATE TRIGGER deals_changes_update AFTER UPDATE ON deals
BEGIN
    INSERT INTO report_changes (deal_id) VALUES (NEW.id);
    -- A new owner moves every call of the deal to another rep's scorecard.
    INSERT INTO report_changes (week)
    SELECT DISTINCT week FROM call_facts
    WHERE deal_id = NEW.id AND OLD.owner_id IS NOT NEW.owner_id;
END;
CREATE TRIGGER next_steps_changes_insert AFTER INSERT ON next_steps
WHEN NEW.call_id IS NULL
BEGIN INSERT INTO report_changes (deal_id) VALUES (NEW.deal_id); END;
CREATE TRIGGER next_steps_changes_update AFTER UPDATE ON next_steps
WHEN NEW.status <> 'superseded'
BEGIN INSERT INTO report_changes (deal_id) VALUES (NEW.deal_id); END;
CREATE TRIGGER next_steps_changes_delete AFTER DELETE ON next_steps
BEGIN INSERT INTO report_changes (deal_id) VALUES (OLD.deal_id); END;
CREATE TRIGGER stage_history_changes_insert AFTER INSERT ON stage_history
BEGIN INSERT INTO report_changes (deal_id) VALUES (NEW.deal_id); END;
CREATE TRIGGER reps_changes_update AFTER UPDATE ON reps
BEGIN INSERT INTO report_changes (seq) VALUES (NULL); END;
CREATE TRIGGER accounts_changes_update AFTER UPDATE ON accounts
BEGIN INSERT INTO report_changes (seq) VALUES (NULL); END;
