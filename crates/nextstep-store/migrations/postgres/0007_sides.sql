-- Who is on the seller's side of an uploaded call: the names the uploader gave (a JSON
-- list of strings; empty: the deal's owner and the roster decide, then inference).
ALTER TABLE uploads ADD COLUMN sellers JSONB NOT NULL DEFAULT '[]'::jsonb;
-- A call judged again (a speaker's side flipped) changes its bail-out flag, which the
-- pipeline report reads: the cache must learn of it.
CREATE TRIGGER calls_version_update AFTER UPDATE ON calls
FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
