// The boundary between the bundle-safe core and everything that touches the outside, as a check.
// Workflows run in Temporal's deterministic sandbox: they and the core they import may not reach Node
// built-ins, the adapters, or a package that does I/O. Run with `npm run lint` (part of `npm test`).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));

/** Packages that open sockets, files or processes; the core and the workflows never import them. */
const IO_PACKAGES = [
  'pg',
  'better-sqlite3',
  '@redis/client',
  'redis',
  'keyv',
  'pino',
  'prom-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  '@temporalio/interceptors-opentelemetry',
  'express',
  'express-rate-limit',
  'helmet',
  'swagger-ui-express',
  '@anthropic-ai/sdk',
  'openai',
];

const nodeBuiltins = {
  paths: NODE_BUILTINS.map((name) => ({ name, message: 'Node built-ins stay out of the bundle-safe core and the workflows.' })),
  pattern: { group: ['node:*'], message: 'Node built-ins stay out of the bundle-safe core and the workflows.' },
};

const ioPackages = {
  group: IO_PACKAGES.flatMap((name) => [name, `${name}/*`]).concat('@opentelemetry/*'),
  message: 'A package that does I/O belongs in shared/adapters/ (or activities, workers, api).',
};

const adapters = {
  regex: '(^|/)adapters(/|$)',
  message: 'shared/adapters/ touches the outside; the core and the workflows may not import it.',
};

/** The config module reads the environment; its types are welcome, its values are not. */
const configValues = {
  regex: '(^|/)shared/config$|^\\.\\./config$|^\\.\\./\\.\\./config$',
  allowTypeImports: true,
  message: 'shared/config.ts reads the environment: import its types only (import type).',
};

const outerLayers = {
  regex: '(^|/)(api|workers|scripts|activities)(/|$)',
  message: 'The core knows nothing of the processes built on it.',
};

/** Workflows reach activities through proxyActivities, so they import them for their types alone. */
const activityValues = {
  regex: '(^|/)activities(/|$)',
  allowTypeImports: true,
  message: 'Workflows import activities type-only (import type) and call them through proxyActivities.',
};

/** require() and import() would walk around the import rule; the core and the workflows use static imports. */
const staticImportsOnly = {
  '@typescript-eslint/no-require-imports': 'error',
  'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'No dynamic import() in the core or the workflows.' }],
};

const restrictedImports = (...patterns) => [
  'error',
  { paths: nodeBuiltins.paths, patterns: [nodeBuiltins.pattern, ioPackages, adapters, configValues, ...patterns] },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'test/fixtures/**', '.data/**'] },
  {
    files: ['shared/core/**/*.ts'],
    extends: [tseslint.configs.base],
    rules: { '@typescript-eslint/no-restricted-imports': restrictedImports(outerLayers), ...staticImportsOnly },
  },
  {
    files: ['workflows/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictedImports(activityValues),
      ...staticImportsOnly,
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
);
