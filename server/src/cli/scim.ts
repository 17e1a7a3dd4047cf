/** The `palisade` command group scim tokens: bearer tokens of SCIM provisioning connectors (create, list, revoke). */
import { hashToken, randomId } from '../security/index.ts';
import { ScimTokenExistsError, insertScimToken, listScimTokens, revokeScimToken } from '../scim/index.ts';
import { action, asOperator, withDatabase } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const scimCommands: CommandGroup = {
  name: 'scim',
  register(program) {
    const scim = program.command('scim').description('SCIM provisioning from the company IdP');
    const tokens = scim.command('tokens').description('bearer tokens of provisioning connectors (one per IdP connector)');
    tokens
      .command('create')
      .argument('<name>', 'the connector, e.g. entra or okta')
      .option('--replace', 'replace the connector’s active token (the old one stops working at once)')
      .option('--json', 'machine-readable output: {"name": …, "token": …, "tenantUrl": …}')
      .description('create a token; it is shown once, only its hash is stored. Prints the tenant URL to configure in the IdP')
      .action(
        action(async (name: string, options: { replace?: boolean; json?: boolean }) => {
          if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) throw new Error('the name must be 1 to 64 letters, digits, dots, dashes or underscores');
          await asOperator(async (db, config, audit) => {
            const token = `pal_scim_${randomId(32)}`;
            try {
              await insertScimToken(db, name, hashToken(token), audit, { replace: options.replace === true });
            } catch (error) {
              if (error instanceof ScimTokenExistsError) {
                throw new Error(`the connector "${name}" already has an active token; run again with --replace to replace it (the old token stops working at once)`, { cause: error });
              }
              throw error;
            }
            // The IdP's SCIM connector is configured with the base URL; it appends /Users and /Groups.
            const tenantUrl = `${config.publicUrl}/scim/v2`;
            if (options.json) console.log(JSON.stringify({ name, token, tenantUrl }));
            else console.log(`SCIM token for "${name}" (shown once; enter it as the connector's secret token):\n${token}\ntenant URL (the connector's SCIM base URL): ${tenantUrl}`);
          });
        }),
      );
    tokens
      .command('list')
      .description('list connectors and when their tokens were last used')
      .action(
        action(async () => {
          await withDatabase(async (db) => {
            for (const t of await listScimTokens(db)) {
              console.log(`${t.name}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? 'never'}${t.revokedAt ? `  REVOKED ${t.revokedAt.toISOString()}` : ''}`);
            }
          });
        }),
      );
    tokens
      .command('revoke')
      .argument('<name>')
      .description('revoke a connector’s token at once')
      .action(
        action(async (name: string) => {
          await asOperator(async (db, _config, audit) => {
            if (!(await revokeScimToken(db, name, audit))) throw new Error(`no active SCIM token named "${name}"`);
            console.log(`SCIM token "${name}" revoked`);
          });
        }),
      );
  },
};
