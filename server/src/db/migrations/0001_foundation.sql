-- Palisade foundation: the runtime role, users federated from the company IdP, OAuth state
-- kept by the authorization server, signing keys, and sessions (one SSO login on one device).

-- The runtime role owns nothing, so row-level security applies to it (later migrations add
-- policies). Roles are cluster-wide: another database of the same cluster may have made it.
DO $$
BEGIN
  CREATE ROLE palisade_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT palisade_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN NULL; -- superusers (and PGlite) need no membership to SET ROLE
END $$;
GRANT USAGE ON SCHEMA public TO palisade_app;

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer         text NOT NULL,
  subject        text NOT NULL,
  email          text,
  name           text,
  groups         text[] NOT NULL DEFAULT '{}',
  roles          text[] NOT NULL DEFAULT '{}',
  department     text,
  territory      text,
  region         text,
  projects       text[] NOT NULL DEFAULT '{}',
  employee_type  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz,
  UNIQUE (issuer, subject)
);

-- Everything oidc-provider persists (authorization codes, refresh tokens, grants, interactions,
-- browser sessions). `id` is the SHA-256 of the model's id: several of them are bearer secrets.
CREATE TABLE oauth_payloads (
  model        text NOT NULL,
  id           text NOT NULL,
  payload      jsonb NOT NULL,
  grant_id     text,
  uid          text,
  expires_at   timestamptz,
  consumed_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oauth_payloads_grant ON oauth_payloads (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oauth_payloads_uid ON oauth_payloads (uid) WHERE uid IS NOT NULL;
CREATE INDEX oauth_payloads_expiry ON oauth_payloads (expires_at);

-- Token signing keys. The private JWK is wrapped (JWE dir/A256GCM) under the master key.
-- `retire_after` keeps a rotated-out public key in the JWKS until its last token has expired.
CREATE TABLE signing_keys (
  kid            text PRIMARY KEY,
  alg            text NOT NULL,
  public_jwk     jsonb NOT NULL,
  private_jwk    text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  activated_at   timestamptz,
  retired_at     timestamptz,
  retire_after   timestamptz
);

-- A session is one SSO login on one device (one OAuth grant). Access tokens carry its id as
-- `sid`; a revoked session makes them fail although they are still within their lifetime.
CREATE TABLE sessions (
  id              text PRIMARY KEY,
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id       text NOT NULL,
  auth_time       timestamptz NOT NULL,
  acr             text,
  amr             text[] NOT NULL DEFAULT '{}',
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  revoked_reason  text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON users, sessions TO palisade_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON oauth_payloads TO palisade_app;
GRANT SELECT, INSERT, UPDATE ON signing_keys TO palisade_app;
