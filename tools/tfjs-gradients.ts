// `npm run tfjs-gradients`: writes src/backend/tfjs/gradients.generated.cjs
// (TensorFlow.js's gradient registrations, see tools/tfjs/gradients-file.ts).
// Run it after upgrading @tensorflow/tfjs-core; test/tfjs-gradients.test.ts
// fails while the checked-in file is stale.
//   npx tsx tools/tfjs-gradients.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GRADIENTS_FILE, gradientsFileText } from './tfjs/gradients-file.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const file = join(resolve(import.meta.dirname, '..'), GRADIENTS_FILE);
const text = gradientsFileText();
let current: string | null = null;
try {
  current = readFileSync(file, 'utf8');
} catch {
  current = null;
}
if (current === text) console.log(`${GRADIENTS_FILE} is current`);
else if (values.check) {
  console.error(`stale, regenerate with npm run tfjs-gradients: ${GRADIENTS_FILE}`);
  process.exitCode = 1;
} else {
  writeFileSync(file, text);
  console.log(`wrote ${GRADIENTS_FILE}`);
}
