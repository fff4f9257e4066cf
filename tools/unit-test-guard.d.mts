// Types of unit-test-guard.mjs (plain JavaScript: loaded before tsx).
export declare function isTestFile(file: string): boolean;
export declare function isEndToEndFile(file: string): boolean;
export declare function unitTestFile(argv?: readonly string[]): string | null;
export declare function unitSpawnError(name: string, what: string): Error;
