-- Webhook delivery attempts of the monitor's alerts (audit/alerts.ts), for the console's alerts
-- page: when, which alert (rule and severity), which webhook, which attempt of how many, and
-- how it went. Not the alert's key: it names an account, address or person (brute_force per
-- account), and this table is outside erasure; the alert itself is in the audit trail.
-- Bounded: the audit module keeps the newest rows only (audit/deliveries-store.ts deletes older
-- ones as it adds). No secret is ever stored: a webhook is named by its position
-- in the configuration and its origin (scheme, host, port; never the path, query or user
-- information, which carry a Slack URL's secret or credentials), never its signing secret, and
-- a failure by its kind (HTTP status, timeout, error code), never an error message.
CREATE TABLE alert_deliveries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL,
  rule        text NOT NULL CHECK (length(rule) <= 64),
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  webhook     integer NOT NULL CHECK (webhook >= 0),
  origin      text NOT NULL CHECK (length(origin) <= 300),
  attempt     integer NOT NULL CHECK (attempt >= 1),
  attempts    integer NOT NULL CHECK (attempts >= attempt),
  outcome     text NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'failed')),
  reason      text CHECK (length(reason) <= 100)
);

GRANT SELECT, INSERT, DELETE ON alert_deliveries TO palisade_app;
