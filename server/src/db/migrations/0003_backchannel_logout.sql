-- OIDC Back-Channel Logout from the company IdP: the IdP's session id (`sid` of its ID token)
-- behind each Palisade session, and the logout tokens already acted on (replay protection).
ALTER TABLE sessions ADD COLUMN upstream_sid text;
CREATE INDEX sessions_upstream_sid ON sessions (upstream_sid) WHERE upstream_sid IS NOT NULL;

CREATE TABLE logout_token_jtis (
  issuer      text NOT NULL,
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (issuer, jti)
);
GRANT SELECT, INSERT, DELETE ON logout_token_jtis TO palisade_app;
