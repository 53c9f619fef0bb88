-- Nobody reviews their own correction: enforced by the database as well as by core.
CREATE OR REPLACE FUNCTION correction_reviews_refuse_self() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM corrections c WHERE c.id = NEW.correction_id AND c.proposed_by = NEW.reviewer_id) THEN
    RAISE EXCEPTION 'the proposer of a correction cannot review it'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER correction_reviews_no_self_review
  BEFORE INSERT OR UPDATE ON correction_reviews
  FOR EACH ROW EXECUTE FUNCTION correction_reviews_refuse_self();
