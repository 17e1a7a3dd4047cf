-- The audit trail. Records are written once and never changed:
--   audit_events       one row per event, INSERT-only for the runtime role
--   audit_pending      events not yet sealed (filled by a trigger, emptied by the sealer)
--   audit_chain        the hash chain: seq (gap-free, sealer-assigned) → event, SHA-256 link
--   audit_checkpoints  Ed25519-signed statements "the chain at seq N has hash H" (and purges)
--   audit_keys         the checkpoint signing keys (private half wrapped under the master key)
--   audit_exports      which chain ranges were written to archive files (purge needs this)
--
-- Each kind of work has a role of its own, taken with SET LOCAL ROLE inside a transaction:
--   palisade_app              INSERT into audit_events, nothing else here
--   palisade_audit_sealer     reads pending events, appends to the chain and checkpoints
--   palisade_audit_reader     reads the trail (admin search, verify, export)
--   palisade_audit_retention  the only role the guard triggers let DELETE (archived records past retention)
-- No role may UPDATE or TRUNCATE an audit table. The owner can still disable the triggers —
-- that is what the hash chain and the signed checkpoints are for.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['palisade_audit_sealer', 'palisade_audit_reader', 'palisade_audit_retention'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
      EXECUTE format('GRANT %I TO %I', r, current_user);
    EXCEPTION WHEN OTHERS THEN NULL; -- superusers (and PGlite) need no membership to SET ROLE
    END;
  END LOOP;
END $$;
GRANT USAGE ON SCHEMA public TO palisade_audit_sealer, palisade_audit_reader, palisade_audit_retention;

CREATE TABLE audit_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz(3) NOT NULL,   -- ms, as hashed: a finer edit cannot hide in the precision
  action         text NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied', 'error')),
  reason         text,
  actor          jsonb NOT NULL DEFAULT '{}',
  resource_type  text,
  resource_id    text,
  request_id     text,
  changes        jsonb,
  detail         jsonb
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_user ON audit_events ((actor ->> 'userId'), at);
CREATE INDEX audit_events_device ON audit_events ((actor ->> 'deviceId'), at);
CREATE INDEX audit_events_app ON audit_events ((actor ->> 'appId'), at);
CREATE INDEX audit_events_action ON audit_events (action, at);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id);

CREATE TABLE audit_pending (
  event_id  bigint PRIMARY KEY
);

-- The sealer alone assigns `seq`, one batch at a time under an advisory lock, so the chain has
-- no gaps even though event ids (identity values) commit out of order across transactions.
CREATE TABLE audit_chain (
  seq        bigint PRIMARY KEY,
  event_id   bigint NOT NULL UNIQUE REFERENCES audit_events (id),
  hash       text NOT NULL,
  sealed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_chain_sealed_at ON audit_chain (sealed_at);

-- Checkpoints form a chain of their own: the n-th signs the SHA-256 of the (n-1)-th's JWS, so a
-- deleted checkpoint leaves a visible hole, and the newest one kept elsewhere (the log, an
-- archive, `verify --anchor`) proves nothing after it was cut off.
CREATE TABLE audit_checkpoints (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  n     bigint NOT NULL UNIQUE,
  kind  text NOT NULL CHECK (kind IN ('seal', 'purge')),
  seq   bigint NOT NULL,
  hash  text NOT NULL,
  at    timestamptz NOT NULL,
  kid   text NOT NULL,
  jws   text NOT NULL
);
CREATE INDEX audit_checkpoints_seq ON audit_checkpoints (seq);

CREATE TABLE audit_keys (
  kid          text PRIMARY KEY,
  public_jwk   jsonb NOT NULL,
  private_jwk  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- Export bookkeeping: a range is claimed (sha256 NULL) before its file is written and completed
-- after, so a crash or a second export running at once can never produce overlapping archives.
CREATE TABLE audit_exports (
  first_seq    bigint PRIMARY KEY,
  last_seq     bigint NOT NULL,
  n            bigint NOT NULL UNIQUE,
  file         text NOT NULL,
  sha256       text,
  digest_jws   text,
  exported_at  timestamptz NOT NULL DEFAULT now()
);

-- Every inserted event is queued for the sealer. SECURITY DEFINER: the runtime role itself has
-- no rights on the queue.
CREATE FUNCTION audit_enqueue() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO audit_pending (event_id) SELECT id FROM inserted;
  RETURN NULL;
END $$;
CREATE TRIGGER audit_events_enqueue AFTER INSERT ON audit_events
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION audit_enqueue();

-- Write-once: UPDATE never, DELETE only by the retention job's role, TRUNCATE never.
CREATE FUNCTION audit_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_user = 'palisade_audit_retention' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit records are write-once: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_events_write_once BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_chain_write_once BEFORE UPDATE OR DELETE ON audit_chain FOR EACH ROW EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_checkpoints_write_once BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_keys_write_once BEFORE UPDATE OR DELETE ON audit_keys FOR EACH ROW EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain FOR EACH STATEMENT EXECUTE FUNCTION audit_write_once();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_write_once();

GRANT INSERT ON audit_events TO palisade_app;
GRANT USAGE ON SEQUENCE audit_events_id_seq TO palisade_app;

GRANT SELECT ON audit_events, audit_pending, audit_chain, audit_checkpoints, audit_keys TO palisade_audit_sealer;
GRANT DELETE ON audit_pending TO palisade_audit_sealer;
GRANT INSERT ON audit_chain TO palisade_audit_sealer;
GRANT INSERT ON audit_checkpoints TO palisade_audit_sealer, palisade_audit_retention;
GRANT SELECT ON audit_events, audit_pending, audit_chain, audit_checkpoints, audit_keys TO palisade_audit_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_exports TO palisade_audit_reader;
GRANT SELECT, DELETE ON audit_events, audit_chain TO palisade_audit_retention;
GRANT SELECT ON audit_checkpoints, audit_keys, audit_exports TO palisade_audit_retention;
