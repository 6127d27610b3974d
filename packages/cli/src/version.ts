/** The CLI's version (kept equal to packages/cli/package.json's by test/cli.test.ts). */
export const VERSION = '0.1.0';
