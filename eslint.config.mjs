// Lint config: typescript-eslint's recommended rules, type-aware, over our own sources only.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

// Which folder may import which (ARCHITECTURE.md): dependencies point down only. The single-file modules of
// lib/ (config, observability, concurrency) are the bottom layer: anyone may import them, they import no folder.
const LAYERS = {
  handlers: { pattern: 'functions', mayImport: ['http', 'collect', 'stats', 'alerts', 'events', 'export', 'store', 'rollup', 'jobs', 'ucs', 'aws'] },
  local: { pattern: 'lib/local', mayImport: ['http', 'collect', 'stats', 'alerts', 'events', 'export', 'store', 'rollup', 'jobs', 'ucs', 'aws'] },
  dashboard: { pattern: 'lib/dashboard', mayImport: ['http', 'stats', 'jobs'] },
  http: { pattern: 'lib/http', mayImport: ['stats', 'alerts', 'store', 'rollup', 'jobs', 'ucs', 'aws'] },
  collect: { pattern: 'lib/collect', mayImport: ['stats', 'events', 'store', 'rollup', 'jobs', 'ucs'] },
  stats: { pattern: 'lib/stats', mayImport: ['store', 'rollup', 'jobs'] },
  alerts: { pattern: 'lib/alerts', mayImport: ['stats', 'events', 'store', 'rollup', 'jobs'] },
  events: { pattern: 'lib/events', mayImport: ['store', 'rollup', 'jobs', 'aws'] },
  export: { pattern: 'lib/export', mayImport: ['store', 'aws'] },
  store: { pattern: 'lib/store', mayImport: ['rollup', 'jobs', 'aws'] },
  rollup: { pattern: 'lib/rollup', mayImport: ['jobs'] },
  jobs: { pattern: 'lib/jobs', mayImport: ['ucs'] },
  ucs: { pattern: 'lib/ucs', mayImport: ['aws'] },
  aws: { pattern: 'lib/aws', mayImport: [] },
};

export default tseslint.config(
  { ignores: ['node_modules/', '**/.serverless/', '**/.esbuild/', '.local/', 'coverage/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'infra/*.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The layers above, checked on every import of functions/ and lib/ (ARCHITECTURE.md).
    files: ['functions/**/*.ts', 'lib/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      'boundaries/include': ['functions/**/*.ts', 'lib/**/*.ts'],
      'boundaries/elements': Object.entries(LAYERS).map(([type, { pattern }]) =>
        ({ type, pattern }),
      ),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: Object.entries(LAYERS).map(([type, { mayImport }]) => ({
            from: { element: { type } },
            allow: { to: { element: { types: { anyOf: [type, ...mayImport] } } } },
          })),
        },
      ],
    },
  },
  {
    files: ['lib/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['./*/**'], message: 'lib/*.ts is the bottom layer: it imports no folder of lib/ (ARCHITECTURE.md)' }] }] },
  },
  {
    // The browser bundle takes only types from the rest of lib/: a value import would bundle zod and the schemas.
    files: ['lib/dashboard/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../**'], allowTypeImports: true, message: 'lib/dashboard may import only types from the rest of lib/ (ARCHITECTURE.md)' }] },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // serverless.yml's `${file(...)}` helpers are plain CommonJS run by the framework.
    files: ['infra/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // lib/local/exit-with-parent.cjs: preloaded with `node -r` into serverless-offline by `npm start`.
    files: ['lib/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', setTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests poke at loosely typed JSON bodies on purpose.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
