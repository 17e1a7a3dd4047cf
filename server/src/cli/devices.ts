/** The `palisade` command group devices: remote wipe and lock of an app on a device, and the list of those commands. */
import { parseDuration } from '../duration.ts';
import { systemClock } from '../clock.ts';
import { Devices } from '../sessions/index.ts';
import { DeviceCommands, DeviceCommandError, type CommandFilter } from '../devices/index.ts';
import { noAudit } from '../audit/index.ts';
import { openRedisCache, type SharedCache } from '../cache/index.ts';
import { action, asOperator, withDatabase } from './shared.ts';
import type { CommandGroup } from './registry.ts';
import { operatorSessions } from './sessions.ts';

export const devicesCommands: CommandGroup = {
  name: 'devices',
  register(program) {
    // Remote wipe and lock (docs/remote-wipe.md). The running instances hear the revocations and
    // locks through the feed (PostgreSQL or Redis); the commands reach the devices from there.
    const devicesCommand = program.command('devices').description('remote wipe and lock of an app on a device (docs/remote-wipe.md)');
    for (const kind of ['wipe', 'lock'] as const) {
      devicesCommand
        .command(kind)
        .description(kind === 'wipe' ? 'order the app on a device to delete its data and keys: its sessions end now, the device key can never sign in again' : 'order the app on a device to lock: its sessions are locked now until unlocked or signed in again')
        .argument('<deviceId>', 'the device id (admin API /admin/v1/devices/{id}, the user’s session list)')
        .requiredOption('--reason <text>', 'why (recorded with the command and in the audit trail)')
        .option('--json', 'print the command as JSON')
        .action(
          action(async (deviceId: string, options: { reason: string; json?: boolean }) => {
            try {
              await asOperator(async (db, config, audit) => {
                let cache: SharedCache | undefined;
                // With Redis the revocation feed travels there: the running instances must hear it.
                if (config.redis.url) cache = await openRedisCache(config.redis.url);
                try {
                  const sessions = operatorSessions(db, config, { ...(cache ? { cache } : {}), audit });
                  const devices = new Devices(db, systemClock, sessions, config.sessions.maxDevices, audit);
                  const commands = new DeviceCommands({ db, clock: systemClock, sessions, devices, audit });
                  const { command, created } = await commands.orderCommand(deviceId, kind, 'cli', options.reason);
                  if (options.json) console.log(JSON.stringify({ ...command, created }));
                  else console.log(`${created ? 'ordered' : 'already outstanding'}: ${kind} command ${command.id} for device ${deviceId} (${command.state}); the device is told at its next API call or refresh`);
                } finally {
                  await cache?.close();
                }
              });
            } catch (error) {
              if (error instanceof DeviceCommandError && error.code === 'ERR_UNKNOWN_DEVICE') throw new Error(`no device ${deviceId}`, { cause: error });
              throw error;
            }
          }),
        );
    }
    devicesCommand
      .command('commands')
      .description('wipe and lock commands, oldest first')
      .option('--pending', 'only commands no device has fetched yet (devices that never came back)')
      .option('--outstanding', 'only commands not acknowledged yet')
      .option('--older-than <duration>', 'only commands ordered at least this long ago (e.g. 24h, 7d)')
      .option('--json', 'print JSON lines')
      .action(
        action(async (options: { pending?: boolean; outstanding?: boolean; olderThan?: string; json?: boolean }) => {
          const filter: CommandFilter = {
            ...(options.pending ? { state: 'pending' as const } : options.outstanding ? { state: 'outstanding' as const } : {}),
            ...(options.olderThan ? { requestedBefore: new Date(Date.now() - parseDuration(options.olderThan)) } : {}),
          };
          await withDatabase(async (db, config) => {
            const sessions = operatorSessions(db, config);
            const commands = new DeviceCommands({ db, clock: systemClock, sessions, devices: new Devices(db, systemClock, sessions, config.sessions.maxDevices), audit: noAudit });
            const list = await commands.list(filter);
            for (const c of list) {
              if (options.json) console.log(JSON.stringify({ id: c.id, deviceId: c.deviceId, kind: c.kind, state: c.state, reason: c.reason, requestedBy: c.requestedBy, requestedAt: c.requestedAt, deliveredAt: c.deliveredAt, acknowledgedAt: c.acknowledgedAt, deliveryCount: c.deliveryCount, userId: c.userId, clientId: c.clientId, deviceState: c.deviceState }));
              else console.log(`${c.id}  ${c.kind.padEnd(4)}  ${c.state.padEnd(12)}  device ${c.deviceId} (${c.clientId}, ${c.deviceState})  ordered ${new Date(c.requestedAt).toISOString()} by ${c.requestedBy}  delivered ${c.deliveryCount}x  ${c.reason}`);
            }
            if (!options.json && list.length === 0) console.log('no commands');
          });
        }),
      );
  },
};
