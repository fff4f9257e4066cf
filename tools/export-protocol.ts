// `npm run protocol`: writes what the Python side needs from the protocol
// room, generated from the TypeScript definitions so that nothing is written
// twice (test/protocol.test.ts fails when a checked-in file is stale):
//   python/mobius_bench_torch/run_message.schema.json   the torch run message's JSON Schema
//   python/mobius_bench_torch/run_message_check.py      plain Python that validates a message against it
//   python/tests/protocol_cases.json                    UNet layouts, modes, group rules for the pytest suite
//   npx tsx tools/export-protocol.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { protocolFiles } from './protocol/protocol-files.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const root = resolve(import.meta.dirname, '..');
const stale: string[] = [];
for (const [path, text] of Object.entries(protocolFiles())) {
  const file = join(root, path);
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = null;
  }
  if (current === text) continue;
  if (values.check) stale.push(path);
  else {
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
if (stale.length > 0) {
  console.error(`stale, regenerate with npm run protocol: ${stale.join(', ')}`);
  process.exitCode = 1;
}
