// `npm test`: every test file (test/*.test.ts, the Python suite through
// test/python.test.ts), as many at a time as the machine has cores (at least
// two; one more made no difference on 2 cores: the files are CPU-bound),
// reported by spec, then the ten slowest files. Plain JavaScript: it runs before tsx is loaded.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const files = readdirSync('test').filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', f));
const args = [
  '--import', 'tsx', '--test',
  `--test-concurrency=${Math.max(2, availableParallelism())}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./tools/slowest-test-files.mjs', '--test-reporter-destination=stdout',
  ...files,
];
spawn(process.execPath, args, { stdio: 'inherit' }).on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
