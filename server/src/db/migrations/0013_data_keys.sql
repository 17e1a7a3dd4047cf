-- Envelope encryption of sensitive fields at rest (issue 5): data keys (DEKs) are random
-- 256-bit AES-GCM keys, stored only wrapped under the master key (the wrap's context names the
-- key id, so a wrapped key copied to another row does not unwrap). Encrypted values name their
-- key (`pe1.<id>.…`), so retired keys stay here and keep decrypting what they wrote: rows are
-- never deleted at runtime. Exactly one key encrypts new values: the one not retired.
CREATE TABLE data_keys (
  id            text PRIMARY KEY,
  wrapped_key   text NOT NULL,            -- JWE (dir, A256GCM) under the master key
  created_at    timestamptz NOT NULL,
  activated_at  timestamptz NOT NULL,     -- when it started encrypting new values
  retired_at    timestamptz               -- when a rotation replaced it; it still decrypts
);
-- The first use on two instances at once, or two rotations, cannot leave two active keys.
CREATE UNIQUE INDEX data_keys_one_active ON data_keys ((true)) WHERE retired_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON data_keys TO palisade_app;
