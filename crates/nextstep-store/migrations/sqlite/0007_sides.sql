-- Who is on the seller's side of an uploaded call: the names the uploader gave (a JSON
-- list of strings; empty: the deal's owner and the roster decide, then inference).
ALTER TABLE uploads ADD COLUMN sellers TEXT NOT NULL DEFAULT '[]';
-- A call judged again (a speaker's side flipped) changes its bail-out flag, which the
-- pipeline report reads: the cache must learn of it.
CREATE TRIGGER calls_version_update AFTER UPDATE ON calls
BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;
