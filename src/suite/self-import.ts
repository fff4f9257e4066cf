// Lets a suite anywhere on disk `import { defineSuite } from 'mobius-bench'`:
// the bare name resolves to the running mobius-bench's public API
// (src/index.ts) — through a resolve hook for suites that load as ES modules,
// and through the require resolver for those that load as CommonJS (a suite
// outside any ESM package) — wherever the suite sits and whatever is installed
// beside it.
import Module, { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runtimeFile } from '../backend/runtime-files.ts';

const PACKAGE_NAME = 'mobius-bench';
const PUBLIC_API = pathToFileURL(runtimeFile('publicApi'));

let installed = false;

export function resolveSelfImports(): void {
  if (installed) return;
  installed = true;
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(PACKAGE_NAME)} ? { url: ${JSON.stringify(PUBLIC_API.href)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return original.call(this, request === PACKAGE_NAME ? fileURLToPath(PUBLIC_API) : request, ...rest);
  };
}
