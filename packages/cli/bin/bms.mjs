#!/usr/bin/env node
// The `bms` command. --version and shell completion are answered from small modules, the rest
// loads the CLI bundle (packages/cli/dist, built by `npm install` / `npm run build:clients`).
const arg = process.argv[2];
const dist = new URL('../dist/', import.meta.url);
try {
  if (arg === '--version' || arg === '-v') {
    const { readFileSync } = await import('node:fs');
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`bms ${version}\n`);
  } else if (arg === '__complete') {
    (await import(new URL('complete.mjs', dist).href)).runComplete(process.argv.slice(3));
  } else {
    await import(new URL('main.mjs', dist).href);
  }
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('/dist/')) {
    process.stderr.write('bms: the CLI is not built yet — run `npm run build:clients` (npm install does it)\n');
    process.exit(2);
  }
  throw e;
}
