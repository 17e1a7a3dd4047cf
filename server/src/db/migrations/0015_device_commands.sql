-- Remote wipe and lock (issue 8): a command an administrator, the CLI or an MDM event ordered
-- for one device (one DPoP key of one user and app). Lifecycle pending -> delivered ->
-- acknowledged: delivered when Palisade first hands the signed command to the app (its next API
-- call or refresh), acknowledged when the app proves with its device key that it carried it out.
-- A command that stays pending is a device that never came back; the report lists them.
CREATE TABLE device_commands (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_id        uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('wipe', 'lock')),
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'acknowledged')),
  reason           text NOT NULL,
  -- an administrator's user id, `cli`, or `mdm:<vendor>`
  requested_by     text NOT NULL,
  requested_at     timestamptz NOT NULL,
  delivered_at     timestamptz,
  acknowledged_at  timestamptz,
  delivery_count   integer NOT NULL DEFAULT 0,
  CHECK (state = 'pending' OR delivered_at IS NOT NULL),
  CHECK ((state = 'acknowledged') = (acknowledged_at IS NOT NULL))
);
-- At most one outstanding command of each kind per device: ordering again returns it.
CREATE UNIQUE INDEX device_commands_outstanding ON device_commands (device_id, kind) WHERE state <> 'acknowledged';
CREATE INDEX device_commands_report ON device_commands (state, requested_at);

GRANT SELECT, INSERT, UPDATE ON device_commands TO palisade_app;
