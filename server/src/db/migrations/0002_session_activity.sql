-- Idle lock: when the session last made an API call (written at most once a minute per
-- instance, see sessions/activity.ts) and when it was locked for inactivity.
ALTER TABLE sessions
  ADD COLUMN last_seen_at timestamptz,
  ADD COLUMN locked_at    timestamptz,
  ADD COLUMN lock_reason  text;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL, ALTER COLUMN last_seen_at SET DEFAULT now();
