-- The few facts of each call that the coaching, digest and forecast reports count, kept
-- in a compact row beside the call (written in the same transaction as the call, and
-- rewritten when the call is judged again), so those reports aggregate these rows in SQL
-- instead of loading every transcript and analysis. The rep is the deal's owner, joined
-- at read time (an owner changed by a later import moves the call, as before).
-- Flags are INTEGER 0/1 (not BOOLEAN) so the same SUM() runs on both backends.
CREATE TABLE call_facts (
    call_id BIGINT PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    deal_id BIGINT NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    date DATE NOT NULL,
    -- The Monday of the call's ISO week: the coaching trend's unit.
    week DATE NOT NULL,
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
);
-- A deal's calls in date order (the forecast's per-deal reads; joins from deals).
CREATE INDEX call_facts_deal ON call_facts (deal_id, date, call_id);

-- Existing calls get their facts from their stored analyses.
INSERT INTO call_facts (call_id, deal_id, date, week, asked, asked_next_step, step_by,
    confirmed, volunteered, negative_signals, bail_outs, bail_out_signal, confronted, no_fit)
SELECT c.id, c.deal_id, c.date,
    c.date - (EXTRACT(ISODOW FROM c.date)::int - 1),
    CASE WHEN (c.analysis->>'asked_next_step')::boolean
           OR jsonb_array_length(COALESCE(c.analysis->'asks', '[]'::jsonb)) > 0
         THEN 1 ELSE 0 END,
    CASE WHEN (c.analysis->>'asked_next_step')::boolean THEN 1 ELSE 0 END,
    c.analysis->'next_step'->>'defined_by',
    CASE WHEN (c.analysis->'next_step'->>'confirmed_by_prospect')::boolean THEN 1 ELSE 0 END,
    jsonb_array_length(COALESCE(c.analysis->'volunteered', '[]'::jsonb)),
    jsonb_array_length(COALESCE(c.analysis->'negative_signals', '[]'::jsonb)),
    jsonb_array_length(COALESCE(c.analysis->'bail_outs', '[]'::jsonb)),
    c.analysis->'bail_outs'->0->>'signal',
    CASE WHEN jsonb_array_length(COALESCE(c.analysis->'confrontations', '[]'::jsonb)) > 0
         THEN 1 ELSE 0 END,
    CASE WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(
                          COALESCE(c.analysis->'confrontations', '[]'::jsonb)) m
                      WHERE m->>'act' = 'disqualify' OR m->>'why' LIKE 'named no fit%')
         THEN 1 ELSE 0 END
FROM calls c;


-- The forecast's fitted models, one per scope: fitted off the request path (after writes,
-- debounced, and on a schedule) and stored with the data version and the day they were
-- fitted on; a request scores the open deals with the stored fit.
CREATE TABLE forecast_fits (
    scope TEXT PRIMARY KEY,
    data_version BIGINT NOT NULL,
    as_of DATE NOT NULL,
    fitted_at TIMESTAMPTZ NOT NULL,
    fit JSONB NOT NULL
);
