/**
 * The signing-keys module: the key set that signs tokens, device commands, pin sets and app
 * configuration. A rotation by any instance (or `palisade keys rotate`) is picked up by the
 * periodic reload (and `kill -HUP`, through `reload()`); listeners swap what was built on the
 * old set.
 */
import type { Logger } from 'pino';
import type { JWK } from 'jose';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { MasterKey } from '../security/index.ts';
import { defineModule } from '../module.ts';
import { ensureSigningKey, loadKeySet, type KeySet } from './keys.ts';

const KEY_RELOAD_MS = 15_000;

export interface SigningKeysApi {
  /** The key set as last loaded. */
  current(): KeySet;
  /** The private JWK that signs now. */
  activeKey(): JWK;
  /** Re-reads the key set now; tells the listeners when it changed. */
  reload(): Promise<void>;
  onChange(listener: (keys: KeySet) => void): void;
}

export const signingKeysModule = defineModule({
  name: 'signing-keys',
  dependencies: ['db'],
  config: ['tokens'],
  async start({ config, db, master, clock, log }: { config: ResolvedConfig; db: Database; master: MasterKey; clock: Clock; log: Logger }) {
    await ensureSigningKey(db, master, config.tokens.signingAlg, clock);
    let keys = await loadKeySet(db, master, clock);
    const listeners: ((keys: KeySet) => void)[] = [];
    const api: SigningKeysApi = {
      current: () => keys,
      activeKey: () => keys.privateJwks.find((jwk) => jwk.kid === keys.activeKid)!,
      async reload() {
        const next = await loadKeySet(db, master, clock);
        if (next.version === keys.version && next.activeKid === keys.activeKid) return;
        keys = next;
        for (const listener of listeners) listener(keys);
        log.info({ event: 'keys.reloaded', activeKid: keys.activeKid, published: keys.publicJwks.length }, 'signing keys reloaded');
      },
      onChange: (listener) => void listeners.push(listener),
    };
    let timer: NodeJS.Timeout | undefined;
    return {
      api,
      serve() {
        timer = setInterval(() => api.reload().catch((err: unknown) => log.error({ err }, 'signing key reload failed')), KEY_RELOAD_MS);
        timer.unref();
      },
      async stop() {
        clearInterval(timer);
      },
    };
  },
});
