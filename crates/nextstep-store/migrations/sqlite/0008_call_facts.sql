-- The few facts of each call that the coaching, digest and forecast reports count, kept
-- in a compact row beside the call (written in the same transaction as the call, and
-- rewritten when the call is judged again), so those reports aggregate these rows in SQL
-- instead of loading every transcript and analysis. The rep is the deal's owner, joined
-- at read time (an owner changed by a later import moves the call, as before).
CREATE TABLE call_facts (
    call_id INTEGER PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    -- The Monday of the call's ISO week: the coaching trend's unit.
    week TEXT NOT NULL,
    -- The rep asked an open next-step question (the flag, or any ask moment): coaching.
    asked INTEGER NOT NULL CHECK (asked IN (0, 1)),
    -- The analyzer's `asked_next_step` flag alone: the forecast's feature.
    asked_next_step INTEGER NOT NULL CHECK (asked_next_step IN (0, 1)),
    -- Who defined the step the call ended with; NULL when it ended without one.
    step_by TEXT CHECK (step_by IN ('prospect', 'seller')),
    confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1)),
    volunteered INTEGER NOT NULL,
    negative_signals INTEGER NOT NULL,
    bail_outs INTEGER NOT NULL,
    -- The first bail-out's signal type (`confusion`, …), when it carries one.
    bail_out_signal TEXT,
    confronted INTEGER NOT NULL CHECK (confronted IN (0, 1)),
    -- A confrontation that named no fit (disqualifying): an early disqualification when
    -- the call ended without a step.
    no_fit INTEGER NOT NULL CHECK (no_fit IN (0, 1))
) STRICT;
-- A deal's calls in date order (the forecast's per-deal reads; joins from deals).
CREATE INDEX call_facts_deal ON call_facts (deal_id, date, call_id);

-- Existing calls get their facts from their stored analyses.
INSERT INTO call_facts (call_id, deal_id, date, week, asked, asked_next_step, step_by,
    confirmed, volunteered, negative_signals, bail_outs, bail_out_signal, confronted, no_fit)
SELECT c.id, c.deal_id, c.date,
    date(c.date, '-' || ((CAST(strftime('%w', c.date) AS INTEGER) + 6) % 7) || ' days'),
    CASE WHEN json_extract(c.analysis, '$.asked_next_step') = 1
           OR json_array_length(c.analysis, '$.asks') > 0 THEN 1 ELSE 0 END,
    CASE WHEN json_extract(c.analysis, '$.asked_next_step') = 1 THEN 1 ELSE 0 END,
    json_extract(c.analysis, '$.next_step.defined_by'),
    CASE WHEN json_extract(c.analysis, '$.next_step.confirmed_by_prospect') = 1
         THEN 1 ELSE 0 END,
    COALESCE(json_array_length(c.analysis, '$.volunteered'), 0),
    COALESCE(json_array_length(c.analysis, '$.negative_signals'), 0),
    COALESCE(json_array_length(c.analysis, '$.bail_outs'), 0),
    json_extract(c.analysis, '$.bail_outs[0].signal'),
    CASE WHEN COALESCE(json_array_length(c.analysis, '$.confrontations'), 0) > 0
         THEN 1 ELSE 0 END,
    CASE WHEN EXISTS (SELECT 1 FROM json_each(c.analysis, '$.confrontations') m
                      WHERE json_extract(m.value, '$.act') = 'disqualify'
                         OR substr(json_extract(m.value, '$.why'), 1, 12) = 'named no fit')
         THEN 1 ELSE 0 END
FROM calls c;


-- The forecast's fitted models, one per scope: fitted off the request path (after writes,
-- debounced, and on a schedule) and stored with the data version and the day they were
-- fitted on; a request scores the open deals with the stored fit.
CREATE TABLE forecast_fits (
    scope TEXT PRIMARY KEY,
    data_version INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    fitted_at TEXT NOT NULL,
    fit TEXT NOT NULL
) STRICT;
