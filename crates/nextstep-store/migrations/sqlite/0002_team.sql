-- The team server: users and their sessions and API tokens, prospect confirmation links,
-- and uploaded transcripts waiting for (or done by) the analysis job queue.
-- Secrets (session ids, API tokens, link tokens) are kept only as SHA-256 hex digests.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'admin')),
    -- The rep whose deals this user owns (reps and managers); an admin may have none.
    rep_id INTEGER REFERENCES reps (id),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE confirm_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    step_id INTEGER NOT NULL REFERENCES next_steps (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    answer TEXT CHECK (answer IN ('yes', 'not_quite')),
    correction TEXT,
    answered_at TEXT
) STRICT;
CREATE INDEX confirm_links_deal ON confirm_links (deal_id, id);

CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    deal_id INTEGER NOT NULL REFERENCES deals (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    call_date TEXT,
    job_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    call_id INTEGER REFERENCES calls (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX uploads_deal ON uploads (deal_id, id);
