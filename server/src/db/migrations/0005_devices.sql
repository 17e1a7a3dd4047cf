-- Devices are keys: a device is the DPoP key pair an app keeps in the platform keystore
-- (identified by its JWK thumbprint), for one user and one app, with what the app says about it.
CREATE TABLE devices (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id     text NOT NULL,
  jkt           text NOT NULL,
  platform      text,
  model         text,
  os_version    text,
  app_version   text,
  first_seen_at timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  -- active | locked | evicted | wiped | revoked
  state         text NOT NULL DEFAULT 'active',
  state_reason  text,
  state_at      timestamptz,
  UNIQUE (user_id, client_id, jkt)
);
CREATE INDEX devices_user ON devices (user_id, state, last_seen_at);

ALTER TABLE sessions ADD COLUMN device_id uuid REFERENCES devices (id) ON DELETE SET NULL;
CREATE INDEX sessions_device ON sessions (device_id) WHERE device_id IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON devices TO palisade_app;
