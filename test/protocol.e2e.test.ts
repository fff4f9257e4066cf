// The protocol room: the generated Python files are current (a schema change
// without `npm run protocol` fails here), the generated checker accepts every
// message the harness builds and names the field of a broken one, cell ids
// are what the committed runs recorded, and the frozen-weights rule is one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PRESET_NAMES, PRESETS } from '../src/model/config.ts';
import { cellConfigSchema, cellId, cellOf, type CellConfig } from '../src/protocol/cell-config.ts';
import { torchRunMessage, torchRunMessageSchema } from '../src/protocol/torch-run-message.ts';
import { frozenWeightsProblem } from '../src/protocol/torch-settings.ts';
import { readResults } from '../src/results/jsonl.ts';
import { MODES } from '../src/train/modes.ts';
import { jsonSchemaToPython } from '../tools/protocol/json-schema-to-python.ts';
import { protocolFiles, runMessageJsonSchema } from '../tools/protocol/protocol-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function cell(preset: (typeof PRESET_NAMES)[number], mode: (typeof MODES)[number], extra: Partial<CellConfig> = {}): CellConfig {
  const p = PRESETS[preset];
  return { preset, unet: p.config, mode, batch: 1, accum: 2, ...p.defaults, seed: 0, backend: 'torch', warmup: 1, steps: 2, ...extra };
}

test('the generated Python files are the ones checked in (npm run protocol writes them)', () => {
  for (const [path, text] of Object.entries(protocolFiles())) {
    assert.equal(readFileSync(join(ROOT, path), 'utf8'), text, `${path} is stale: run npm run protocol`);
  }
});

test('a field added to the run message changes the generated checker, so the check above would fail', () => {
  const checked = readFileSync(join(ROOT, 'python/mobius_bench_torch/run_message_check.py'), 'utf8');
  const changed = jsonSchemaToPython(z.toJSONSchema(torchRunMessageSchema.extend({ gpus: z.number().int().positive() }), { io: 'input' }) as Record<string, unknown>, 'check_run_message');
  assert.ok(!checked.includes(changed.trimEnd()));
  assert.match(changed, /"gpus"/);
  assert.ok(checked.includes(jsonSchemaToPython(runMessageJsonSchema(), 'check_run_message').trimEnd()));
});

test("the generated checker accepts every message the harness builds and names a broken message's field", () => {
  const good = PRESET_NAMES.flatMap((preset) => MODES.map((mode) => torchRunMessage(cellOf(cell(preset, mode, { precision: 'bf16', frozenWeights: 'bf16' })))));
  const broken: Array<[string, unknown]> = [
    ['config.batch must be > 0, got 0', { ...good[0]!, config: { ...good[0]!.config, batch: 0 } }],
    ['torch.learningRate is missing', { ...good[0]!, torch: { ...good[0]!.torch, learningRate: undefined } }],
    ["layout[1].kind must be one of layer, down, up, got 'sideways'", { ...good[0]!, layout: good[0]!.layout.map((s, i) => (i === 1 ? { ...s, kind: 'sideways' } : s)) }],
    ['mode.checkpointed must be true or false, got 1', { ...good[0]!, mode: { ...good[0]!.mode, checkpointed: 1 } }],
    ['config.gpuCount is not a known field', { ...good[0]!, config: { ...good[0]!.config, gpuCount: 2 } }],
  ];
  const script = [
    'import json, sys',
    'from mobius_bench_torch.errors import UserError',
    'from mobius_bench_torch.run_message_check import check_run_message',
    'out = []',
    'for m in json.load(sys.stdin):',
    '    try:',
    '        check_run_message(m)',
    '        out.append(None)',
    '    except UserError as err:',
    '        out.append(str(err))',
    'print(json.dumps(out))',
  ].join('\n');
  // Any Python 3 runs the checker: it needs neither torch nor numpy.
  const r = spawnSync(process.env['MOBIUS_PYTHON'] ?? 'python3', ['-c', script], { cwd: join(ROOT, 'python'), input: JSON.stringify([...good, ...broken.map(([, m]) => m)]), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const answers = JSON.parse(r.stdout) as Array<string | null>;
  assert.deepEqual(answers.slice(0, good.length), good.map(() => null));
  broken.forEach(([want], i) => assert.ok(answers[good.length + i]!.startsWith(want), `${answers[good.length + i]} should start with ${want}`));
});

test('the run message carries what the worker would otherwise derive: settings resolved, the plan, the mode', () => {
  const m = torchRunMessage(cellOf(cell('tiny', 'delta-parallel-ckpt')));
  assert.deepEqual(m.torch, { precision: 'fp32', frozenWeights: 'fp32', device: 'auto', attention: 'auto', learningRate: 1e-4 });
  assert.deepEqual(m.mode, { network: 'parallel', trainable: ['temporal', 'extra'], checkpointed: true });
  assert.equal(m.layout.filter((s) => s.kind === 'layer').length, 2 * PRESETS.tiny.config.layersPerBlock + 2 + 2 * (PRESETS.tiny.config.layersPerBlock + 1));
  assert.equal(torchRunMessage(cellOf(cell('tiny', 'full', { learningRate: 3e-5 }))).torch.learningRate, 3e-5);
});

test('cell ids are the ones the committed runs recorded', () => {
  const runs = [
    ...readdirSync(join(ROOT, 'test/fixtures/runs')).map((d) => join(ROOT, 'test/fixtures/runs', d)),
    join(ROOT, 'reports/gpu/h200-2026-12-04/run-256'),
  ];
  let checked = 0;
  for (const run of runs) {
    for (const r of readResults(join(run, 'results.jsonl')).results) {
      const config = cellConfigSchema.safeParse(r.config);
      if (!config.success) continue; // a line from before a field existed
      assert.equal(cellId(config.data), r.id, `${run}: ${r.label}`);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} cells checked`);
});

test('frozen weights below fp32 with fp32 compute: one rule, one wording, wherever a cell is made', () => {
  const problem = frozenWeightsProblem('fp32', 'bf16')!;
  assert.match(problem, /frozen weights in bf16 need precision 'bf16'/);
  const parsed = cellConfigSchema.safeParse(cell('tiny', 'delta-serial', { precision: 'fp32', frozenWeights: 'bf16' }));
  assert.ok(!parsed.success && parsed.error.issues.some((i) => i.message === problem && i.path.join('.') === 'frozenWeights'));
  assert.equal(frozenWeightsProblem('bf16', 'bf16'), null);
  assert.equal(frozenWeightsProblem(undefined, undefined), null);
});
