// `defineSuite`: what a suite file calls. It only types the definition; the
// loader validates it, so that errors name the file.
import type { SuiteDefinition } from './schema.ts';

export function defineSuite<const T extends SuiteDefinition>(definition: T): T {
  return definition;
}
