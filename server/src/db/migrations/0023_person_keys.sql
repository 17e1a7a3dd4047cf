-- Per-person data keys (crypto-shredding, decision 0023). Each person whose location trail or
-- photos Palisade stores gets a random 256-bit AES-GCM key, kept here only wrapped under a key
-- derived from the master key. Their positions and photo bytes are encrypted under it, and
-- erasure deletes the row in the erasure's transaction: every copy of that data — an S3 object
-- version, a blob whose delete failed, a row in a backup — is then ciphertext no key opens.
--
-- The runtime role may read and add keys, never delete or change one: only the owner's erasure
-- transaction destroys a key. `palisade backup` keeps this table's rows out of the data backup
-- and writes them to a key file of their own (docs/operations.md), so a data backup restored
-- with a key file written after an erasure cannot read the erased person's data.
CREATE TABLE person_keys (
  id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{16}$'),
  person_id    uuid NOT NULL UNIQUE,
  wrapped_key  text NOT NULL,            -- JWE (dir, A256GCM) under the derived key-encryption key
  created_at   timestamptz NOT NULL
);
GRANT SELECT, INSERT ON person_keys TO palisade_app;

-- A position is stored sealed (`pk1.<key id>.<iv>.<ciphertext+tag>` of its coordinates and
-- accuracy) with the plaintext columns empty. Rows written before this migration keep their
-- plaintext until the sealing pass (`palisade privacy seal`, also run at start-up) encrypts them.
ALTER TABLE fs_locations
  ALTER COLUMN latitude DROP NOT NULL,
  ALTER COLUMN longitude DROP NOT NULL,
  ADD COLUMN sealed text,
  ADD CONSTRAINT fs_locations_one_form CHECK (
    (sealed IS NULL AND latitude IS NOT NULL AND longitude IS NOT NULL)
    OR (sealed IS NOT NULL AND latitude IS NULL AND longitude IS NULL AND accuracy_m IS NULL));

-- Whether the photo's blob holds its bytes sealed under the uploader's person key (true for every
-- upload from this migration on) or, for an older photo not yet sealed, the plain image.
ALTER TABLE fs_photos ADD COLUMN sealed boolean NOT NULL DEFAULT false;
