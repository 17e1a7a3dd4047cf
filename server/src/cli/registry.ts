/**
 * The command groups of `palisade`, in the order `palisade --help` lists them. A feature adds its
 * commands by writing one file in this folder that exports a CommandGroup and adding it here;
 * every action goes through `action()` (shared.ts), so errors read the same everywhere.
 */
import type { Command } from 'commander';
import { serverCommands } from './server.ts';
import { configCommands } from './config.ts';
import { keysCommands } from './keys.ts';
import { appsCommands } from './apps.ts';
import { scimCommands } from './scim.ts';
import { auditCommands } from './audit.ts';
import { incidentCommands } from './incident.ts';
import { devicesCommands } from './devices.ts';
import { demoCommands } from './demo.ts';
import { privacyCommands } from './privacy.ts';
import { backupCommands } from './backup.ts';
import { complianceCommands } from './compliance.ts';

export interface CommandGroup {
  /** The top-level command (or, for `server`, the commands) the group adds. */
  name: string;
  register(program: Command): void;
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [serverCommands, configCommands, keysCommands, appsCommands, scimCommands, auditCommands, incidentCommands, privacyCommands, complianceCommands, devicesCommands, backupCommands, demoCommands];
