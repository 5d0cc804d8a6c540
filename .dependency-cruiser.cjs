/**
 * The import rules of the layers (CONTRIBUTING.md, "Layout"), bottom to top:
 *   stellar/ → config/ → db/ → core/ → workflows/ → activities/ → api/ · worker/ · sandbox/ · scripts/
 * A module imports only from its own layer or layers below; nothing imports test/ but tests.
 * Checked by `npm run lint` (scripts/check-layers.ts); test/unit/layers.test.ts shows each rule bites.
 */
const TOP = '(api|worker|sandbox|scripts)';
const upward = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle makes two modules one: break it by moving the shared part down. Type-only imports are erased, so they do not count.',
      severity: 'error',
      from: {},
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'not-to-test',
      comment: 'Shipped code never imports test code.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    upward(
      'stellar-is-the-bottom',
      '^stellar/',
      `^(config|db|core|workflows|activities|${TOP})/`,
      'stellar/ holds pure helpers over the SDK: no settings, no I/O.',
    ),
    upward(
      'config-above-stellar-only',
      '^config/',
      `^(db|core|workflows|activities|${TOP})/`,
      'config/ is read by everything, so it imports nothing above stellar/.',
    ),
    upward(
      'db-below-core',
      '^db/',
      `^(core|workflows|activities|${TOP})/`,
      'db/ holds tables and queries; the rules that use them live in core/.',
    ),
    upward(
      'core-below-workflows',
      '^core/',
      `^(workflows/(?!messages\\.ts$)|activities/|${TOP}/)`,
      'core/ is transport-free and used by api, activities and workflows; it may send the signals defined in workflows/messages.ts.',
    ),
    {
      name: 'workflows-deterministic',
      comment:
        'Workflow code goes into the workflow bundle: only pure core/ and stellar/ code, and activity/db/config TYPES.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: `^(db|config|activities)/`, dependencyTypesNot: ['type-only'] },
    },
    upward('workflows-below-activities', '^workflows/', `^${TOP}/`, 'Workflows know nothing of the fronts.'),
    {
      name: 'workflows-no-io',
      comment: 'No Node built-ins or I/O packages in the workflow bundle (deterministic code).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-no-io-packages',
      comment: 'No database or HTTP packages in the workflow bundle.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        path: 'node_modules/(pg|kysely|hono|@hono|pino|@temporalio/(activity|client|worker))/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'queries-in-db',
      comment:
        'Every query lives in db/ (repositories taking db | trx first); the simulators keep their own books.',
      severity: 'error',
      from: { pathNot: '^(db|sandbox|test)/' },
      to: { path: 'node_modules/(kysely|pg)/', dependencyTypesNot: ['type-only'] },
    },
    upward(
      'activities-below-top',
      '^activities/',
      `^(workflows/(?!messages\\.ts$)|${TOP}/)`,
      'Activities run side effects on core/ and db/; of the workflows they know only the signal definitions.',
    ),
    upward(
      'api-not-sandbox-or-activities',
      '^api/',
      '^(sandbox|worker|scripts|activities)/',
      'The API calls core/ services; activities run only in the worker, the simulators only beside it.',
    ),
    upward(
      'sandbox-is-the-outside-world',
      '^sandbox/',
      '^(api|activities|workflows|worker|scripts)/',
      'The simulators stand for systems outside the anchor: protocol modules of core/ at most.',
    ),
    upward(
      'worker-not-fronts',
      '^worker/',
      '^(api|sandbox|scripts)/',
      'The worker runs workflows and activities only.',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
