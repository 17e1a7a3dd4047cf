-- Request signing (RFC 9421, issue 6): each session has one HMAC-SHA256 key the app signs its
-- API requests with. Only the key wrapped under the master key is stored (context names the
-- session, so a wrapped key copied to another session's row does not unwrap). The row goes with
-- the session: deleted when the session is revoked (sessions/store.ts, destroyGrantRecords) and
-- by the foreign key when the session row itself is deleted.
CREATE TABLE session_signing_keys (
  session_id   text PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
  key_id       text NOT NULL UNIQUE,
  wrapped_key  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, DELETE ON session_signing_keys TO palisade_app;
