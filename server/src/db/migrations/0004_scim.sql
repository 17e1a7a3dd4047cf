-- SCIM 2.0 provisioning from the company IdP (RFC 7643/7644).
-- A Palisade user is linked to a SCIM user by user name: the claim named by
-- upstream.claims.userName (e-mail by default, the UPN for Entra ID) equals the SCIM userName.
ALTER TABLE users
  ADD COLUMN user_name   text,
  ADD COLUMN disabled_at timestamptz;
-- One person per user name: a second sign-in claiming a taken name is not linked (users/store.ts).
CREATE UNIQUE INDEX users_user_name ON users (user_name) WHERE user_name IS NOT NULL;

-- Resources as the IdP last wrote them (`resource`, without id and meta), with the attributes
-- Palisade queries by pulled out into columns.
CREATE TABLE scim_users (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_name    text NOT NULL,
  external_id  text,
  active       boolean NOT NULL DEFAULT true,
  resource     jsonb NOT NULL,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users (lower(user_name));

CREATE TABLE scim_groups (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name  text NOT NULL,
  external_id   text,
  member_ids    uuid[] NOT NULL DEFAULT '{}',
  resource      jsonb NOT NULL,
  version       integer NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scim_groups_display_name ON scim_groups (lower(display_name));

-- Bearer tokens the IdPs' provisioning connectors present; only their SHA-256 is kept.
CREATE TABLE scim_tokens (
  name          text PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

GRANT SELECT, INSERT, UPDATE, DELETE ON scim_users, scim_groups TO palisade_app;
GRANT SELECT, INSERT, UPDATE ON scim_tokens TO palisade_app;
