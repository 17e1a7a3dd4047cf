/**
 * After a data-key rotation, old values keep decrypting under their retired key; this moves them
 * to the active key so a retired key can eventually be left unused. It works in small batches,
 * each in its own owner transaction (the owner bypasses row-level security: every row), skipping
 * rows another run holds, so it can run beside serving instances and be interrupted and resumed.
 */
import type { Database } from '../../db/index.ts';
import { keyIdOf } from '../../security/index.ts';
import { ENCRYPTED_COLUMNS, encryptionContext, type EncryptedColumn } from './classification.ts';
import type { SensitiveCipher } from './routes.ts';
import { countNotUnderKey, lockNotUnderKey, setEncrypted } from './store.ts';

export interface ReencryptCipher extends SensitiveCipher {
  reencrypt(value: string, context: string, tx?: Parameters<SensitiveCipher['decrypt']>[2]): Promise<string>;
  activeKeyId(tx?: Parameters<SensitiveCipher['decrypt']>[2]): Promise<string>;
}

export async function reencryptSensitive(
  db: Database,
  cipher: ReencryptCipher,
  options: { batch?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<Record<EncryptedColumn, number>> {
  const batch = options.batch ?? 200;
  const moved = {} as Record<EncryptedColumn, number>;
  // The total is counted only when someone watches: it is an estimate (writers may add rows).
  let total = 0;
  let done = 0;
  if (options.onProgress) {
    const active = await db.asOwner((tx) => cipher.activeKeyId(tx));
    for (const column of Object.keys(ENCRYPTED_COLUMNS) as EncryptedColumn[]) {
      total += await db.asOwner((tx) => countNotUnderKey(tx, column, active));
    }
    options.onProgress(0, total);
  }
  for (const column of Object.keys(ENCRYPTED_COLUMNS) as EncryptedColumn[]) {
    moved[column] = 0;
    for (;;) {
      const count = await db.asOwner(async (tx) => {
        const active = await cipher.activeKeyId(tx);
        const rows = await lockNotUnderKey(tx, column, active, batch);
        for (const row of rows) {
          const next = await cipher.reencrypt(row.value, encryptionContext(column, row.id), tx);
          if (keyIdOf(next) !== active) throw new Error(`${column} of ${row.id} did not move to the active key`);
          await setEncrypted(tx, column, row.id, next);
        }
        return rows.length;
      });
      moved[column] += count;
      done += count;
      options.onProgress?.(done, Math.max(total, done));
      if (count < batch) break;
    }
  }
  return moved;
}
