// ESLint (flat config). Its main job is the layer rule: which folder of src/ may import which,
// as ARCHITECTURE.md draws it. A layer may use any layer below it, never one above or beside it.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Each layer and what it may import (besides itself). `env` (the numeric switches), `errors` (the
 * one error model), `fs` (file helpers) and `types` (ambient declarations) are for every layer. `config.ts` reads the
 * environment, so only the layers that start a process (ops, server, cli) may read it; everything
 * below gets its settings passed in.
 */
const MAY_USE = {
  data: ['env', 'errors', 'fs', 'types'],
  // The wire shapes (TypeBox schemas of requests and responses) speak data's vocabulary only.
  wire: ['data', 'env', 'errors', 'types'],
  store: ['data', 'env', 'errors', 'fs', 'types'],
  models: ['store', 'data', 'env', 'errors', 'fs', 'types'],
  registry: ['models', 'store', 'data', 'env', 'errors', 'fs', 'types'],
  recommend: ['wire', 'models', 'store', 'data', 'env', 'errors', 'fs', 'types'],
  eval: ['models', 'store', 'data', 'env', 'errors', 'fs', 'types'],
  ops: ['recommend', 'registry', 'eval', 'wire', 'models', 'store', 'data', 'env', 'errors', 'fs', 'types', 'config.ts'],
  server: ['ops', 'recommend', 'registry', 'eval', 'wire', 'models', 'store', 'data', 'env', 'errors', 'fs', 'types', 'config.ts'],
  cli: ['server', 'ops', 'recommend', 'registry', 'eval', 'wire', 'models', 'store', 'data', 'env', 'errors', 'fs', 'types', 'config.ts'],
};
const EVERYTHING = [...Object.keys(MAY_USE), 'env', 'errors', 'fs', 'types', 'config.ts', 'index.ts'];

const layerZones = Object.entries(MAY_USE).flatMap(([layer, allowed]) =>
  EVERYTHING.filter((other) => other !== layer && !allowed.includes(other)).map((other) => ({
    target: `./src/${layer}`,
    from: `./src/${other}`,
    message: `${layer}/ may not import ${other} (layers: ARCHITECTURE.md). Pass what it needs in, or move the code to the layer that owns it.`,
  })),
);

/** The web page runs in a browser: it may import types from src/ (erased at build) but no code. */
const webImports = {
  patterns: [
    {
      regex: '^(\\.\\./)+src/',
      allowTypeImports: true,
      message: 'web/ runs in the browser: import only types from src/ (import type …), never Node code.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'coverage/**', '**/*.wasm.ts'] },
  {
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { 'import-x': importX },
    // Resolves the `.js` specifiers of ESM TypeScript to their `.ts` files, as tsc does.
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: ['tsconfig.json', 'web/tsconfig.json'], noWarnOnMultipleProjects: true }),
      ],
    },
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: { '@typescript-eslint/no-restricted-imports': ['error', webImports] },
  },
);
