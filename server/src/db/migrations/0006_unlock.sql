-- Biometric unlock of an idle-locked session: the public key the app registered at sign-in
-- (its private key needs user presence on the device), the outstanding challenge (hashed),
-- and failed attempts (five block unlocking until a full sign-in).
ALTER TABLE sessions
  ADD COLUMN unlock_jwk                   jsonb,
  ADD COLUMN unlock_challenge             text,
  ADD COLUMN unlock_challenge_expires_at  timestamptz,
  ADD COLUMN unlock_failures              integer NOT NULL DEFAULT 0,
  ADD COLUMN unlock_blocked_at            timestamptz;
