-- The caller's device as row-level security sees it: db/claims.ts sets palisade.device_ownership
-- ('corporate' or 'byod', from the access token's device_ownership claim) with the other claims,
-- transaction-local. Null when the token carries none, outside a caller's transaction, and after
-- one ended. Policies may read it as palisade_claim('device_ownership') or through this function.
CREATE FUNCTION palisade_claim_device_ownership() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
  $$ SELECT CASE WHEN palisade_claim('device_ownership') IN ('corporate', 'byod') THEN palisade_claim('device_ownership') END $$;
