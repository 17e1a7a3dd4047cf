/**
 * Generated from Palisade's /openapi.json by openapi-typescript (`npm run api -w sdk -- <url>`). Do not edit.
 */
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness (database reachable) */
        get: operations["getReadyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/palisade-audit-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Public keys (JWKS, Ed25519) that verify audit checkpoints and archive digests */
        get: operations["getWellKnownPalisadeAuditKeys"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search the audit trail (admin), newest first; reading it is itself audited */
        get: operations["getAdminV1AuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify the audit hash chain and its signed checkpoints in the database, as `palisade audit verify` does (admin). With the keys stored in the database: an auditor verifies an export with a copy of the keys kept elsewhere */
        post: operations["postAdminV1AuditVerify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/audit/archive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A signed archive of a time range of the audit trail (admin, step-up): the JSONL files and signed digests `palisade audit export` writes, in one JSON bundle that `palisade audit verify --archive <file> --keys <keys>` checks offline. Only sealed records under a signed checkpoint, people under pseudonyms; recorded as `audit.export` */
        get: operations["getAdminV1AuditArchive"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/alerts/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Webhook delivery attempts of the monitor’s alerts, newest first (admin): delivered, retrying or failed, with the reason; the newest 1000 are kept */
        get: operations["getAdminV1AlertsDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/unlock/challenge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A fresh, single-use challenge to sign with the session’s unlock key (works while the session is locked) */
        post: operations["postApiV1SessionUnlockChallenge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unlock an idle-locked session: a JWS (typ palisade-unlock+jwt) over {challenge, sid} signed with the unlock key registered at sign-in */
        post: operations["postApiV1SessionUnlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller’s devices and sessions (one per sign-in on a device): active, locked, or ended early and why */
        get: operations["getApiV1MeSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** End one of the caller’s own sessions (for example on a lost phone); its tokens stop working at once */
        delete: operations["deleteApiV1MeSessionsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign out: end this session (or every session of the caller); its tokens stop working at once */
        post: operations["postApiV1SessionLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user’s sessions (admin) */
        get: operations["getAdminV1UsersByIdSessions"];
        put?: never;
        post?: never;
        /** End every session of a user on every device (admin, sensitive: step-up) */
        delete: operations["deleteAdminV1UsersByIdSessions"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/sessions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One session (admin) */
        get: operations["getAdminV1SessionsById"];
        put?: never;
        post?: never;
        /** End one session now, on every instance (admin, sensitive: step-up) */
        delete: operations["deleteAdminV1SessionsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One device (admin) */
        get: operations["getAdminV1DevicesById"];
        put?: never;
        post?: never;
        /** Revoke a device (lost or stolen): its sessions end now and it cannot sign in again (admin, sensitive: step-up) */
        delete: operations["deleteAdminV1DevicesById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/devices/{id}/wipe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Order a remote wipe of the app’s data on a device: its sessions and unlock keys end now, it cannot sign in again, and its next call or refresh receives the signed command (admin, sensitive: step-up) */
        post: operations["postAdminV1DevicesByIdWipe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/devices/{id}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Order a remote lock of the app on a device: its sessions are locked now and its next call or refresh receives the signed command (admin, sensitive: step-up) */
        post: operations["postAdminV1DevicesByIdLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/device-commands": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Wipe and lock commands, oldest first (admin). `state=pending&olderThan=7d`: the devices that never came back */
        get: operations["getAdminV1DeviceCommands"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/device/commands/{id}/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Acknowledge a wipe or lock command, after carrying it out: a JWS signed with the device key
         * @description Body `{ proof }`: a compact JWS with header `{ typ: "palisade-command-ack+jwt", alg, jwk: <the device key’s public JWK> }` and payload `{ jti: <command id>, iat }`, signed with the device (DPoP) key the command names in `jkt`. Accepted once; needs the app key. See docs/remote-wipe.md.
         */
        post: operations["postApiV1DeviceCommandsByIdAck"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/app-config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Managed app configuration for this app on this device, as a JWS to keep and verify offline
         * @description A compact JWS (`typ: palisade-app-config+jwt`, ES256 or EdDSA, `kid` of a key in /oauth2/jwks) whose payload is `{ iss, sub (device id), client_id, features, offline_allowed, export_allowed, pins, min_app_version, min_os_version, ownership, compliance, iat, exp }`, valid one day. See docs/device-trust.md.
         */
        get: operations["getApiV1AppConfig"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The registered apps (clients[].id) whose keys can be managed (admin) */
        get: operations["getAdminV1Apps"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/apps/{app}/keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An app’s API keys, without their secrets (admin) */
        get: operations["getAdminV1AppsByAppKeys"];
        put?: never;
        /** Create an API key for an app; the key is in this answer only (admin, sensitive: step-up) */
        post: operations["postAdminV1AppsByAppKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/apps/{app}/keys/{id}/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace a key: a new key (in this answer only), the old one keeps working for the overlap (admin, sensitive: step-up) */
        post: operations["postAdminV1AppsByAppKeysByIdRotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/apps/{app}/keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key now (admin, sensitive: step-up) */
        delete: operations["deleteAdminV1AppsByAppKeysById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/auth/backchannel-logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OIDC Back-Channel Logout from the company IdP (form-encoded logout_token) */
        post: operations["postAuthBackchannelLogout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller: identity, roles, attributes and session */
        get: operations["getApiV1Me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/ServiceProviderConfig": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List ServiceProviderConfig */
        get: operations["getScimV2ServiceProviderConfig"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Users */
        get: operations["getScimV2Users"];
        put?: never;
        /** Create in Users */
        post: operations["postScimV2Users"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read Users/{id} */
        get: operations["getScimV2UsersById"];
        /** Replace Users/{id} */
        put: operations["putScimV2UsersById"];
        post?: never;
        /** Delete Users/{id} */
        delete: operations["deleteScimV2UsersById"];
        options?: never;
        head?: never;
        /** Update Users/{id} */
        patch: operations["patchScimV2UsersById"];
        trace?: never;
    };
    "/scim/v2/Groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Groups */
        get: operations["getScimV2Groups"];
        put?: never;
        /** Create in Groups */
        post: operations["postScimV2Groups"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/scim/v2/Groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read Groups/{id} */
        get: operations["getScimV2GroupsById"];
        /** Replace Groups/{id} */
        put: operations["putScimV2GroupsById"];
        post?: never;
        /** Delete Groups/{id} */
        delete: operations["deleteScimV2GroupsById"];
        options?: never;
        head?: never;
        /** Update Groups/{id} */
        patch: operations["patchScimV2GroupsById"];
        trace?: never;
    };
    "/admin/v1/users/{id}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user’s roles: from the IdP’s groups, granted and removed in Palisade, effective */
        get: operations["getAdminV1UsersByIdRoles"];
        /** Set the roles granted and removed in Palisade (admin, sensitive: step-up) */
        put: operations["putAdminV1UsersByIdRoles"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** People, in name order: search by name or e-mail, filter by role and status; keyset pages (admin) */
        get: operations["getAdminV1Users"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sessions of everyone, newest first: filter by person, app and state; keyset pages (admin) */
        get: operations["getAdminV1Sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Devices of everyone, most recently seen first: filter by person, app, state, ownership, compliance and last seen; keyset pages (admin) */
        get: operations["getAdminV1Devices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One person: profile attributes, effective roles and status (admin) */
        get: operations["getAdminV1UsersById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Contain one person (incident response): the account is disabled, every session ends on every instance and every device is marked wiped (admin, sensitive: step-up) */
        post: operations["postAdminV1UsersByIdDisable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-enable a disabled person (incident release). Refused with 409 when the company IdP deprovisioned them: that is reversed at the IdP. Their devices stay wiped (admin, sensitive: step-up) */
        post: operations["postAdminV1UsersByIdEnable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Counts and health for the console’s overview: sessions, devices by compliance, the audit chain’s head, signing key ages (admin) */
        get: operations["getAdminV1Overview"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/configuration": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The effective configuration with secrets removed, and `config check`’s findings (admin) */
        get: operations["getAdminV1Configuration"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the caller may do: permissions from the matrix, with scope and step-up (for the UI) */
        get: operations["getApiV1MePermissions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs in the caller’s scope, newest first (keyset paging) */
        get: operations["getApiV1Jobs"];
        put?: never;
        /** Create a job in the caller’s scope */
        post: operations["postApiV1Jobs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job */
        get: operations["getApiV1JobsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job’s history: creation, assignments and status changes, with who and when */
        get: operations["getApiV1JobsByIdEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/assignment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Assign (or reassign) an open job to a technician in scope */
        put: operations["putApiV1JobsByIdAssignment"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The assigned technician moves the job along: en route, on site, completed */
        post: operations["postApiV1JobsByIdStatus"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel an open job (sensitive: step-up) */
        post: operations["postApiV1JobsByIdCancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sites/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A customer site, with its access notes (sensitive) */
        get: operations["getApiV1SitesById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Customers with a site in the caller’s scope */
        get: operations["getApiV1Customers"];
        put?: never;
        /** Create a customer with its first site (in the caller’s scope) */
        post: operations["postApiV1Customers"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One customer with its sites in scope; contact details only for roles that need them */
        get: operations["getApiV1CustomersById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/technicians": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Technicians in the caller’s scope */
        get: operations["getApiV1Technicians"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/technicians/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a technician’s territory, skills or active flag (managers, in scope) */
        patch: operations["patchApiV1TechniciansById"];
        trace?: never;
    };
    "/api/v1/technicians/{id}/locations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A technician’s latest position and short history (sensitive) */
        get: operations["getApiV1TechniciansByIdLocations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/location": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A technician reports their own position */
        post: operations["postApiV1MeLocation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shifts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Shifts overlapping a period (default: the next 7 days); technicians see their own */
        get: operations["getApiV1Shifts"];
        put?: never;
        /** Plan a shift for a technician in scope */
        post: operations["postApiV1Shifts"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/shifts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a planned shift (sensitive: step-up) */
        delete: operations["deleteApiV1ShiftsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs by territory and status, with average hours to completion (managers) */
        get: operations["getApiV1ReportsJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/photos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The photos of a job the caller may see */
        get: operations["getApiV1JobsByIdPhotos"];
        put?: never;
        /**
         * Upload a photo to a job assigned to the caller: the body is the JPEG, PNG or HEIC itself; metadata is stripped
         * @description Content types: image/jpeg, image/png, image/heic, application/octet-stream (the content decides). At most 10485760 bytes.
         */
        post: operations["postApiV1JobsByIdPhotos"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{id}/photos/{photoId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a photo (the stripped image bytes) of a job the caller may see */
        get: operations["getApiV1JobsByIdPhotosByPhotoId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/jobs.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The jobs in the caller’s scope as CSV, newest first, streamed (managers and admins; step-up) */
        get: operations["getApiV1ExportsJobsCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/users/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Everything Palisade holds about a person, as a JSON archive with a manifest (GDPR Art. 15 and 20; admin, step-up) */
        get: operations["getAdminV1UsersByIdExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/incidents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Open personal-data breach incidents and the time left on each one’s 72-hour notification clock, the nearest deadline first (admin; `palisade incident open` starts a clock, `incident report --notified-at` stops it) */
        get: operations["getAdminV1Incidents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/privacy/erasures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Erase a person (GDPR Art. 17): personal records deleted, job history under a tombstone, the audit trail pseudonymised (admin, step-up) */
        post: operations["postAdminV1PrivacyErasures"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/admin/v1/compliance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The compliance report: the live configuration and state against the control catalogue (ASVS, MASVS, SOC 2, ISO 27001, HIPAA, PCI DSS, GDPR), with evidence and fixes. Not a certification (admin) */
        get: operations["getAdminV1Compliance"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/.well-known/palisade/pins": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * TLS certificate pins (current and backup SPKI) for apps that pin, as a signed JWT
         * @description A compact JWS (`typ: palisade-pins+jwt`, ES256 or EdDSA, `kid` of a key in /oauth2/jwks) whose payload is `{ iss, host, iat, exp, max_age, pins: [{ pin: "sha256/<base64>", role: "current" | "backup" }] }`. Apps verify it against the JWKS, check `iss`, `host` and `exp`, require that it names the pin of the connection it came over, and refresh it after `max_age` seconds. See docs/certificate-pinning.md.
         */
        get: operations["getWellKnownPalisadePins"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description An RFC 9457 problem. `type` is one of the problem types in docs/problems.md; members beyond these depend on the type. */
        Problem: {
            /**
             * Format: uri
             * @description https://palisade.dev/problems/<slug>
             */
            type: string;
            title: string;
            status: number;
            detail?: string;
            /** @description urn:palisade:request:<request id> */
            instance?: string;
        } & {
            [key: string]: unknown;
        };
        /** @description A SCIM error (RFC 7644 §3.12), with the `type` and `title` of its problem type (docs/problems.md). */
        ScimError: {
            schemas: string[];
            status: string;
            scimType?: string;
            detail?: string;
            /** Format: uri */
            type?: string;
            title?: string;
        } & {
            [key: string]: unknown;
        };
        /** Format: uuid */
        Uuid: string;
        /**
         * Format: date-time
         * @description An RFC 3339 date-time in UTC between the years 1 and 9999.
         */
        Timestamp: string;
        /** @description A page of a list, newest first: pass `next` back as the cursor to read the following page; absent on the last page. */
        Page: {
            next?: string;
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        status: "ok";
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getReadyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        status: "ready";
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWellKnownPalisadeAuditKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            kty: string;
                            crv: string;
                            x: string;
                            kid: string;
                            alg?: string;
                            use?: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1AuditEvents: {
        parameters: {
            query?: {
                user?: string;
                device?: string;
                app?: string;
                /** @description Exact action, or a prefix ending in a dot (auth.). */
                action?: string;
                resourceType?: string;
                resourceId?: string;
                outcome?: "success" | "failure" | "denied" | "error";
                from?: string;
                to?: string;
                /** @description Cursor: the `next` of the previous page. */
                before?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            id: number;
                            /** @description Position in the hash chain; null until sealed (normally under a second). */
                            seq: number | null;
                            /** Format: date-time */
                            at: string;
                            action: string;
                            /** @enum {string} */
                            outcome: "success" | "failure" | "denied" | "error";
                            reason?: string;
                            actor: {
                                userId?: string;
                                sessionId?: string;
                                deviceId?: string;
                                appId?: string;
                                ip?: string;
                                userAgent?: string;
                            };
                            resource?: {
                                type: string;
                                id?: string;
                            };
                            requestId?: string;
                            changes?: {
                                [key: string]: unknown;
                            };
                            detail?: {
                                [key: string]: unknown;
                            };
                        }[];
                        next?: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1AuditVerify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        checked: number;
                        firstSeq: number | null;
                        lastSeq: number | null;
                        checkpointsVerified: number;
                        /** @description Sealed records after the newest checkpoint. */
                        uncovered: number;
                        /** @description Records written but not yet sealed. */
                        unsealed?: number;
                        broken?: {
                            seq: number;
                            eventId?: number;
                            problem: string;
                            message: string;
                        };
                        /** @description The newest signed checkpoint (n 0: none yet). */
                        checkpoint: {
                            n: number;
                            seq: number;
                            /** Format: date-time */
                            at: string | null;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1AuditArchive: {
        parameters: {
            query?: {
                /** @description First record: the first at or after this time (default: the oldest kept). */
                from?: string;
                /** @description Last record: the last before this time (default: the newest under a signed checkpoint). */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        format: "palisade-audit-archive-bundle/1";
                        range: {
                            from: string | null;
                            to: string | null;
                            firstSeq: number | null;
                            /** @description Keep it apart from the file: verify proves the records, this proves none were cut off the end. */
                            lastSeq: number | null;
                            records: number;
                        };
                        /** Format: date-time */
                        exportedAt: string;
                        /** @description File name (as in an archive folder) → its exact text. */
                        files: {
                            [key: string]: string;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1AlertsDeliveries: {
        parameters: {
            query?: {
                outcome?: "delivered" | "retrying" | "failed";
                rule?: string;
                /** @description The `next` of the previous page. */
                cursor?: string;
                /** @description At most this many (1–200, default 50). */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: {
                            id: string;
                            /** Format: date-time */
                            at: string;
                            rule: string;
                            /** @enum {string} */
                            severity: "low" | "medium" | "high" | "critical";
                            /** @description Position of the webhook in monitoring.webhooks, from 0. */
                            webhook: number;
                            /** @description The webhook’s origin only: its path, query and credentials are never stored. */
                            origin: string;
                            attempt: number;
                            /** @description How many attempts are made at most. */
                            attempts: number;
                            /**
                             * @description retrying: this attempt failed and another follows; failed: given up.
                             * @enum {string}
                             */
                            outcome: "delivered" | "retrying" | "failed";
                            /** @description Why the attempt failed: HTTP status, timeout or error code. */
                            reason: string | null;
                        }[];
                        next?: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1SessionUnlockChallenge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        challenge: string;
                        /** Format: date-time */
                        expiresAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [locked-out](https://palisade.dev/problems/locked-out): Too many failed attempts; [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1SessionUnlock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    proof: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {unknown} */
                        unlocked: true;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [locked-out](https://palisade.dev/problems/locked-out): Too many failed attempts; [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1MeSessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: {
                            id: string;
                            clientId: string;
                            /** @enum {string} */
                            state: "active" | "locked" | "ended";
                            /**
                             * Format: date-time
                             * @description When the person signed in at the company IdP.
                             */
                            authTime: string;
                            /**
                             * Format: date-time
                             * @description When the session ends whatever happens (full sign-in needed).
                             */
                            expiresAt: string;
                            /**
                             * Format: date-time
                             * @description Last API call recorded (to within a minute).
                             */
                            lastSeenAt: string;
                            /** Format: date-time */
                            lockedAt: string | null;
                            /** Format: date-time */
                            endedAt: string | null;
                            /** @description Why the session ended early: logout, refresh_token_reuse, admin, roles_removed, device_cap, … */
                            endedReason: string | null;
                            /** @description The device (DPoP key) the session is bound to. */
                            deviceId: string | null;
                            /** @description The session making this request. */
                            current?: boolean;
                        }[];
                        devices: {
                            id: string;
                            clientId: string;
                            platform: string | null;
                            model: string | null;
                            osVersion: string | null;
                            appVersion: string | null;
                            /** Format: date-time */
                            firstSeenAt: string;
                            /** Format: date-time */
                            lastSeenAt: string;
                            /** @enum {string} */
                            state: "active" | "locked" | "evicted" | "wiped" | "revoked";
                            /** @description Why the device is no longer active (e.g. evicted by the device limit). */
                            stateReason: string | null;
                            /** Format: date-time */
                            stateAt: string | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteApiV1MeSessionsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1SessionLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description End every session of the caller, on all devices. */
                    everywhere?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ended: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1UsersByIdSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: {
                            id: string;
                            clientId: string;
                            /** @enum {string} */
                            state: "active" | "locked" | "ended";
                            /**
                             * Format: date-time
                             * @description When the person signed in at the company IdP.
                             */
                            authTime: string;
                            /**
                             * Format: date-time
                             * @description When the session ends whatever happens (full sign-in needed).
                             */
                            expiresAt: string;
                            /**
                             * Format: date-time
                             * @description Last API call recorded (to within a minute).
                             */
                            lastSeenAt: string;
                            /** Format: date-time */
                            lockedAt: string | null;
                            /** Format: date-time */
                            endedAt: string | null;
                            /** @description Why the session ended early: logout, refresh_token_reuse, admin, roles_removed, device_cap, … */
                            endedReason: string | null;
                            /** @description The device (DPoP key) the session is bound to. */
                            deviceId: string | null;
                            /** @description The session making this request. */
                            current?: boolean;
                            userId: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteAdminV1UsersByIdSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ended: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1SessionsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        clientId: string;
                        /** @enum {string} */
                        state: "active" | "locked" | "ended";
                        /**
                         * Format: date-time
                         * @description When the person signed in at the company IdP.
                         */
                        authTime: string;
                        /**
                         * Format: date-time
                         * @description When the session ends whatever happens (full sign-in needed).
                         */
                        expiresAt: string;
                        /**
                         * Format: date-time
                         * @description Last API call recorded (to within a minute).
                         */
                        lastSeenAt: string;
                        /** Format: date-time */
                        lockedAt: string | null;
                        /** Format: date-time */
                        endedAt: string | null;
                        /** @description Why the session ended early: logout, refresh_token_reuse, admin, roles_removed, device_cap, … */
                        endedReason: string | null;
                        /** @description The device (DPoP key) the session is bound to. */
                        deviceId: string | null;
                        /** @description The session making this request. */
                        current?: boolean;
                        userId: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteAdminV1SessionsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1DevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        clientId: string;
                        platform: string | null;
                        model: string | null;
                        osVersion: string | null;
                        appVersion: string | null;
                        /** Format: date-time */
                        firstSeenAt: string;
                        /** Format: date-time */
                        lastSeenAt: string;
                        /** @enum {string} */
                        state: "active" | "locked" | "evicted" | "wiped" | "revoked";
                        /** @description Why the device is no longer active (e.g. evicted by the device limit). */
                        stateReason: string | null;
                        /** Format: date-time */
                        stateAt: string | null;
                        userId: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteAdminV1DevicesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1DevicesByIdWipe: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description A command of this kind was already outstanding for the device: it is returned */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deviceId: string;
                        /** @enum {string} */
                        kind: "wipe" | "lock";
                        /** @enum {string} */
                        state: "pending" | "delivered" | "acknowledged";
                        reason: string;
                        /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                        requestedBy: string;
                        /** Format: date-time */
                        requestedAt: string;
                        /** Format: date-time */
                        deliveredAt: string | null;
                        /** Format: date-time */
                        acknowledgedAt: string | null;
                        deliveryCount: number;
                    };
                };
            };
            /** @description The command was recorded */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deviceId: string;
                        /** @enum {string} */
                        kind: "wipe" | "lock";
                        /** @enum {string} */
                        state: "pending" | "delivered" | "acknowledged";
                        reason: string;
                        /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                        requestedBy: string;
                        /** Format: date-time */
                        requestedAt: string;
                        /** Format: date-time */
                        deliveredAt: string | null;
                        /** Format: date-time */
                        acknowledgedAt: string | null;
                        deliveryCount: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1DevicesByIdLock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description A command of this kind was already outstanding for the device: it is returned */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deviceId: string;
                        /** @enum {string} */
                        kind: "wipe" | "lock";
                        /** @enum {string} */
                        state: "pending" | "delivered" | "acknowledged";
                        reason: string;
                        /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                        requestedBy: string;
                        /** Format: date-time */
                        requestedAt: string;
                        /** Format: date-time */
                        deliveredAt: string | null;
                        /** Format: date-time */
                        acknowledgedAt: string | null;
                        deliveryCount: number;
                    };
                };
            };
            /** @description The command was recorded */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deviceId: string;
                        /** @enum {string} */
                        kind: "wipe" | "lock";
                        /** @enum {string} */
                        state: "pending" | "delivered" | "acknowledged";
                        reason: string;
                        /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                        requestedBy: string;
                        /** Format: date-time */
                        requestedAt: string;
                        /** Format: date-time */
                        deliveredAt: string | null;
                        /** Format: date-time */
                        acknowledgedAt: string | null;
                        deliveryCount: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1DeviceCommands: {
        parameters: {
            query?: {
                /** @description `outstanding`: pending or delivered */
                state?: "pending" | "delivered" | "acknowledged" | "outstanding";
                /** @description Only commands ordered at least this long ago (e.g. `24h`, `7d`). */
                olderThan?: string;
                deviceId?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        commands: {
                            id: string;
                            deviceId: string;
                            /** @enum {string} */
                            kind: "wipe" | "lock";
                            /** @enum {string} */
                            state: "pending" | "delivered" | "acknowledged";
                            reason: string;
                            /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                            requestedBy: string;
                            /** Format: date-time */
                            requestedAt: string;
                            /** Format: date-time */
                            deliveredAt: string | null;
                            /** Format: date-time */
                            acknowledgedAt: string | null;
                            deliveryCount: number;
                            device: {
                                userId: string;
                                clientId: string;
                                state: string;
                                /** Format: date-time */
                                lastSeenAt: string;
                            };
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1DeviceCommandsByIdAck: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    proof: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        deviceId: string;
                        /** @enum {string} */
                        kind: "wipe" | "lock";
                        /** @enum {string} */
                        state: "pending" | "delivered" | "acknowledged";
                        reason: string;
                        /** @description An administrator’s user id, `cli`, or `mdm:<vendor>`. */
                        requestedBy: string;
                        /** Format: date-time */
                        requestedAt: string;
                        /** Format: date-time */
                        deliveredAt: string | null;
                        /** Format: date-time */
                        acknowledgedAt: string | null;
                        deliveryCount: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [locked-out](https://palisade.dev/problems/locked-out): Too many failed attempts; [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1AppConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed configuration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/jose": string;
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Apps: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        apps: {
                            id: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1AppsByAppKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                app: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        keys: {
                            /** @description Public id: the part after `pal_live_` and before the next `_`. */
                            id: string;
                            appId: string;
                            name: string;
                            /** @description `rotating`: replaced by `replacedBy`, accepted until `expiresAt`. */
                            status: "active" | "rotating" | "expired" | "revoked";
                            /** Format: date-time */
                            createdAt: string;
                            createdBy: string;
                            lastUsedAt: string | null;
                            expiresAt: string | null;
                            revokedAt: string | null;
                            replacedBy: string | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1AppsByAppKeys: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                app: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @description The key stops working this long after creation. Default: never. */
                    expiresIn?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The key, shown this once: only a keyed hash of it is stored. */
                        key: string;
                        appKey: {
                            /** @description Public id: the part after `pal_live_` and before the next `_`. */
                            id: string;
                            appId: string;
                            name: string;
                            /** @description `rotating`: replaced by `replacedBy`, accepted until `expiresAt`. */
                            status: "active" | "rotating" | "expired" | "revoked";
                            /** Format: date-time */
                            createdAt: string;
                            createdBy: string;
                            lastUsedAt: string | null;
                            expiresAt: string | null;
                            revokedAt: string | null;
                            replacedBy: string | null;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1AppsByAppKeysByIdRotate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                app: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description How long the old key keeps working. Default: 7d. */
                    overlap?: string;
                    /** @description The new key stops working this long after creation. Default: never. */
                    expiresIn?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        key: string;
                        appKey: {
                            /** @description Public id: the part after `pal_live_` and before the next `_`. */
                            id: string;
                            appId: string;
                            name: string;
                            /** @description `rotating`: replaced by `replacedBy`, accepted until `expiresAt`. */
                            status: "active" | "rotating" | "expired" | "revoked";
                            /** Format: date-time */
                            createdAt: string;
                            createdBy: string;
                            lastUsedAt: string | null;
                            expiresAt: string | null;
                            revokedAt: string | null;
                            replacedBy: string | null;
                        };
                        previous: {
                            /** @description Public id: the part after `pal_live_` and before the next `_`. */
                            id: string;
                            appId: string;
                            name: string;
                            /** @description `rotating`: replaced by `replacedBy`, accepted until `expiresAt`. */
                            status: "active" | "rotating" | "expired" | "revoked";
                            /** Format: date-time */
                            createdAt: string;
                            createdBy: string;
                            lastUsedAt: string | null;
                            expiresAt: string | null;
                            revokedAt: string | null;
                            replacedBy: string | null;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteAdminV1AppsByAppKeysById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                app: string;
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAuthBackchannelLogout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/x-www-form-urlencoded": {
                    logout_token: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1Me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string | null;
                        email: string | null;
                        roles: string[];
                        attributes: {
                            department?: string | null;
                            territory?: string | null;
                            region?: string | null;
                            projects?: string[];
                            employeeType?: string | null;
                        };
                        session: {
                            id?: string;
                            /** Format: date-time */
                            authTime?: string;
                            /** Format: date-time */
                            expiresAt?: string;
                            acr?: string | null;
                            amr?: string[];
                        };
                        clientId: string;
                        scope: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getScimV2ServiceProviderConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    getScimV2Users: {
        parameters: {
            query?: {
                filter?: string;
                /** @description 1-based index of the first result (RFC 7644 §3.4.2.4); below 1 is read as 1 */
                startIndex?: string;
                /** @description Most results on the page (at most 200); 0 gives the total alone, a negative count is read as 0 */
                count?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-filter](https://palisade.dev/problems/scim-invalid-filter): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    postScimV2Users: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    getScimV2UsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    putScimV2UsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    deleteScimV2UsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    patchScimV2UsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused; [scim-invalid-path](https://palisade.dev/problems/scim-invalid-path): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    getScimV2Groups: {
        parameters: {
            query?: {
                filter?: string;
                /** @description 1-based index of the first result (RFC 7644 §3.4.2.4); below 1 is read as 1 */
                startIndex?: string;
                /** @description Most results on the page (at most 200); 0 gives the total alone, a negative count is read as 0 */
                count?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-filter](https://palisade.dev/problems/scim-invalid-filter): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    postScimV2Groups: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    getScimV2GroupsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    putScimV2GroupsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    deleteScimV2GroupsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    patchScimV2GroupsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [scim-invalid-value](https://palisade.dev/problems/scim-invalid-value): The provisioning request was refused; [scim-400](https://palisade.dev/problems/scim-400): The provisioning request was refused; [scim-invalid-syntax](https://palisade.dev/problems/scim-invalid-syntax): The provisioning request was refused; [scim-invalid-path](https://palisade.dev/problems/scim-invalid-path): The provisioning request was refused */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-401](https://palisade.dev/problems/scim-401): The provisioning request was refused */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-404](https://palisade.dev/problems/scim-404): The provisioning request was refused */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-uniqueness](https://palisade.dev/problems/scim-uniqueness): The provisioning request was refused */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-413](https://palisade.dev/problems/scim-413): The provisioning request was refused */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-415](https://palisade.dev/problems/scim-415): The provisioning request was refused */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
            /** @description [scim-500](https://palisade.dev/problems/scim-500): The provisioning request was refused */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/scim+json": components["schemas"]["ScimError"];
                };
            };
        };
    };
    getAdminV1UsersByIdRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                        fromGroups: ("technician" | "dispatcher" | "manager" | "admin")[];
                        granted: ("technician" | "dispatcher" | "manager" | "admin")[];
                        removed: ("technician" | "dispatcher" | "manager" | "admin")[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putAdminV1UsersByIdRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    granted: ("technician" | "dispatcher" | "manager" | "admin")[];
                    removed: ("technician" | "dispatcher" | "manager" | "admin")[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                        fromGroups: ("technician" | "dispatcher" | "manager" | "admin")[];
                        granted: ("technician" | "dispatcher" | "manager" | "admin")[];
                        removed: ("technician" | "dispatcher" | "manager" | "admin")[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Users: {
        parameters: {
            query?: {
                /** @description Part of the name or e-mail address, case-insensitive. */
                q?: string;
                /** @description An effective role (from groups, granted, not removed). */
                role?: "technician" | "dispatcher" | "manager" | "admin";
                status?: "active" | "disabled";
                /** @description Rows per page, 1–200 (default 50). */
                limit?: string;
                /** @description The `next` of the previous page, with the same filters. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        users: {
                            id: string;
                            name: string | null;
                            email: string | null;
                            roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                            /**
                             * @description `disabled`: deprovisioned at the company IdP (SCIM) or contained; sign-in is refused.
                             * @enum {string}
                             */
                            status: "active" | "disabled";
                            department: string | null;
                            territory: string | null;
                            region: string | null;
                            employeeType: string | null;
                            /** Format: date-time */
                            lastLoginAt: string | null;
                            /** @description Sessions neither ended nor past their lifetime. */
                            openSessions: number;
                        }[];
                        /** @description Cursor of the next page; absent on the last page. */
                        next?: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Sessions: {
        parameters: {
            query?: {
                user?: string;
                /** @description The app (OAuth client id). */
                app?: string;
                state?: "active" | "locked" | "ended" | "expired";
                /** @description Rows per page, 1–200 (default 50). */
                limit?: string;
                /** @description The `next` of the previous page, with the same filters. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        sessions: {
                            id: string;
                            userId: string;
                            userName: string | null;
                            userEmail: string | null;
                            clientId: string;
                            /**
                             * @description `locked`: idle-locked (as last recorded); `ended`: revoked, signed out or replaced; `expired`: past its lifetime.
                             * @enum {string}
                             */
                            state: "active" | "locked" | "ended" | "expired";
                            /** Format: date-time */
                            authTime: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            expiresAt: string;
                            /** Format: date-time */
                            lastSeenAt: string;
                            /** Format: date-time */
                            lockedAt: string | null;
                            /** Format: date-time */
                            endedAt: string | null;
                            endedReason: string | null;
                            deviceId: string | null;
                            platform: string | null;
                            model: string | null;
                        }[];
                        /** @description Cursor of the next page; absent on the last page. */
                        next?: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Devices: {
        parameters: {
            query?: {
                user?: string;
                /** @description The app (OAuth client id). */
                app?: string;
                state?: "active" | "locked" | "evicted" | "wiped" | "revoked";
                ownership?: "corporate" | "byod";
                compliance?: "compliant" | "noncompliant" | "unknown";
                /** @description Last seen at or after this instant. */
                seenAfter?: string;
                /** @description Last seen before this instant (devices gone quiet). */
                seenBefore?: string;
                /** @description Rows per page, 1–200 (default 50). */
                limit?: string;
                /** @description The `next` of the previous page, with the same filters. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        devices: {
                            id: string;
                            userId: string;
                            userName: string | null;
                            userEmail: string | null;
                            clientId: string;
                            platform: string | null;
                            model: string | null;
                            osVersion: string | null;
                            appVersion: string | null;
                            /** @enum {string} */
                            state: "active" | "locked" | "evicted" | "wiped" | "revoked";
                            stateReason: string | null;
                            /**
                             * @description Corporate only when an MDM says the device is managed.
                             * @enum {string}
                             */
                            ownership: "corporate" | "byod";
                            /** @enum {string} */
                            compliance: "compliant" | "noncompliant" | "unknown";
                            complianceReasons: string[];
                            mdmDeviceId: string | null;
                            /** Format: date-time */
                            firstSeenAt: string;
                            /** Format: date-time */
                            lastSeenAt: string;
                            openSessions: number;
                        }[];
                        /** @description Cursor of the next page; absent on the last page. */
                        next?: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1UsersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string | null;
                        email: string | null;
                        userName: string | null;
                        /** @description Effective roles (from groups, granted, not removed). */
                        roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                        /** @enum {string} */
                        status: "active" | "disabled";
                        /** Format: date-time */
                        disabledAt: string | null;
                        department: string | null;
                        territory: string | null;
                        region: string | null;
                        projects: string[];
                        employeeType: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1UsersByIdDisable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person: {
                            id: string;
                            name: string | null;
                            email: string | null;
                            userName: string | null;
                            /** @description Effective roles (from groups, granted, not removed). */
                            roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                            /** @enum {string} */
                            status: "active" | "disabled";
                            /** Format: date-time */
                            disabledAt: string | null;
                            department: string | null;
                            territory: string | null;
                            region: string | null;
                            projects: string[];
                            employeeType: string | null;
                        };
                        sessionsEnded: number;
                        devicesWiped: number;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1UsersByIdEnable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string | null;
                        email: string | null;
                        userName: string | null;
                        /** @description Effective roles (from groups, granted, not removed). */
                        roles: ("technician" | "dispatcher" | "manager" | "admin")[];
                        /** @enum {string} */
                        status: "active" | "disabled";
                        /** Format: date-time */
                        disabledAt: string | null;
                        department: string | null;
                        territory: string | null;
                        region: string | null;
                        projects: string[];
                        employeeType: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Overview: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activeSessions: number;
                        /** @description Devices active or locked (not wiped, revoked or evicted). */
                        activeDevices: number;
                        compliance: {
                            compliant: number;
                            noncompliant: number;
                            unknown: number;
                        };
                        /** @description The hash chain’s head: the newest sealed record, and the newest signed checkpoint (n 0: none yet). Verifying it is POST /admin/v1/audit/verify. */
                        audit: {
                            sealedUpTo: number;
                            checkpointN: number;
                            checkpointSeq: number;
                            /** Format: date-time */
                            checkpointAt: string | null;
                        };
                        signingKeys: {
                            kid: string;
                            alg: string;
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            activatedAt: string | null;
                            /** Format: date-time */
                            retiredAt: string | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Configuration: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        source: string;
                        production: boolean;
                        settings: {
                            [key: string]: unknown;
                        };
                        findings: {
                            /** @enum {string} */
                            kind: "development-default" | "warning";
                            text: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1MePermissions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        roles: string[];
                        permissions: {
                            name: string;
                            scope: string;
                            stepUp: boolean;
                        }[];
                        scope: {
                            territory: string | null;
                            region: string | null;
                            department: string | null;
                            projects: string[];
                            contractor: boolean;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1Jobs: {
        parameters: {
            query?: {
                status?: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                territory?: string;
                department?: string;
                project?: string;
                assignedTo?: string;
                siteId?: string;
                q?: string;
                cursor?: string;
                /** @description Page size, 1–200 (default 50) */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        jobs: {
                            /** Format: uuid */
                            id: string;
                            title: string;
                            description: string;
                            department: string;
                            territory: string;
                            region: string;
                            /** Format: uuid */
                            siteId: string;
                            project: string | null;
                            /** @enum {string} */
                            priority: "low" | "normal" | "high" | "urgent";
                            /** Format: date-time */
                            windowStart: string | null;
                            /** Format: date-time */
                            windowEnd: string | null;
                            /** @enum {string} */
                            status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                            assignedTo: string | null;
                            /** Format: date-time */
                            statusChangedAt: string;
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1Jobs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    title: string;
                    description?: string;
                    department: string;
                    territory: string;
                    /** Format: uuid */
                    siteId: string;
                    project?: string;
                    /** @enum {string} */
                    priority?: "low" | "normal" | "high" | "urgent";
                    /** Format: date-time */
                    windowStart?: string;
                    /** Format: date-time */
                    windowEnd?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        title: string;
                        description: string;
                        department: string;
                        territory: string;
                        region: string;
                        /** Format: uuid */
                        siteId: string;
                        project: string | null;
                        /** @enum {string} */
                        priority: "low" | "normal" | "high" | "urgent";
                        /** Format: date-time */
                        windowStart: string | null;
                        /** Format: date-time */
                        windowEnd: string | null;
                        /** @enum {string} */
                        status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                        assignedTo: string | null;
                        /** Format: date-time */
                        statusChangedAt: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1JobsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        title: string;
                        description: string;
                        department: string;
                        territory: string;
                        region: string;
                        /** Format: uuid */
                        siteId: string;
                        project: string | null;
                        /** @enum {string} */
                        priority: "low" | "normal" | "high" | "urgent";
                        /** Format: date-time */
                        windowStart: string | null;
                        /** Format: date-time */
                        windowEnd: string | null;
                        /** @enum {string} */
                        status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                        assignedTo: string | null;
                        /** Format: date-time */
                        statusChangedAt: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1JobsByIdEvents: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: {
                            kind: string;
                            fromStatus: string | null;
                            toStatus: string | null;
                            technician: string | null;
                            /** Format: date-time */
                            at: string;
                            by: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putApiV1JobsByIdAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    technicianId: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        title: string;
                        description: string;
                        department: string;
                        territory: string;
                        region: string;
                        /** Format: uuid */
                        siteId: string;
                        project: string | null;
                        /** @enum {string} */
                        priority: "low" | "normal" | "high" | "urgent";
                        /** Format: date-time */
                        windowStart: string | null;
                        /** Format: date-time */
                        windowEnd: string | null;
                        /** @enum {string} */
                        status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                        assignedTo: string | null;
                        /** Format: date-time */
                        statusChangedAt: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1JobsByIdStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    status: "en_route" | "on_site" | "completed";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        title: string;
                        description: string;
                        department: string;
                        territory: string;
                        region: string;
                        /** Format: uuid */
                        siteId: string;
                        project: string | null;
                        /** @enum {string} */
                        priority: "low" | "normal" | "high" | "urgent";
                        /** Format: date-time */
                        windowStart: string | null;
                        /** Format: date-time */
                        windowEnd: string | null;
                        /** @enum {string} */
                        status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                        assignedTo: string | null;
                        /** Format: date-time */
                        statusChangedAt: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1JobsByIdCancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        title: string;
                        description: string;
                        department: string;
                        territory: string;
                        region: string;
                        /** Format: uuid */
                        siteId: string;
                        project: string | null;
                        /** @enum {string} */
                        priority: "low" | "normal" | "high" | "urgent";
                        /** Format: date-time */
                        windowStart: string | null;
                        /** Format: date-time */
                        windowEnd: string | null;
                        /** @enum {string} */
                        status: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                        assignedTo: string | null;
                        /** Format: date-time */
                        statusChangedAt: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1SitesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** Format: uuid */
                        customerId: string;
                        customerName: string;
                        name: string;
                        address: string;
                        territory: string;
                        region: string;
                        accessNotes: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1Customers: {
        parameters: {
            query?: {
                q?: string;
                cursor?: string;
                /** @description Page size, 1–200 (default 50) */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        customers: {
                            /** Format: uuid */
                            id: string;
                            name: string;
                            contact: {
                                name: string | null;
                                phone: string | null;
                                email: string | null;
                            } | null;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1Customers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    contact?: {
                        name?: string;
                        phone?: string;
                        /** Format: email */
                        email?: string;
                    };
                    site: {
                        name: string;
                        address: string;
                        territory: string;
                        accessNotes?: string;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        contact: {
                            name: string | null;
                            phone: string | null;
                            email: string | null;
                        } | null;
                        sites: {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            customerId: string;
                            customerName: string;
                            name: string;
                            address: string;
                            territory: string;
                            region: string;
                            accessNotes: string | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1CustomersById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        name: string;
                        contact: {
                            name: string | null;
                            phone: string | null;
                            email: string | null;
                        } | null;
                        sites: {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            customerId: string;
                            customerName: string;
                            name: string;
                            address: string;
                            territory: string;
                            region: string;
                            accessNotes: string | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1Technicians: {
        parameters: {
            query?: {
                territory?: string;
                active?: "true" | "false";
                cursor?: string;
                /** @description Page size, 1–200 (default 50) */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        technicians: {
                            /** Format: uuid */
                            id: string;
                            displayName: string;
                            territory: string;
                            region: string;
                            department: string | null;
                            skills: string[];
                            active: boolean;
                        }[];
                        next: string | null;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patchApiV1TechniciansById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    territory?: string;
                    skills?: string[];
                    active?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        displayName: string;
                        territory: string;
                        region: string;
                        department: string | null;
                        skills: string[];
                        active: boolean;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1TechniciansByIdLocations: {
        parameters: {
            query?: {
                /** @description Page size, 1–200 (default 50) */
                limit?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        locations: {
                            /** Format: date-time */
                            at: string;
                            latitude: number;
                            longitude: number;
                            accuracyM: number | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1MeLocation: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    latitude: number;
                    longitude: number;
                    accuracyM?: number;
                    /** Format: date-time */
                    at?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1Shifts: {
        parameters: {
            query?: {
                technicianId?: string;
                from?: string;
                to?: string;
                /** @description Page size, 1–200 (default 50) */
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        shifts: {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            technicianId: string;
                            /** Format: date-time */
                            startsAt: string;
                            /** Format: date-time */
                            endsAt: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1Shifts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: uuid */
                    technicianId: string;
                    /** Format: date-time */
                    startsAt: string;
                    /** Format: date-time */
                    endsAt: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** Format: uuid */
                        technicianId: string;
                        /** Format: date-time */
                        startsAt: string;
                        /** Format: date-time */
                        endsAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteApiV1ShiftsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1ReportsJobs: {
        parameters: {
            query?: {
                /** @description Days back, 1–366 (default 30) */
                days?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        since: string;
                        rows: {
                            territory: string;
                            status: string;
                            jobs: number;
                            avgHoursToComplete: number | null;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1JobsByIdPhotos: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        photos: {
                            /** Format: uuid */
                            id: string;
                            /** Format: uuid */
                            jobId: string;
                            /** @enum {string} */
                            mediaType: "image/jpeg" | "image/png" | "image/heic";
                            size: number;
                            sha256: string;
                            /** Format: uuid */
                            uploadedBy: string;
                            /** Format: date-time */
                            createdAt: string;
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postApiV1JobsByIdPhotos: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: uuid */
                        id: string;
                        /** Format: uuid */
                        jobId: string;
                        /** @enum {string} */
                        mediaType: "image/jpeg" | "image/png" | "image/heic";
                        size: number;
                        sha256: string;
                        /** Format: uuid */
                        uploadedBy: string;
                        /** Format: date-time */
                        createdAt: string;
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1JobsByIdPhotosByPhotoId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                photoId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The image bytes, metadata stripped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": string;
                    "image/png": string;
                    "image/heic": string;
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getApiV1ExportsJobsCsv: {
        parameters: {
            query?: {
                status?: "new" | "assigned" | "en_route" | "on_site" | "completed" | "cancelled";
                territory?: string;
                department?: string;
                /** @description Jobs created at or after this time. */
                from?: string;
                /** @description Jobs created before this time. */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV (RFC 4180, UTF-8, CRLF) with the columns id, title, department, territory, region, site, project, priority, status, assignedTo, windowStart, windowEnd, createdAt, statusChangedAt; cells that start like a formula are prefixed with an apostrophe. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1UsersByIdExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description format, person, generatedAt and each section’s name, record count and SHA-256 */
                        manifest: {
                            [key: string]: unknown;
                        };
                        /** @description One member per section of the manifest */
                        data: {
                            [key: string]: unknown;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [not-found](https://palisade.dev/problems/not-found): Not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Incidents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        incidents: {
                            id: string;
                            summary: string;
                            /** Format: date-time */
                            detectedAt: string;
                            /** Format: date-time */
                            openedAt: string;
                            /** @description Who opened it (the operator’s name, or the admin’s user id) */
                            openedBy: string;
                            /**
                             * Format: date-time
                             * @description Detection time + 72 h: when the supervisory authority must have been told (GDPR Art. 33)
                             */
                            notifyBy: string;
                            /** @description Until notifyBy; negative when overdue */
                            secondsLeft: number;
                            /** @description The breach-clock alerts raised so far (48h, 68h) */
                            alertsSent: string[];
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    postAdminV1PrivacyErasures: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * Format: uuid
                     * @description The user id of the person to erase
                     */
                    person: string;
                    /** @description Why (the request reference); recorded in the audit trail */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description What the audit trail and the erasure register call the person now; it names nobody */
                        pseudonym: string;
                        sessionsEnded: number;
                        counts: {
                            [key: string]: number;
                        };
                        audit: {
                            sealed: number;
                            pending: number;
                            kept: number;
                        };
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid; [malformed-body](https://palisade.dev/problems/malformed-body): The request body could not be read; [body-too-deep](https://palisade.dev/problems/body-too-deep): The request body nests too deeply */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required; [step-up-required](https://palisade.dev/problems/step-up-required): Sign in again to do this */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [body-too-large](https://palisade.dev/problems/body-too-large): The request body is too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [unsupported-media-type](https://palisade.dev/problems/unsupported-media-type): The content type is not accepted */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getAdminV1Compliance: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        format: "palisade-compliance-report/1";
                        /** Format: date-time */
                        generatedAt: string;
                        disclaimer: string;
                        instance: {
                            publicUrl: string;
                            production: boolean;
                            configSource: string;
                        };
                        summary: {
                            met: number;
                            notMet: number;
                            operator: number;
                            controls: number;
                        };
                        evidence: {
                            lastAuditVerify: {
                                /** Format: date-time */
                                at: string;
                                ok: boolean;
                                checked: number | null;
                                /** @description The range verified (null: recorded before ranges were). */
                                firstSeq: number | null;
                                lastSeq: number | null;
                                /**
                                 * @description The admin API (and console) or `palisade audit verify`.
                                 * @enum {string|null}
                                 */
                                via: "api" | "cli" | null;
                            } | null;
                            signingKeys: {
                                kid: string;
                                alg: string;
                                ageDays: number;
                                /** @enum {string} */
                                state: "active" | "next" | "retired";
                            }[];
                            appKeys: {
                                appId: string;
                                id: string;
                                status: string;
                                ageDays: number;
                            }[];
                            openIncidents: {
                                id: string;
                                /** @description Negative: overdue. */
                                secondsLeft: number;
                                /** Format: date-time */
                                notifyBy: string;
                            }[];
                        };
                        checks: {
                            id: string;
                            title: string;
                            /** @enum {string} */
                            status: "met" | "not-met" | "operator";
                            summary: string;
                            /** @description The values read: settings by their path, state by a short name. Never a secret. */
                            evidence: {
                                [key: string]: unknown;
                            };
                            fix?: string;
                            settings: string[];
                            /** @description Test files (paths in the repository) that guard the behaviour. */
                            tests: string[];
                        }[];
                        frameworks: {
                            id: string;
                            name: string;
                            scope: string;
                            summary: {
                                met: number;
                                notMet: number;
                                operator: number;
                            };
                            controls: {
                                id: string;
                                ref: string;
                                title: string;
                                /** @enum {string} */
                                status: "met" | "not-met" | "operator";
                                checks: string[];
                                fixes: string[];
                                responsibility?: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read; [malformed-authorization](https://palisade.dev/problems/malformed-authorization): The Authorization header could not be read; [validation-failed](https://palisade.dev/problems/validation-failed): The request is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [missing-app-key](https://palisade.dev/problems/missing-app-key): An app key is required; [invalid-app-key](https://palisade.dev/problems/invalid-app-key): The app key is not valid; [missing-token](https://palisade.dev/problems/missing-token): An access token is required; [invalid-token](https://palisade.dev/problems/invalid-token): The access token is not valid; [invalid-dpop-proof](https://palisade.dev/problems/invalid-dpop-proof): The DPoP proof is not valid; [session-revoked](https://palisade.dev/problems/session-revoked): The session has ended; [session-locked](https://palisade.dev/problems/session-locked): The session is locked; [signature-invalid](https://palisade.dev/problems/signature-invalid): The request signature is not valid; [signature-expired](https://palisade.dev/problems/signature-expired): The request signature is outside the time window; [signature-replayed](https://palisade.dev/problems/signature-replayed): The request was already received; [content-digest-mismatch](https://palisade.dev/problems/content-digest-mismatch): The body does not match its Content-Digest; [signature-required](https://palisade.dev/problems/signature-required): The request must be signed; [content-digest-required](https://palisade.dev/problems/content-digest-required): A Content-Digest is required */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [device-wiped](https://palisade.dev/problems/device-wiped): This device was wiped; [device-locked](https://palisade.dev/problems/device-locked): This device was locked; [token-app-mismatch](https://palisade.dev/problems/token-app-mismatch): The access token belongs to another app; [forbidden](https://palisade.dev/problems/forbidden): Not allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [rate-limited](https://palisade.dev/problems/rate-limited): Too many requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getWellKnownPalisadePins: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The signed pins document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/jwt": string;
                };
            };
            /** @description [malformed-url](https://palisade.dev/problems/malformed-url): The URL could not be read */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description [internal](https://palisade.dev/problems/internal): Internal error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
