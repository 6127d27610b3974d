// Lint: typescript-eslint's recommended rules, plus the dependency rules of the layers (the
// table below; README "Dependency rules" shows the same table and test/lint-rules.test.ts
// checks that the two agree, that it has no cycle and that every rule fires).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { STORE_PORT_DEBT } from './eslint.store-debt.js';

/**
 * Which folders of src/ each folder may import (besides itself). `server` is the composition
 * root and may import anything. Outside drivers/ and server/, hardware is reached only through
 * drivers/interfaces, drivers/registry.ts and drivers/lab.ts — never a driver's own folder.
 */
export const LAYERS = {
  shared: [],
  spec: [],
  generated: [],
  config: [],
  network: [],
  docs: ['shared', 'spec'],
  drivers: ['shared'],
  store: ['shared', 'network'],
  tasks: ['shared', 'store'],
  lifecycle: ['shared', 'store'],
  billing: ['shared', 'store'],
  install: ['shared', 'drivers'],
  iam: ['shared', 'spec', 'store'],
  flows: ['shared', 'drivers', 'lifecycle', 'network', 'store', 'tasks'],
  reconcile: ['shared', 'drivers', 'flows', 'lifecycle', 'network', 'store'],
  monitoring: ['shared', 'drivers', 'flows', 'gateway', 'reconcile', 'store'],
  services: ['shared', 'billing', 'drivers', 'flows', 'generated', 'iam', 'lifecycle', 'network', 'spec', 'store', 'tasks'],
  gateway: ['shared', 'docs', 'iam', 'services', 'spec'],
  console: ['shared', 'gateway', 'iam', 'services', 'store'],
  server: ['*'],
};

export const DRIVER_INTERNALS = ['sim', 'redfish', 'noop', 'conformance'];

const folders = Object.keys(LAYERS);

function importRules(folder, { storePort }) {
  const allowed = LAYERS[folder];
  const patterns = [];
  if (!allowed.includes('*')) {
    for (const other of folders) {
      if (other === folder || allowed.includes(other)) continue;
      patterns.push({ group: [`**/${other}/**`, `**/${other}/*.ts`], message: `src/${folder} may import only ${allowed.join(', ') || 'nothing of ours'} (the dependency rules, eslint.config.js LAYERS)` });
    }
  }
  if (folder !== 'drivers' && folder !== 'server') {
    patterns.push({ group: DRIVER_INTERNALS.map((d) => `**/drivers/${d}/**`), message: 'reach hardware through drivers/interfaces, drivers/registry.ts or drivers/lab.ts, never a driver\'s own folder' });
  }
  if (storePort) {
    patterns.push({ group: ['kysely', '**/store/schema.ts', '**/store/schema'], message: 'queries and the schema live in src/store (the store port): add a repository function there' });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

/** A query built outside src/store: `x.selectFrom(…)`, `insertInto`, `updateTable`, `deleteFrom`. */
export const QUERY_SELECTOR = 'CallExpression > MemberExpression.callee > Identifier.property[name=/^(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)$/]';
const noQueries = { 'no-restricted-syntax': ['error', { selector: QUERY_SELECTOR, message: 'queries live in src/store (the store port): add a repository function there' }] };

const layerConfigs = folders.flatMap((folder) => {
  const files = [`src/${folder}/**/*.ts`];
  if (folder === 'store' || folder === 'generated') return [{ files, rules: importRules(folder, { storePort: false }) }];
  const debt = STORE_PORT_DEBT.filter((f) => f.startsWith(`src/${folder}/`));
  return [
    { files, ignores: debt, rules: { ...importRules(folder, { storePort: true }), ...noQueries } },
    ...(debt.length > 0 ? [{ files: debt, rules: importRules(folder, { storePort: false }) }] : []),
  ];
});

export default tseslint.config(
  { ignores: ['node_modules', 'data/', 'src/generated/', '.tmp-*/', '**/dist/', 'packages/sdk/src/services/', 'packages/cli/src/generated/'] },
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
  ...layerConfigs,
);
