// Lint: typescript-eslint's recommended rules, plus the layer rules of STYLE.md that a tool can
// check (which folder may import which).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message: why })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'src/generated/', '.tmp-*/', '**/dist/', 'packages/sdk/src/services/', 'packages/cli/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The browser app: DOM globals; API answers are read loosely (their shapes are the API's, checked by the e2e tests).
    files: ['console/**'],
    languageOptions: { globals: globals.browser },
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  layer(['src/store/**'], ['**/gateway/**', '**/services/**', '**/iam/**', '**/server/**'], 'store imports only shared (STYLE.md layer rules)'),
  layer(['src/shared/**'], ['**/gateway/**', '**/services/**', '**/iam/**', '**/server/**', '**/store/**'], 'shared imports nothing of ours'),
  layer(['src/spec/**'], ['**/gateway/**', '**/services/**', '**/iam/**', '**/server/**', '**/store/**'], 'the spec is data'),
  layer(['src/services/**'], ['**/gateway/**', '**/server/**'], 'services never see HTTP'),
  layer(['src/gateway/**'], ['**/store/**', '**/server/**'], 'the gateway reaches the store and the rest through its ports (deps.ts); iam is allowed (STYLE.md)'),
);
