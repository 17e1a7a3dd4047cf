/**
 * @palisade/client for Node (the `node` export condition): the core plus Node's adapters —
 * device key in a 0600 file or memory, secure store in a 0600 file or memory, a fetch that
 * enforces the signed pin set, and loopback sign-in.
 */
import os from 'node:os';
import path from 'node:path';
import { memoryDeviceKey, memorySecureStore } from '../memory.ts';
import { fileDeviceKey, fileSecureStore } from '../node/files.ts';
import type { DeviceDescription, Platform, PostureFacts } from '../platform.ts';

export * from '../index.ts';
export { fileDeviceKey, fileSecureStore } from '../node/files.ts';
export { createPinnedFetch, spkiPin, type PinnedFetch, type PinnedFetchOptions } from '../node/pinned-fetch.ts';
export { signInWithLoopback, type LoopbackOptions } from '../node/loopback.ts';

export interface NodePlatformOptions {
  /** Folder for the key and store files (0600); absent: memory only. */
  dir?: string;
  /** The fetch to use (a pinned one from `createPinnedFetch`); default: global fetch. */
  fetch?: typeof fetch;
  appVersion: string;
  /** Overrides the device description (default: this machine). */
  device?: Partial<DeviceDescription>;
  /** Posture facts to sign (a Node tool's app usually relaxes posture; the server accepts only the platforms the client is registered for). */
  posture?(): Promise<PostureFacts | undefined>;
  /** Register an unlock key (default true). Node has no user-presence gate: the key is a file or memory. */
  unlockKey?: boolean;
}

export function nodePlatform(options: NodePlatformOptions): Platform {
  const dir = options.dir;
  return {
    fetch: options.fetch ?? fetch,
    deviceKey: dir ? fileDeviceKey(path.join(dir, 'device-key.json')) : memoryDeviceKey(),
    ...(options.unlockKey === false ? {} : { unlockKey: dir ? fileDeviceKey(path.join(dir, 'unlock-key.json')) : memoryDeviceKey() }),
    store: dir ? fileSecureStore(path.join(dir, 'store.json')) : memorySecureStore(),
    describe: () => ({ platform: 'node', model: `${os.type()} ${os.arch()}`, osVersion: os.release().replace(/[^0-9.].*$/, '') || '0', appVersion: options.appVersion, ...options.device }),
    ...(options.posture ? { posture: options.posture } : {}),
  };
}
