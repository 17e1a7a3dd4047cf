-- The refresh-token retry grace window: for a short time after a DPoP-bound refresh token was
-- rotated, the response (wrapped under the master key) is kept under the hash of the rotated
-- token, so a retry by the same device key gets the same successor tokens.
CREATE TABLE refresh_retries (
  token_hash  text PRIMARY KEY,
  state       text NOT NULL,            -- pending | done
  jkt         text,
  response    text,
  expires_at  timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_retries TO palisade_app;
