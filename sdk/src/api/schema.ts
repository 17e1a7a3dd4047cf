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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        post?: never;
        delete?: never;
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        post: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        delete: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
            parameters: {
                query?: {
                    filter?: string;
                    startIndex?: number;
                    count?: number;
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
            };
        };
        put?: never;
        post: {
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
            };
        };
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
        get: {
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
            };
        };
        put: {
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
            };
        };
        post?: never;
        delete: {
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
            };
        };
        options?: never;
        head?: never;
        patch: {
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
            };
        };
        trace?: never;
    };
    "/scim/v2/Groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: {
            parameters: {
                query?: {
                    filter?: string;
                    startIndex?: number;
                    count?: number;
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
            };
        };
        put?: never;
        post: {
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
            };
        };
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
        get: {
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
            };
        };
        put: {
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
            };
        };
        post?: never;
        delete: {
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
            };
        };
        options?: never;
        head?: never;
        patch: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        post?: never;
        /** End every session of a user on every device (admin, sensitive: step-up) */
        delete: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        post?: never;
        /** End one session now, on every instance (admin, sensitive: step-up) */
        delete: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        post?: never;
        /** Revoke a device (lost or stolen): its sessions end now and it cannot sign in again (admin, sensitive: step-up) */
        delete: {
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
            };
        };
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
        post: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        /** Create an API key for an app; the key is in this answer only (admin, sensitive: step-up) */
        post: {
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
            };
        };
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
        post: {
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
            };
        };
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
        delete: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        /** Create a job in the caller’s scope */
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
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
        put: {
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
            };
        };
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
        post: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        /** Create a customer with its first site (in the caller’s scope) */
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
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
        patch: {
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
            };
        };
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
        get: {
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
            };
        };
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
        post: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        /** Plan a shift for a technician in scope */
        post: {
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
            };
        };
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
        delete: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        /**
         * Upload a photo to a job assigned to the caller: the body is the JPEG, PNG or HEIC itself; metadata is stripped
         * @description Content types: image/jpeg, image/png, image/heic, application/octet-stream (the content decides). At most 10485760 bytes.
         */
        post: {
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
            };
        };
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
        get: {
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
            };
        };
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
        get: {
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
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
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
        get: {
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
            };
        };
        /** Set the roles granted and removed in Palisade (admin, sensitive: step-up) */
        put: {
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
            };
        };
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
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
