/**
 * How `palisade start` stops. On SIGTERM (or SIGINT) the server stops gracefully
 * (RunningServer.close: /readyz 503 and no new connections at once, requests in flight finish,
 * then the modules stop in reverse order) and the process exits 0. It exits non-zero when the
 * stop was not clean: requests had to be cut after `server.shutdownTimeout`, a module failed to
 * stop, the whole stop overran its bound, or a second signal asked to stop at once.
 */
import type { RunningServer } from './main.ts';
import { parseDuration } from './duration.ts';

/**
 * The same signal twice within this time is one request to stop. A signal sent to the process
 * group (Ctrl-C, systemd) reaches Palisade directly, and npm forwards its own copy to the start
 * script's shell; where that shell execs the command rather than waiting for it (bash does,
 * Debian's dash does not) the forwarded copy reaches Palisade too, moments after the first.
 * Note that a signal sent to npm alone never reaches Palisade through dash: run Palisade itself
 * as a container's first process (`node server/bin/palisade.ts start`), not `npm start`.
 */
export const REPEATED_SIGNAL_MS = 1000;
/** What the rest of the stop (audit queue, sealing, connections) may take after the drain. */
export const STOP_MARGIN_MS = 10_000;

export function stopOnSignals(running: RunningServer, exit: (code: number) => never = process.exit): void {
  const log = running.log;
  let firstAt: number | undefined;
  const stop = async (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < REPEATED_SIGNAL_MS) return;
      log.error({ event: 'server.stop_forced', signal }, `Palisade stopped at once (${signal} again): requests in flight were cut, queued audit records may be lost`);
      exit(1);
    }
    firstAt = Date.now();
    log.info({ event: 'server.stopping', signal }, `Palisade is stopping (${signal}): finishing requests, writing the audit trail`);
    const bound = parseDuration(running.config.server.shutdownTimeout) + STOP_MARGIN_MS;
    setTimeout(() => {
      log.error({ event: 'server.stop_timeout', signal }, 'Palisade did not stop in time: exiting anyway');
      exit(1);
    }, bound).unref();
    try {
      const { forced } = await running.close();
      if (forced) {
        log.error({ event: 'server.stop_forced', signal }, 'Palisade stopped, but requests still in flight after server.shutdownTimeout were cut');
        exit(1);
      }
    } catch (error) {
      log.error({ event: 'server.stop_failed', err: error }, 'Palisade did not stop cleanly');
      exit(1);
    }
    log.info({ event: 'server.stopped', signal }, 'Palisade stopped.');
    exit(0);
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
  // `kill -HUP` picks up a key rotation at once instead of at the next periodic reload.
  process.on('SIGHUP', () => void running.reloadKeys().catch((error: unknown) => log.error({ event: 'keys.reload_failed', err: error }, 'signing key reload failed')));
}
