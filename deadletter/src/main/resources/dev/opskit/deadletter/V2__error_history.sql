-- A dead letter's earlier failures as a JSON array of their own, so a reader gets an array, not JSON
-- text inside a string. Adding a column with a constant default rewrites nothing (PostgreSQL 11+).
ALTER TABLE dead_letters ADD COLUMN error_history jsonb NOT NULL DEFAULT '[]'::jsonb;

-- Letters the job queue wrote before this version kept the history as JSON text in the header
-- errorHistory. Only those are moved: the job queue always wrote a JSON array there, while a header
-- of the same name written by other code might hold anything.
UPDATE dead_letters
   SET error_history = (headers ->> 'errorHistory')::jsonb,
       headers = headers - 'errorHistory'
 WHERE source LIKE 'jobqueue:%'
   AND headers ->> 'errorHistory' IS NOT NULL
   AND left(ltrim(headers ->> 'errorHistory'), 1) = '[';
