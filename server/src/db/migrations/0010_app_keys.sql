-- Per-app API keys (issue 6): every /api and /admin request names the registered app calling
-- with `palisade-app-key: pal_live_<id>_<secret><checksum>`. Only a keyed hash of the whole key
-- is kept (HMAC-SHA256 under a key derived from the master key), so neither a database leak
-- nor a backup hands out a working key. `id` is the public part of the key, for the lookup.
CREATE TABLE app_keys (
  id            text PRIMARY KEY,
  app_id        text NOT NULL,            -- clients[].id
  name          text NOT NULL,
  key_hash      text NOT NULL,            -- hex HMAC-SHA256 of the full key
  created_at    timestamptz NOT NULL,
  created_by    text NOT NULL,            -- admin user id, or `cli`
  last_used_at  timestamptz,              -- written at most once a minute per key and instance
  expires_at    timestamptz,              -- null: no expiry; set by rotation to end the overlap
  revoked_at    timestamptz,
  replaced_by   text REFERENCES app_keys (id)  -- the key a rotation created in its place
);
CREATE INDEX app_keys_app ON app_keys (app_id, created_at);

GRANT SELECT, INSERT, UPDATE ON app_keys TO palisade_app;
