-- Uploads are their own outbox: the job id is chosen before the row is written and the
-- row is marked `enqueued_at` once the queue holds the job, so an upload whose job was
-- never pushed (the process died in between) is found and pushed by the sweeper.
-- Uploads from before this migration that already have a job id were queued.
-- `idempotency_key`: the client's `Idempotency-Key`; a retried POST with the same key
-- (per user) answers with the first upload instead of storing a second one.
ALTER TABLE uploads ADD COLUMN enqueued_at TIMESTAMPTZ;
ALTER TABLE uploads ADD COLUMN idempotency_key TEXT;
UPDATE uploads SET enqueued_at = created_at WHERE job_id IS NOT NULL;
CREATE UNIQUE INDEX uploads_idempotency ON uploads (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX uploads_unqueued ON uploads (created_at) WHERE enqueued_at IS NULL;
