/**
 * @palisade/client for browsers (the `browser` export condition): the core plus the web
 * adapters — a non-extractable WebCrypto device key kept in IndexedDB and a secure store
 * encrypted under a non-extractable AES-GCM key, also in IndexedDB. The web cannot pin TLS
 * certificates: the browser's own validation is all there is. Sign-in on the web is a
 * full-page redirect (web/redirect.ts), step-up included.
 */
export * from '../index.ts';
export { indexedDbDeviceKey, encryptedIndexedDbStore, webPlatform, type WebPlatformOptions } from '../web/indexeddb.ts';
export { signInWithRedirect, reauthenticateWithRedirect, completeRedirectSignIn, type RedirectOptions } from '../web/redirect.ts';
export { webPostureFacts } from '../web/posture.ts';
