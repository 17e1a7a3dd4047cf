/**
 * @palisade/client for browsers (the `browser` export condition): the core plus the web
 * adapters — a non-extractable WebCrypto device key kept in IndexedDB and a secure store
 * encrypted under a non-extractable AES-GCM key, also in IndexedDB. The web cannot pin TLS
 * certificates: the browser's own validation is all there is.
 */
export * from '../index.ts';
export { indexedDbDeviceKey, encryptedIndexedDbStore, webPlatform, type WebPlatformOptions } from '../web/indexeddb.ts';
