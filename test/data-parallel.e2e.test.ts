// Data-parallel cells end to end on this CPU (torchrun, gloo, DDP): the
// 1- and 2-rank suite CI runs, its per-rank figures and scaling, the planner's
// DDP buckets against the buckets DDP built, and a rank that crashes, is
// killed, runs out of memory or hangs — each fails its cell with the rank and
// the reason, and leaves no process of the cell behind.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { torchPython } from './torch-python.ts';
import { planTorchCell } from '../src/plan/torch/plan-torch-cell.ts';
import { isAlive } from '../src/runner/process-tree.ts';
import { nodeSpan } from '../src/runner/nodes.ts';
import { failedRank, Interrupted, runCell } from '../src/runner/run-cell.ts';
import { torchWorkerExecutor } from '../src/runner/torch-executor.ts';
import { expandSuite } from '../src/suite/expand.ts';
import { validateSuite } from '../src/suite/load.ts';
import { tempDir } from './temp-dir.ts';
import { torchSkip } from './torch-required.ts';

const BIN = fileURLToPath(new URL('../bin/mobius-bench.js', import.meta.url));
const FIXTURE_MODULES = fileURLToPath(new URL('./fixtures/python', import.meta.url));
const python = await torchPython();
const skip = torchSkip(python instanceof Error ? `no Python with torch: ${python.message}` : false, 'data-parallel runs');

// One mode of the suite (1 and 2 ranks): that every mode's buckets hold its trained
// weights once, and that 2 ranks train as one process, python/tests/test_data_parallel.py shows.
test('suites/ddp-cpu.ts: 2-rank cells run under torchrun with every rank\'s figures, DDP\'s buckets as planned, and their scaling', { skip, timeout: 300_000 }, () => {
  const out = join(tempDir('mobius-ddp-'), 'run');
  const r = spawnSync(process.execPath, [BIN, 'run', 'suites/ddp-cpu.ts', '--filter', 'mode=delta-parallel', '--out', out, '--json'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.config.gpus ?? 1), [1, 2]);
  for (const l of lines) assert.equal(l.status, 'ok', JSON.stringify(l.error));
  const ranked = lines.filter((l) => l.config.gpus === 2);
  for (const l of ranked) {
    const d = l.distributed;
    assert.equal(d.worldSize, 2);
    assert.equal(d.processGroup, 'gloo');
    assert.deepEqual(d.ddp, { bucketCapMb: 25, findUnusedParameters: false, broadcastBuffers: true, gradientAsBucketView: false });
    assert.deepEqual(d.ranks.map((x: { rank: number }) => x.rank), [0, 1]);
    assert.notEqual(d.ranks[0].pid, d.ranks[1].pid);
    // The cell's figures are the slowest / highest rank's.
    l.stepMs.forEach((ms: number, i: number) => assert.equal(ms, Math.max(d.ranks[0].stepMs[i], d.ranks[1].stepMs[i])));
    assert.equal(l.memory.peakBytes, Math.max(d.ranks[0].memory.peakBytes, d.ranks[1].memory.peakBytes));
    // plan --gpus 2: DDP's buckets to the byte, in every mode.
    const bucketBytes = d.bucketSizes.reduce((a: number, b: number) => a + b, 0);
    assert.equal(planTorchCell(l.config, { attention: 'sdpa' }).memory.ddpBucketBytes, bucketBytes, l.config.mode);
    assert.equal(bucketBytes, 4 * l.params.trainable);
  }
  const csv = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  const g2 = csv.slice(1).map((row) => row.split(',')).filter((row) => row[header.indexOf('gpus')] === '2');
  assert.equal(g2.length, 1);
  for (const row of g2) assert.ok(Number(row[header.indexOf('scaling_efficiency')]) > 0);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /### Data-parallel scaling[\s\S]*\| tiny delta-parallel b1 a1 g2 2f 32px \| 2 \|/);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /<section id="scaling">/);
});

test('plan --gpus: DDP\'s buckets per rank and the bytes a step all-reduces; --gpus on TensorFlow.js is refused', () => {
  const plan = spawnSync(process.execPath, [BIN, 'plan', '--preset', 'sd21', '--mode', 'delta-serial', '--backend', 'torch', '--gpus', '4', '--json'], { encoding: 'utf8' });
  assert.equal(plan.status, 0, plan.stderr);
  const cell = JSON.parse(plan.stdout).cells[0];
  // delta-serial trains ModelScope's 545,323,136 temporal parameters: one fp32 copy in DDP's buckets.
  assert.equal(cell.memory.ddpBucketBytes, 4 * 545_323_136);
  const single = spawnSync(process.execPath, [BIN, 'plan', '--preset', 'sd21', '--mode', 'delta-serial', '--backend', 'torch', '--json'], { encoding: 'utf8' });
  assert.equal(JSON.parse(plan.stdout).cells[0].memory.peakBytes - JSON.parse(single.stdout).cells[0].memory.peakBytes, 4 * 545_323_136);
  const tfjs = spawnSync(process.execPath, [BIN, 'plan', '--preset', 'tiny', '--mode', 'delta-serial', '--backend', 'wasm', '--gpus', '2'], { encoding: 'utf8' });
  assert.equal(tfjs.status, 2);
  assert.match(tfjs.stderr, /--gpus 2: more than one GPU per cell needs backend 'torch'/);
});

test('torchrun\'s summary of a rank that died says which rank and how', () => {
  const tail = 'Root Cause (first observed failure):\n[0]:\n  time      : 2026-12-04_22:10:01\n  host      : x\n  rank      : 1 (local_rank: 1)\n  exitcode  : -9 (pid: 4321)\n';
  assert.equal(failedRank(tail), 'rank 1 was killed by signal 9 (SIGKILL: out of memory?)');
  assert.equal(failedRank(tail.replace('-9', '1')), 'rank 1 exited with code 1');
  assert.equal(failedRank('Traceback (most recent call last):\n'), null);
});

/** The pids the faulty rank worker wrote (its ranks and torchrun's) are all gone. */
async function assertNoProcessLeft(pidFile: string): Promise<void> {
  const text = readFileSync(pidFile, 'utf8');
  const pids = [...text.matchAll(/pid (\d+) launcher (\d+)/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
  assert.equal(new Set(pids).size, 3, `both ranks and torchrun: ${text}`);
  // SIGKILL takes effect at once, the reaping a moment later: a zombie counts as gone.
  const deadline = Date.now() + 10_000;
  let alive = [...new Set(pids)].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter(isAlive);
  }
  assert.deepEqual(alive, [], 'processes of the cell are still there');
}

test('a rank that raises, is killed, runs out of memory or hangs fails its cell with the rank and the reason; Ctrl-C ends every rank; no process is left', { skip, timeout: 300_000 }, async () => {
  const [cell] = expandSuite(validateSuite({ name: 'x', backend: 'torch', device: 'cpu', presets: ['tiny'], modes: ['delta-serial'], sweep: { frames: [2], size: [32], gpus: [2] }, warmup: 0, steps: 1 }, 'x.ts'));
  const exe = (python as Exclude<typeof python, Error>).executable;
  const pidFolder = tempDir('mobius-ranks-pids-');
  const faulty = (fault: string, pidFile = join(pidFolder, fault)) => torchWorkerExecutor(exe, {
    module: 'faulty_rank_worker', name: 'torch worker',
    env: { ...process.env, PYTHONPATH: FIXTURE_MODULES, MOBIUS_TEST_FAULT: fault, MOBIUS_TEST_FAULT_RANK: '1', MOBIUS_TEST_PID_FILE: pidFile },
  });
  const expected: Record<string, { reason: string; message: RegExp; timeoutMs: number }> = {
    raise: { reason: 'crashed', message: /rank 1 exited with code 1, and torchrun stopped the other ranks/, timeoutMs: 120_000 },
    kill: { reason: 'crashed', message: /rank 1 was killed by signal 9/, timeoutMs: 120_000 },
    oom: { reason: 'oom', message: /^rank 1: out of memory: /, timeoutMs: 120_000 },
    hang: { reason: 'timeout', message: /no result within the cell timeout of 10 s/, timeoutMs: 10_000 },
  };
  await Promise.all([...Object.entries(expected).map(async ([fault, want]) => {
    const result = await runCell(cell!, faulty(fault), { timeoutMs: want.timeoutMs, sampler: null });
    assert.equal(result.status, 'failed', fault);
    if (result.status !== 'failed') return;
    assert.equal(result.error.reason, want.reason, `${fault}: ${result.error.message}`);
    assert.match(result.error.message, want.message, fault);
    await assertNoProcessLeft(join(pidFolder, fault));
  }), (async () => {
    // Ctrl-C (the run's abort signal) while both ranks run: the cell is not recorded, and every process of it ends.
    const interrupt = new AbortController();
    const pidFile = join(pidFolder, 'interrupt');
    const started = runCell(cell!, faulty('hang', pidFile), { timeoutMs: 60_000, sampler: null, signal: interrupt.signal });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim().split('\n').length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    interrupt.abort();
    await assert.rejects(started, Interrupted);
    await assertNoProcessLeft(pidFile);
  })()]);
});

/** A port free on loopback now (the rendezvous binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** `mobius-bench run …` as a child; its exit code and its output. */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('two machines, played by two harnesses over loopback: each cell is one torchrun per node joined at node 0\'s rendezvous; node 0 records every rank, node 1 says where it is', { skip, timeout: 300_000 }, async () => {
  const out = join(tempDir('mobius-nodes-'), 'run');
  const endpoint = `127.0.0.1:${await freePort()}`;
  const cell = ['run', 'suites/ddp-cpu.ts', '--filter', 'mode=delta-parallel,gpus=1', '--nnodes', '2', '--rdzv-endpoint', endpoint];
  const [node0, node1] = await Promise.all([cliAsync([...cell, '--node-rank', '0', '--out', out]), cliAsync([...cell, '--node-rank', '1'])]);
  assert.equal(node0.status, 0, node0.stderr);
  assert.equal(node1.status, 0, node1.stderr);
  const [line, ...rest] = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rest.length, 0);
  assert.equal(line.status, 'ok', JSON.stringify(line.error));
  // One GPU per machine, two machines: two ranks, one on each node, both in the cell's figures.
  assert.equal(line.distributed.worldSize, 2);
  assert.equal(line.distributed.nodes, 2);
  assert.deepEqual(line.distributed.ranks.map((r: { node: number }) => r.node).sort(), [0, 1]);
  assert.equal(line.stats.samplesPerSecond, (2 * 1000) / line.stats.medianMs);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).options.nodes, { count: 2, endpoint });
  assert.match(node1.stderr, /node 1 of 2: 1 cells of suite 'ddp-cpu', each joining node 0 at 127\.0\.0\.1:\d+; node 0 writes the results/);
  assert.match(node1.stderr, /node 1 of 2: cell 1\/1 done/);
});

test('--nnodes, --node-rank and --rdzv-endpoint come together and are checked; a multi-node run cannot be resumed', () => {
  assert.equal(nodeSpan({}), null);
  assert.deepEqual(nodeSpan({ nnodes: '2', nodeRank: '1', rdzvEndpoint: '10.0.0.1:29500' }), { count: 2, rank: 1, endpoint: '10.0.0.1:29500' });
  assert.throws(() => nodeSpan({ nnodes: '1', nodeRank: '0', rdzvEndpoint: 'h:1' }), /--nnodes 1: give the number of machines, 2 or more/);
  assert.throws(() => nodeSpan({ nnodes: '2', nodeRank: '2', rdzvEndpoint: 'h:1' }), /--node-rank 2: give this machine's number, 0 to 1/);
  assert.throws(() => nodeSpan({ nnodes: '2', nodeRank: '0' }), /--rdzv-endpoint \(missing\): give HOST:PORT of node 0/);
  assert.throws(() => nodeSpan({ nnodes: '2', nodeRank: '0', rdzvEndpoint: 'h:99999' }), /--rdzv-endpoint h:99999/);
  const resumed = spawnSync(process.execPath, [BIN, 'run', 'suites/ddp-cpu.ts', '--nnodes', '2', '--node-rank', '0', '--rdzv-endpoint', '127.0.0.1:29500', '--resume', 'x'], { encoding: 'utf8' });
  assert.equal(resumed.status, 2);
  assert.match(resumed.stderr, /--resume with --nnodes: every machine must run the same cells/);
});
