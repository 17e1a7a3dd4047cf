-- People in the audit trail are chained under pseudonyms (decision 0019), so that erasing a person
-- leaves a trail that still verifies and no longer names them.
--
--   audit_subjects             one random pseudonym per person (`psn-` + 128 random bits)
--   audit_subject_identifiers  the values that name the person in records: their user id, e-mail,
--                              name, user name, IdP subject, session ids, device ids and device key
--                              thumbprints (each value belongs to one person)
--   audit_chain.subjects       the identifiers a record held when it was sealed
--
-- The sealer hashes a record with each identifier it holds (exactly, as a whole string value)
-- replaced by the person's pseudonym, and notes which identifiers it replaced. `audit verify`
-- replaces the same ones again. Erasure writes that pseudonymised form into the person's
-- records and deletes their identifiers and pseudonym row: the links still match, and nothing
-- left connects the pseudonym to the person. Records sealed before this migration have no
-- `subjects` (NULL) and are hashed as they are.
DO $$
BEGIN
  CREATE ROLE palisade_audit_eraser NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT palisade_audit_eraser TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL; -- superusers (and PGlite) need no membership to SET ROLE
END $$;
GRANT USAGE ON SCHEMA public TO palisade_audit_eraser;

CREATE TABLE audit_subjects (
  user_id    uuid PRIMARY KEY,
  pseudonym  text NOT NULL UNIQUE
);

CREATE TABLE audit_subject_identifiers (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id  uuid NOT NULL REFERENCES audit_subjects (user_id) ON DELETE CASCADE,
  value    text NOT NULL UNIQUE
);
CREATE INDEX audit_subject_identifiers_user ON audit_subject_identifiers (user_id);

ALTER TABLE audit_chain ADD COLUMN subjects bigint[];
CREATE INDEX audit_chain_subjects ON audit_chain USING gin (subjects);

-- Every person gets a pseudonym and their identifiers when their row is written. SECURITY
-- DEFINER: the runtime role, which writes users, has no rights on these tables. Values shorter
-- than four characters are not identifiers (they would match too much). An identifier already
-- taken by another person stays theirs. The tombstones erasure leaves for job history are
-- nobody: they get no pseudonym.
CREATE FUNCTION audit_register_subject() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.issuer = 'urn:palisade:erased' THEN
    RETURN NEW;
  END IF;
  INSERT INTO audit_subjects (user_id, pseudonym) VALUES (NEW.id, 'psn-' || replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (user_id) DO NOTHING;
  INSERT INTO audit_subject_identifiers (user_id, value)
    SELECT NEW.id, v FROM unnest(ARRAY[NEW.id::text, NEW.email, NEW.name, NEW.user_name, NEW.subject]) AS v
     WHERE v IS NOT NULL AND length(v) >= 4
    ON CONFLICT (value) DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER users_audit_subject AFTER INSERT OR UPDATE OF email, name, user_name, subject ON users
  FOR EACH ROW EXECUTE FUNCTION audit_register_subject();

-- A person's sessions and device keys name them too (actor.sessionId, actor.deviceId, resource ids).
CREATE FUNCTION audit_register_session() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO audit_subject_identifiers (user_id, value)
    SELECT NEW.user_id, NEW.id WHERE length(NEW.id) >= 4 AND EXISTS (SELECT 1 FROM audit_subjects WHERE user_id = NEW.user_id)
    ON CONFLICT (value) DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER sessions_audit_subject AFTER INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION audit_register_session();
CREATE FUNCTION audit_register_device() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO audit_subject_identifiers (user_id, value)
    SELECT NEW.user_id, v FROM unnest(ARRAY[NEW.id::text, NEW.jkt]) AS v
     WHERE v IS NOT NULL AND length(v) >= 4 AND EXISTS (SELECT 1 FROM audit_subjects WHERE user_id = NEW.user_id)
    ON CONFLICT (value) DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER devices_audit_subject AFTER INSERT ON devices FOR EACH ROW EXECUTE FUNCTION audit_register_device();

INSERT INTO audit_subjects (user_id, pseudonym) SELECT id, 'psn-' || replace(gen_random_uuid()::text, '-', '') FROM users;
INSERT INTO audit_subject_identifiers (user_id, value)
  SELECT u.id, v FROM users u, unnest(ARRAY[u.id::text, u.email, u.name, u.user_name, u.subject]) AS v
   WHERE v IS NOT NULL AND length(v) >= 4
  ON CONFLICT (value) DO NOTHING;
INSERT INTO audit_subject_identifiers (user_id, value) SELECT user_id, id FROM sessions WHERE length(id) >= 4 ON CONFLICT (value) DO NOTHING;
INSERT INTO audit_subject_identifiers (user_id, value)
  SELECT d.user_id, v FROM devices d, unnest(ARRAY[d.id::text, d.jkt]) AS v WHERE length(v) >= 4
  ON CONFLICT (value) DO NOTHING;

-- Write-once, with one exception: the eraser may replace the personal columns of an event with
-- their pseudonymised form. It cannot change what happened, when, or to what kind of resource,
-- and anything else it wrote would no longer match the chain.
CREATE OR REPLACE FUNCTION audit_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_user = 'palisade_audit_retention' THEN
    RETURN OLD;
  END IF;
  -- Nested: the inner test reads audit_events' columns, which the other tables do not have.
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_events' AND current_user = 'palisade_audit_eraser' THEN
    IF NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action AND NEW.outcome = OLD.outcome
       AND NEW.resource_type IS NOT DISTINCT FROM OLD.resource_type AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit records are write-once: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

GRANT SELECT ON audit_subjects, audit_subject_identifiers TO palisade_audit_sealer, palisade_audit_reader;
-- The sealer registers the session and device key a person acted with when it sees them in a
-- record before their rows exist (a sign-in names its DPoP key before the token exchange makes
-- the device).
GRANT INSERT ON audit_subject_identifiers TO palisade_audit_sealer;
GRANT USAGE ON SEQUENCE audit_subject_identifiers_id_seq TO palisade_audit_sealer;
GRANT SELECT, DELETE ON audit_subjects, audit_subject_identifiers TO palisade_audit_eraser;
GRANT SELECT ON audit_events, audit_chain, audit_pending TO palisade_audit_eraser;
GRANT UPDATE (actor, resource_id, reason, changes, detail) ON audit_events TO palisade_audit_eraser;
