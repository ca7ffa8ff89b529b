// Lint: typed rules (no floating promises, consistent type imports, explicit return types on exports), no import
// cycles, and the layer table of docs/architecture.md as import rules, so a layering mistake fails `npm run lint`
// instead of waiting for a reviewer. Formatting is prettier's job (`npm run lint` runs both).
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const ours = ['core', 'contracts', 'platform', 'workflows', 'activities', 'worker', 'ingest', 'api', 'sensors', 'cli'];
const outside = ['devstack', 'bench', 'test'];

/** One zone per row of the layer table: `target` may import only `allowed` of our folders (and npm packages). */
function layer(target, allowed, except = {}) {
  return ours
    .concat(outside)
    .filter((folder) => folder !== target.split('/')[0] && !allowed.includes(folder))
    .map((folder) => ({
      target: `./${target}`,
      from: `./${folder}`,
      ...(except[folder] ? { except: except[folder] } : {}),
      message: `${target}/ may import only ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (docs/architecture.md, "Folders").`,
    }));
}

const layers = [
  ...layer('core', []),
  ...layer('contracts', ['core']),
  ...layer('platform', ['core']),
  // workflows/index.ts is the bundle's entry and re-exports the bridge's workflows; activities by `import type` only.
  ...layer('workflows', ['core', 'contracts', 'activities'], { ingest: ['./bridge/workflows'] }),
  ...layer('activities', ['core', 'contracts', 'platform']),
  // workflows by `import type` only (see the restricted imports below).
  ...layer('worker', ['core', 'contracts', 'workflows', 'activities', 'platform']),
  ...layer('ingest', ['core', 'contracts', 'platform']),
  ...layer('api', ['core', 'contracts', 'platform', 'ingest']),
  ...layer('sensors', ['core', 'contracts', 'platform', 'ingest']),
  // The CLI shares the API's wire types, nothing else of it; of ingest, the pure adapters (`explain --from`).
  ...layer('cli', ['core', 'contracts', 'platform', 'api'], { ingest: ['./adapters'] }),
  {
    target: './cli',
    from: './api',
    except: ['./types.ts'],
    message: 'cli/ may import only api/types.ts of the API.',
  },
  // Inside the bridge: the pure model imports nothing of the bridge; workflows never reach activities or the process.
  {
    target: './ingest/bridge/model',
    from: './ingest',
    except: ['./bridge/model'],
    message: 'ingest/bridge/model/ is the pure bridge domain: it imports core and contracts only.',
  },
  { target: './ingest/bridge/model', from: './platform', message: 'ingest/bridge/model/ does no I/O.' },
  {
    target: './ingest/bridge/workflows',
    from: './ingest',
    except: ['./bridge/workflows', './bridge/model', './bridge/activities'],
    message: 'ingest/bridge/workflows/ imports the bridge model (and its activities by type only).',
  },
  { target: './ingest/bridge/workflows', from: './platform', message: 'Workflow code does no I/O.' },
  {
    target: './ingest/bridge/activities',
    from: './ingest/bridge/workflows',
    message: 'Bridge activities do not import workflow code.',
  },
  { target: './ingest/bridge/activities', from: './ingest/bridge/main.ts', message: 'The process wires activities.' },
];

// Code that runs in (or is bundled into) the workflow sandbox, and the pure core: no Node built-ins.
const sandboxed = [
  'core/**/*.ts',
  'contracts/**/*.ts',
  'workflows/**/*.ts',
  'ingest/bridge/model/**/*.ts',
  'ingest/bridge/workflows/**/*.ts',
];

const typeOnly = (folder, why) => ({
  group: [`**/${folder}`, `**/${folder}/**`],
  allowTypeImports: true,
  message: why,
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.venv/**',
      '.state/**',
      'coverage/**',
      '**/*.js',
      '**/*.mjs',
      // ajv's generated code (npm run generate:validators)
      'core/schemas/validators.generated.ts',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layers }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: sandboxed,
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
  {
    files: ['workflows/**/*.ts', 'ingest/bridge/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [typeOnly('activities', 'Workflows import activities with `import type` only (proxyActivities).')],
        },
      ],
    },
  },
  {
    files: ['worker/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [typeOnly('workflows', 'The worker loads workflows from the bundle; import their types only.')] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
