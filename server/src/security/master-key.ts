/**
 * The master key every secret at rest is wrapped under, and the envelope cipher of the domain's
 * sensitive columns built on it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { generateMasterKey, masterKeyFromBase64url, type MasterKey } from './primitives.ts';
import { FieldCipher } from './envelope.ts';

/** The master key: configured, or (development only) generated once into the data folder. */
export function resolveMasterKey(config: ResolvedConfig): MasterKey {
  if (config.masterKey) return masterKeyFromBase64url(config.masterKey);
  const file = path.join(config.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, generateMasterKey() + '\n', { mode: 0o600, flag: 'wx' });
  }
  return masterKeyFromBase64url(readFileSync(file, 'utf8').trim());
}

/**
 * Encryption of the domain's sensitive columns: envelope encryption under data keys wrapped by
 * the master key (envelope.ts, decision 0012). Ready before use: the active data key is loaded
 * (or the first one created) outside any request's transaction.
 */
export async function sensitiveCipher(db: Database, master: MasterKey, audit?: AuditSink): Promise<FieldCipher> {
  const cipher = new FieldCipher({ db, master, ...(audit ? { audit } : {}) });
  await cipher.ready();
  return cipher;
}
