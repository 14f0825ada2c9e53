-- Login attempts per email, counted by the store *before* the password is checked, so
-- parallel guesses cannot all slip past the five-attempt lockout (each takes its number
-- in one atomic upsert). A successful login deletes its row; rows past their window are
-- deleted as new attempts come.
CREATE TABLE login_attempts (
    email TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    window_start TEXT NOT NULL
) STRICT;
CREATE INDEX login_attempts_window ON login_attempts (window_start);

-- Keys the servers of one database share: `form` signs the login and confirmation forms'
-- anti-forgery tokens, so a token one server process issued is good on every other. It
-- opens nothing by itself (see SECURITY.md); created by the first server that starts.
CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
