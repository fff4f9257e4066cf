// Types of test-build.mjs (plain JavaScript: tools/run-tests.mjs runs it before tsx loads).
export interface BuildOutcome {
  status: number | null;
  stderr: string;
}
export declare function ensureFreshBuild(
  root: string,
  options?: { env?: NodeJS.ProcessEnv | Record<string, string>; build?: (root: string) => BuildOutcome },
): { state: 'fresh' | 'rebuilt' | 'sources'; message: string | null };
