-- Photo bytes in PostgreSQL (photos.store `database`, the default with database.url), so every
-- instance behind a load balancer reads the photos any instance stored. A blob is a row of its
-- own plus its bytes in chunks of at most 1 MiB: no single value or protocol message grows with
-- the photo, and a blob is written in one transaction, so it appears whole or not at all.
--
-- The key is the capability, as with the folder store: 32 random bytes that only an fs_photos row
-- (under row-level security) hands out, and the routes read a blob only by the key of a row the
-- caller may see. Row-level security cannot tell a lookup by key from a listing, so these tables
-- have no policy of their own; the runtime role reads, adds and removes blobs, never updates one.
-- Large objects were not used: they sit outside table grants, RLS and cascading deletes.
CREATE TABLE fs_photo_blobs (
  key         text PRIMARY KEY CHECK (key ~ '^[A-Za-z0-9_-]{43}$'),
  size        integer NOT NULL CHECK (size > 0),
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fs_photo_blob_chunks (
  key    text NOT NULL REFERENCES fs_photo_blobs (key) ON DELETE CASCADE,
  seq    integer NOT NULL CHECK (seq >= 0),
  bytes  bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 1048576),
  PRIMARY KEY (key, seq)
);

GRANT SELECT, INSERT, DELETE ON fs_photo_blobs, fs_photo_blob_chunks TO palisade_app;
