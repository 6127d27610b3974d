/** Types of scripts/build.mjs (plain JavaScript so it runs before anything is compiled). */
export declare function build(entry: string, outfile: string): Promise<string>;
