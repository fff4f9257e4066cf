// Types of fresh-build.js (plain JavaScript: bin/mobius-bench.js runs it before tsx loads).
export declare const BUILD_SOURCES: string[];
export declare function newestMtime(path: string): number;
export declare function freshBuild(root: string, buildDir?: string): string | null;
