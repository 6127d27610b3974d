/** Types of scripts/build.mjs (plain JavaScript so it runs before anything is compiled). */
export declare function build(entry: string, outfile: string): Promise<string>;
export declare function buildConsole(opts?: { force?: boolean }): Promise<{ skipped: boolean; initial?: { files: string[]; raw: number; gzip: number } }>;
export declare function initialScripts(outDir: string): { files: string[]; raw: number; gzip: number };
