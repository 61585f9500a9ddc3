-- 0008's statement checks, looking each submission up once instead of once per answer.
--
-- An import's statement inserts 1,000 answers of about nine units: the insert's check now
-- looks up those nine submissions, not a thousand (0,6 s of PostgreSQL's work in a national
-- import, 540,000 answers, became 0,2 s). A submission's update (a status moved) keeps its
-- key: the check first asks whether each old key is gone, and reads that submission's
-- answers only if it is, instead of joining every answer of every moved unit first.
CREATE OR REPLACE FUNCTION answers_have_submissions() RETURNS trigger LANGUAGE plpgsql
  SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM (SELECT DISTINCT year, kind, unit_id FROM new_answers) n
    WHERE NOT EXISTS (
      SELECT 1 FROM submissions s WHERE s.year = n.year AND s.kind = n.kind AND s.unit_id = n.unit_id
    )
  ) THEN
    RAISE foreign_key_violation USING MESSAGE = 'an answer without its submission';
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION submissions_keep_answers() RETURNS trigger LANGUAGE plpgsql
  SET enable_hashjoin = off SET enable_mergejoin = off SET enable_seqscan = off AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_submissions o
    WHERE NOT EXISTS (
      SELECT 1 FROM submissions s WHERE s.year = o.year AND s.kind = o.kind AND s.unit_id = o.unit_id
    )
    AND EXISTS (
      SELECT 1 FROM answers a WHERE a.year = o.year AND a.kind = o.kind AND a.unit_id = o.unit_id
    )
  ) THEN
    RAISE foreign_key_violation USING MESSAGE = 'a submission removed while it has answers';
  END IF;
  RETURN NULL;
END $$;
