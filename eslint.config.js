// One lint config for the whole repo. The import rules keep the layers visible:
// src-shared imports nothing platform-specific, src-main/engine never imports electron,
// src-renderer never imports src-main, and src-main's floors import only downwards
// (the layer table in scripts/lint/layers.js).
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layers from './scripts/lint/layers.js';

const noElectron = { name: 'electron', message: 'Only src-main/electron may import electron.' };

export default tseslint.config(
  { ignores: ['build/', 'out/', 'dist/', 'node_modules/', '.cache/', 'test-results/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The layer table of src-main (scripts/lint/layers.js): imports point down, no circles.
    files: ['src-main/**/*.ts', 'src-shared/**/*.ts'],
    plugins: { tempo: layers },
    rules: { 'tempo/layers': 'error' },
  },
  {
    // Files small and named for what they hold; a function over 60 lines says why in a comment
    // (an eslint-disable-next-line with its reason).
    files: ['src-main/**/*.ts', 'src-shared/**/*.ts', 'src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['src-main/**/*.ts', 'src-shared/**/*.ts', 'src-renderer/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['src-shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['node:*'], message: 'src-shared is the contract: no node: modules.' },
            {
              group: ['**/src-main/**', '**/src-renderer/**'],
              message: 'src-shared imports nothing from other layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/engine/**', 'src-main/cli/**', 'src-main/server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['electron', 'electron/*'], message: noElectron.message },
            {
              group: ['**/electron/**', '**/src-renderer/**'],
              message: 'The engine stays free of the Electron and renderer layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['**/src-main/**', 'node:*'],
              message: 'The renderer talks to the engine only through the contract.',
            },
          ],
        },
      ],
    },
  },
);
