// `npm run lint`: typescript-eslint's recommended rules and eslint-plugin-security's, with zero
// warnings allowed (.ci/run runs it). Type checking itself is `npm run typecheck`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import security from 'eslint-plugin-security';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'server/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Flags every `object[key]`; Palisade's keys come from its own constants and schemas, and
      // prototype pollution is stopped where input is parsed (http/json.ts refuses __proto__).
      'security/detect-object-injection': 'off',
      // Unused values are bugs; a leading underscore marks one left unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // These files read and write paths the operator configures (dataDir, TLS files, the audit
    // archive, migrations shipped with the code) or blob keys checked against BLOB_KEY_PATTERN;
    // no path comes from a request. Everywhere else the rule stays on.
    files: [
      'server/src/audit/anchor.ts',
      'server/src/audit/archive.ts',
      'server/src/audit/range-export.ts',
      'server/src/cli/audit.ts',
      'server/src/cli/compliance.ts',
      'server/src/cli/index.ts',
      'server/src/cli/incident.ts',
      'server/src/cli/privacy.ts',
      'server/src/config/load.ts',
      'server/src/console/serve.ts',
      'server/src/db/backup.ts',
      'server/src/db/embedded-setup.ts',
      'server/src/db/migrate.ts',
      'server/src/db/module.ts',
      'server/src/db/open.ts',
      'server/src/domains/fieldservice/photos/blob-store.ts',
      'server/src/http/tls.ts',
      'server/src/main.ts',
      'server/src/security/master-key.ts',
      'server/src/security/person-key-file.ts',
    ],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    // Tests, benchmarks and scripts are not reachable by a client: they build paths and
    // patterns from their own temporary folders and fixtures, and compare no secrets.
    files: ['server/test/**', 'server/bench/**', 'server/scripts/**'],
    rules: {
      'security/detect-non-literal-fs-filename': 'off',
      'security/detect-non-literal-regexp': 'off',
      'security/detect-unsafe-regex': 'off',
      'security/detect-possible-timing-attacks': 'off',
    },
  },
);
