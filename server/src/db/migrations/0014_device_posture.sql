-- Device trust (issue 8): what the device last reported about itself (signed with its DPoP key),
-- what the compliance policy concluded, and the facts it concluded from. Ownership is corporate
-- only when the MDM says the device is managed; everything else is BYOD.
ALTER TABLE devices
  ADD COLUMN ownership          text,
  ADD COLUMN posture            jsonb,
  ADD COLUMN posture_at         timestamptz,
  -- compliant | noncompliant | unknown (no posture reported and none required)
  ADD COLUMN compliance         text NOT NULL DEFAULT 'unknown',
  ADD COLUMN compliance_reasons text[] NOT NULL DEFAULT '{}',
  ADD COLUMN compliance_at      timestamptz,
  ADD COLUMN mdm_device_id      text,
  -- The platform attestation key (App Attest) the device enrolled, with its last accepted counter.
  ADD COLUMN attested_key       jsonb;
ALTER TABLE devices ADD CONSTRAINT devices_ownership CHECK (ownership IS NULL OR ownership IN ('corporate', 'byod'));
ALTER TABLE devices ADD CONSTRAINT devices_compliance CHECK (compliance IN ('compliant', 'noncompliant', 'unknown'));
CREATE INDEX devices_mdm ON devices (mdm_device_id) WHERE mdm_device_id IS NOT NULL;
