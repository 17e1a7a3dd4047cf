/**
 * Node adapters that persist: the device key as a JWK file and the secure store as a JSON file,
 * both created with mode 0600 (only the owner reads them) and replaced atomically (written to a
 * temporary 0600 file, then renamed), so a crash never leaves half a secret.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceKey, SecureStore } from '../platform.ts';

async function writePrivate(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  await rename(temporary, file);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A P-256 device key kept in `file` (0600). The private key is generated exportable once, to be
 * written; the key the SDK signs with is re-imported non-extractable.
 */
export function fileDeviceKey(file: string): DeviceKey {
  let keys: Promise<CryptoKeyPair> | undefined;
  const load = async (): Promise<CryptoKeyPair> => {
    let text = await readIfExists(file);
    if (!text) {
      const generated = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      text = JSON.stringify(await crypto.subtle.exportKey('jwk', generated.privateKey));
      await writePrivate(file, text);
    }
    const jwk = JSON.parse(text) as JsonWebKey;
    const { d: _d, key_ops: _ops, ...publicPart } = jwk;
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    return {
      privateKey: await crypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']),
      publicKey: await crypto.subtle.importKey('jwk', publicPart, algorithm, true, ['verify']),
    };
  };
  return {
    keyPair() {
      keys ??= load().catch((error: unknown) => {
        keys = undefined;
        throw error;
      });
      return keys;
    },
    async exists() {
      return (await readIfExists(file)) !== undefined;
    },
    async erase() {
      keys = undefined;
      await rm(file, { force: true });
    },
  };
}

/** A secure store in one JSON file (0600). Writes are serialized so none is lost. */
export function fileSecureStore(file: string): SecureStore {
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Record<string, string>> => JSON.parse((await readIfExists(file)) ?? '{}') as Record<string, string>;
  const update = (change: (entries: Record<string, string>) => void): Promise<void> => {
    const next = queue.then(async () => {
      const entries = await read();
      change(entries);
      await writePrivate(file, JSON.stringify(entries));
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async get(name) {
      await queue;
      return (await read())[name];
    },
    set: (name, value) => update((entries) => void (entries[name] = value)),
    delete: (name) => update((entries) => void delete entries[name]),
    async clear() {
      await queue;
      await rm(file, { force: true });
    },
  };
}
