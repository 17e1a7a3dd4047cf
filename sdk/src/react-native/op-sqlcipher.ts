/**
 * An `OfflineBackend` on SQLite with SQLCipher through op-sqlite (`@op-engineering/op-sqlite`
 * built with `"op-sqlite": { "sqlcipher": true }` in the app's package.json), passed in by the
 * app (`import { open } from '@op-engineering/op-sqlite'`). The database key is 32 random bytes
 * made on first use and kept only in the secure store (Keychain/Keystore), so the file is
 * unreadable without the device's unlock; clear() drops every row and forgets the key.
 *
 * The op-sqlite behaviour relied on (v9+): `open({ name, encryptionKey })` opens or creates the
 * encrypted database; `execute(sql, params)` resolves to `{ rows }`; `delete()` removes the file.
 */
import { toBase64Url } from '../crypto.ts';
import type { OfflineBackend } from '../offline.ts';
import type { SecureStore } from '../platform.ts';

export interface OpSqliteDatabase {
  execute(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  delete(): void | Promise<void>;
}

export interface OpSqliteModule {
  open(options: { name: string; encryptionKey: string }): OpSqliteDatabase;
}

const KEY_ENTRY = 'palisade.offline-key';

export function sqlCipherOfflineBackend(module: OpSqliteModule, options: { store: SecureStore; name?: string }): OfflineBackend {
  const name = options.name ?? 'palisade-offline.sqlite';
  let db: Promise<OpSqliteDatabase> | undefined;
  const database = () => {
    db ??= (async () => {
      let key = await options.store.get(KEY_ENTRY);
      if (!key) {
        key = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
        await options.store.set(KEY_ENTRY, key);
      }
      const opened = module.open({ name, encryptionKey: key });
      await opened.execute('CREATE TABLE IF NOT EXISTS palisade_offline (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
      return opened;
    })().catch((error: unknown) => {
      db = undefined;
      throw error;
    });
    return db;
  };
  return {
    async get(entry) {
      const { rows } = await (await database()).execute('SELECT value FROM palisade_offline WHERE name = ?', [entry]);
      return typeof rows[0]?.value === 'string' ? rows[0].value : undefined;
    },
    async set(entry, value) {
      await (await database()).execute('INSERT INTO palisade_offline (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [entry, value]);
    },
    async delete(entry) {
      await (await database()).execute('DELETE FROM palisade_offline WHERE name = ?', [entry]);
    },
    async clear() {
      const opened = await database();
      await opened.execute('DELETE FROM palisade_offline');
      await opened.delete();
      db = undefined;
      await options.store.delete(KEY_ENTRY);
    },
  };
}
