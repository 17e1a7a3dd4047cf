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
      const [table, field] = column.split('.') as [string, string];
      const { rows } = await db.asOwner((tx) => tx.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table} WHERE ${field} IS NOT NULL AND ${field} NOT LIKE $1`, [`pe1.${active}.%`]));
      total += Number(rows[0]!.n);
    }
    options.onProgress(0, total);
  }
  for (const column of Object.keys(ENCRYPTED_COLUMNS) as EncryptedColumn[]) {
    // Table and column names come from the code's own list, never from input.
    const [table, field] = column.split('.') as [string, string];
    moved[column] = 0;
    for (;;) {
      const count = await db.asOwner(async (tx) => {
        const active = await cipher.activeKeyId(tx);
        const { rows } = await tx.query<{ id: string; value: string }>(
          `SELECT id, ${field} AS value FROM ${table} WHERE ${field} IS NOT NULL AND ${field} NOT LIKE $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [`pe1.${active}.%`, batch],
        );
        for (const row of rows) {
          const next = await cipher.reencrypt(row.value, encryptionContext(column, row.id), tx);
          if (keyIdOf(next) !== active) throw new Error(`${column} of ${row.id} did not move to the active key`);
          await tx.query(`UPDATE ${table} SET ${field} = $2 WHERE id = $1`, [row.id, next]);
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
