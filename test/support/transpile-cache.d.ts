// Types of transpile-cache.js (plain JS, since ts-require.js loads it before any TypeScript can run).
export const projectRoot: string;
/** The CommonJS output of the TypeScript file `filename` (absolute) whose text is `source`, from the cache if there. */
export function transpileCached(filename: string, source: string): string;
/** Every .ts file (not .d.ts) under `dirs` (relative to the project root), as [relative path, absolute path]. */
export function sourceFiles(dirs: readonly string[]): Array<[string, string]>;
/** Fills the cache for every .ts file under `dirs`. */
export function warm(dirs: readonly string[]): void;
