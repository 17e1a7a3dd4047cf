-- MDM inventory (issue 8): each device as its MDM (Intune, Jamf Pro, Workspace ONE) last
-- reported it, keyed by the vendor's own device id — the id the MDM pushes to the app as
-- `palisadeMdmDeviceId`, in one spelling (devices/mdm/binding.ts `normalizeMdmDeviceId`).
-- Filled by the scheduled inventory sync and by the vendors' notifications; read at sign-in
-- and refresh to bind an app's claimed device and to learn its compliance (devices/mdm-store.ts).
-- NULL in compliant / jailbroken / passcode_set means "the MDM does not know", never "no".
CREATE TABLE mdm_devices (
  vendor                 text NOT NULL CHECK (vendor IN ('intune', 'jamf', 'workspaceone')),
  mdm_device_id          text NOT NULL,
  -- The MDM's user for the device (UPN or e-mail), compared case-insensitively with the person signing in.
  user_hint              text,
  platform               text NOT NULL DEFAULT 'other',
  os_version             text NOT NULL DEFAULT '',
  model                  text,
  serial                 text,
  -- Enrolled and under management now; false after an unenrolment, retire, wipe or delete.
  managed                boolean NOT NULL DEFAULT false,
  compliant              boolean,
  jailbroken             boolean,
  passcode_set           boolean,
  -- The Palisade enrollment token the MDM holds for the device (Jamf extension attribute):
  -- only its SHA-256 is kept, like every other bearer secret.
  enrollment_token_hash  text,
  last_seen              timestamptz,
  -- When an inventory sync last listed the device (NULL: known only from notifications).
  synced_at              timestamptz,
  updated_at             timestamptz NOT NULL,
  -- When the MDM said the device left management, or a complete sync stopped listing it.
  removed_at             timestamptz,
  PRIMARY KEY (vendor, mdm_device_id)
);
-- A complete sync marks the devices it did not list as gone: those not synced since it started.
CREATE INDEX mdm_devices_sync ON mdm_devices (vendor, synced_at) WHERE removed_at IS NULL;

-- One inventory sync per vendor at a time across every instance, and not more often than the
-- configured interval: an instance claims the next run here (under an advisory lock) before
-- calling the vendor, so N instances do not all page through the vendor's API.
CREATE TABLE mdm_sync_runs (
  vendor          text PRIMARY KEY CHECK (vendor IN ('intune', 'jamf', 'workspaceone')),
  -- Another instance may start the next run from then on.
  next_due_at     timestamptz NOT NULL,
  -- A run in progress holds the claim until it finishes or this passes (an instance that died mid-run).
  running_until   timestamptz,
  started_at      timestamptz,
  finished_at     timestamptz,
  complete        boolean,
  seen            integer,
  stored          integer
);

GRANT SELECT, INSERT, UPDATE ON mdm_devices, mdm_sync_runs TO palisade_app;
