/**
 * Dependencies point one way (README, "Architecture"):
 *   bin → composition root → commands/, jobs/, src/cli, src/web → services → src/domain → src/db
 * `npm run deps` checks it, and `npm run check` and CI run that. Type-only imports count too: a
 * type that points upward is a design that points upward.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: the modules cannot be understood (or loaded) one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-not-to-commands-or-jobs',
      severity: 'error',
      comment:
        'src/ is the core; bot features (commands/) and scheduled jobs (jobs/) reach it only through the composition root (bin/root.ts).',
      from: { path: '^src/' },
      to: { path: '^(commands|jobs)/' },
    },
    {
      name: 'domain-not-to-channels',
      severity: 'error',
      comment:
        'The domain decides what is said to whom and when; message templates, channels, delivery, the scheduler, the CLI, the web desk and the sandbox decide how. It imports none of them.',
      from: { path: '^src/domain/' },
      to: { path: '^src/(delivery|telegram|cli|web|sandbox|scheduler|templates|service\.ts)' },
    },
    {
      name: 'db-not-to-domain',
      severity: 'error',
      comment: 'The database layer (schema, client) knows nothing of the services built on it.',
      from: { path: '^src/db/' },
      to: { path: '^src/(domain|delivery|telegram|cli|web|sandbox|scheduler|templates)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The compiled JavaScript (npm run build) mirrors the sources; the rules judge the sources.
    exclude: { path: '^dist/' },
    includeOnly: '^(src|commands|jobs|bin|test|bench)/',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
}
