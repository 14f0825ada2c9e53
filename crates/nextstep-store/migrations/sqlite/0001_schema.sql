-- nextstep's schema, SQLite flavour (the PostgreSQL one in ../postgres means the same).
-- STRICT tables: dates are ISO-8601 TEXT (YYYY-MM-DD), timestamps RFC 3339 TEXT, JSON TEXT,
-- money INTEGER cents, booleans INTEGER 0/1.

CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    manager_id INTEGER REFERENCES reps (id),
    team TEXT,
    email TEXT
) STRICT;

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    sector TEXT,
    year_established INTEGER,
    revenue_millions REAL,
    employees INTEGER,
    location TEXT,
    parent TEXT
) STRICT;

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL,
    email TEXT,
    title TEXT,
    UNIQUE (account_id, name)
) STRICT;

CREATE TABLE deals (
    id INTEGER PRIMARY KEY,
    -- The CRM's id, the import's upsert key: an empty one would merge unrelated deals.
    external_id TEXT UNIQUE CHECK (external_id <> ''),
    name TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id),
    owner_id INTEGER REFERENCES reps (id),
    stage TEXT NOT NULL,
    amount_cents INTEGER,
    currency TEXT NOT NULL,
    expected_close TEXT,
    created TEXT,
    closed TEXT,
    outcome TEXT CHECK (outcome IN ('won', 'lost', 'disqualified')),
    loss_reason TEXT,
    product TEXT,
    crm_next_step TEXT
) STRICT;
CREATE INDEX deals_account ON deals (account_id);
CREATE INDEX deals_owner ON deals (owner_id);
-- The pipeline report: every column of the open deals (all, or one owner's), so that the
-- report reads this index alone, in order, instead of one table lookup per deal.
CREATE INDEX deals_open_pipeline ON deals (
    owner_id, amount_cents, id, external_id, name, account_id, stage, currency,
    expected_close, created, closed, outcome, loss_reason, product, crm_next_step
) WHERE outcome IS NULL;

CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    at TEXT NOT NULL
) STRICT;
CREATE INDEX stage_history_deal ON stage_history (deal_id, at, id);

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    transcript TEXT NOT NULL,
    speakers TEXT NOT NULL,
    analysis TEXT NOT NULL,
    bail_out INTEGER NOT NULL CHECK (bail_out IN (0, 1))
) STRICT;
-- A deal's latest call, read from the index alone (covering: date and bail_out included).
CREATE INDEX calls_deal_latest ON calls (deal_id, date DESC, id DESC, bail_out);

CREATE TABLE next_steps (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    due TEXT,
    defined_by TEXT NOT NULL CHECK (defined_by IN ('prospect', 'seller')),
    confirmed_by_prospect INTEGER NOT NULL CHECK (confirmed_by_prospect IN (0, 1)),
    source TEXT NOT NULL CHECK (source IN ('call', 'manual')),
    call_id INTEGER REFERENCES calls (id),
    evidence TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('open', 'done', 'missed', 'cancelled', 'superseded')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES next_steps (id)
) STRICT;
-- At most one open step per deal; also how the pipeline finds it.
CREATE UNIQUE INDEX next_steps_one_open ON next_steps (deal_id) WHERE status = 'open';
CREATE INDEX next_steps_deal ON next_steps (deal_id, id);
CREATE INDEX next_steps_call ON next_steps (call_id);
CREATE INDEX next_steps_superseded_by ON next_steps (superseded_by);
