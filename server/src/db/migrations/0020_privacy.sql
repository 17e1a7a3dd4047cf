-- Data-subject rights (server/src/privacy): legal holds that refuse erasure, and the register
-- of erasures done (by pseudonym only: the register must not name whom it erased).
CREATE TABLE privacy_legal_holds (
  user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  reason     text NOT NULL,
  placed_by  text NOT NULL,
  placed_at  timestamptz NOT NULL
);

CREATE TABLE privacy_erasures (
  pseudonym  text PRIMARY KEY,
  erased_at  timestamptz NOT NULL,
  erased_by  text NOT NULL,
  counts     jsonb NOT NULL
);

GRANT SELECT ON privacy_legal_holds, privacy_erasures TO palisade_app;

-- Personal-data breaches (GDPR Art. 33): each opened with its detection time, which starts the
-- 72-hour clock for notifying the supervisory authority; notified_at stops it. `alerts_sent` remembers the 48 h and
-- 68 h alerts already raised, so several instances raise each one once.
CREATE TABLE breach_incidents (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  summary      text NOT NULL,
  detected_at  timestamptz NOT NULL,
  opened_at    timestamptz NOT NULL,
  opened_by    text NOT NULL,
  notified_at  timestamptz,
  closed_at    timestamptz,
  alerts_sent  text[] NOT NULL DEFAULT '{}',
  -- The last `palisade incident scope` result (people and records per data category), which the
  -- regulator draft reports; the measures taken as the operator describes them.
  scope        jsonb,
  measures     text
);
CREATE INDEX breach_incidents_open ON breach_incidents (detected_at) WHERE closed_at IS NULL AND notified_at IS NULL;
GRANT SELECT, UPDATE (alerts_sent) ON breach_incidents TO palisade_app;
