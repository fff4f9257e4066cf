// The command line: wiring only. Errors the user can fix print one line and
// exit 2; anything else is a bug and keeps its stack.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { runtimeFile } from './backend/runtime-files.ts';
import { BACKEND_CHOICES, PRECISIONS, RUN_BACKENDS, TORCH_DEVICES } from './backend/run-backends.ts';
import { memorySize, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './cli/options.ts';
import { PRESET_NAMES } from './model/config.ts';
import { DEVICES } from './plan/devices.ts';
import { fsErrorMessage } from './results/output-paths.ts';
import { MODES } from './train/modes.ts';
import { UserError } from './user-error.ts';

// Each command's module is imported when the command runs: `--help`, `--version`,
// `report` and `compare` then load no TensorFlow.js, no planner and no trainer.

const program = new Command('mobius-bench')
  .description('Benchmark serial vs parallel (Mobius) 3D-UNet training: memory and time per step')
  .version((JSON.parse(readFileSync(runtimeFile('packageJson'), 'utf8')) as { version: string }).version, '-V, --version')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'mobius-bench: ')) });

program
  .command('params')
  .description('parameter counts per group (spatial, temporal, parallel-only), from the config alone')
  .addOption(new Option('--preset <name>', 'network preset').choices(PRESET_NAMES).makeOptionMandatory())
  .option('--json', 'machine-readable output')
  .action(async (opts: { preset: string; json?: boolean }) => {
    const { paramsReport } = await import('./model/params-report.ts');
    const { formatParams } = await import('./cli/params-command.ts');
    const report = paramsReport(opts.preset);
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatParams(report));
  });

program
  .command('step')
  .description('train one configuration in this process and print step times, losses and tensor memory')
  .requiredOption('--preset <name>', `network preset: ${PRESET_NAMES.join(', ')}`, oneOf('--preset', PRESET_NAMES))
  .requiredOption('--mode <mode>', `tuning mode: ${MODES.join(', ')}`, oneOf('--mode', MODES))
  .option('--backend <name>', `backend: ${BACKEND_CHOICES.join(', ')}`, oneOf('--backend', BACKEND_CHOICES), 'wasm')
  .option('--batch <n>', 'clips per micro-batch', positiveInt('--batch'), 1)
  .option('--accum <n>', 'micro-batches per optimizer step', positiveInt('--accum'), 1)
  .option('--frames <n>', 'frames per clip (default: the preset\'s)', positiveInt('--frames'))
  .option('--size <px>', 'image size in pixels, latent = size/8 (default: the preset\'s)', positiveInt('--size'))
  .option('--steps <n>', 'measured steps', positiveInt('--steps'), 3)
  .option('--warmup <n>', 'unmeasured steps first', nonNegativeInt('--warmup'), 1)
  .option('--seed <n>', 'seed of weights and data', nonNegativeInt('--seed'), 0)
  .option('--lr <x>', 'AdamW learning rate (default 1e-4)', positiveNumber('--lr'))
  .option('--force', "run even where the planner says the step cannot fit the backend's memory here")
  .option('--json', 'machine-readable output')
  .action(async (opts) => {
    const { formatStep, runStepCommand } = await import('./cli/step-command.ts');
    const report = await runStepCommand(opts);
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatStep(report));
  });

program
  .command('run')
  .description('run a suite: one worker process per cell, results appended to <out>/results.jsonl')
  .argument('<suite>', 'suite file (.ts) that does `export default defineSuite({...})`')
  .option('--out <dir>', 'run folder (default: reports/<suite>-<timestamp>/)')
  .option('--resume <dir>', "run only the cells missing from that run folder, with the run's own --filter, --shard, --backend, --steps, --warmup")
  .option('--filter <k=v,...>', 'only cells matching, e.g. mode=delta-parallel,batch=2 (a|b for alternatives)')
  .option('--shard <k/n>', 'only the k-th of n deterministic parts of the cells')
  .option('--dry-run', 'list the selected cells and run nothing')
  .option('--backend <name>', `override the suite's backend: ${RUN_BACKENDS.join(', ')}`, oneOf('--backend', RUN_BACKENDS))
  .option('--python <path>', 'the torch worker\'s interpreter (default: $MOBIUS_PYTHON, else the first of python3, /usr/bin/python3 that imports torch)')
  .option('--steps <n>', "override the suite's measured steps", positiveInt('--steps'))
  .option('--warmup <n>', "override the suite's warm-up steps", nonNegativeInt('--warmup'))
  .option('--plan', 'plan every cell first (shape-only): plan.json beside results.jsonl, for reports')
  .option('--skip-unfit', 'also skip the cells whose planned peak exceeds --device (listed in run.json)')
  .option('--device <d>', "cpu, cuda or auto: where the suite's torch cells run, instead of the suite's device; a GPU (a100-40gb, h100-80gb, <N>gib): the device --plan / --skip-unfit plan against (default a100-40gb)")
  .option('--force', "run the cells the planner says cannot fit this machine's backend (wasm's 4 GiB heap, the host's or the GPU's memory) instead of skipping them")
  .option('--strict-claims', "exit 1 when one of the suite's claims fails (inconclusive ones do not)")
  .option('--verbose', "under each claim, every group's verdict and ratios (not only the one that decides it)")
  .option('--memory-cap <size>', 'make every worker\'s device this small for real (e.g. 40GiB, a100-40gb): a cell past it runs out of memory and is recorded as "does not fit"', memorySize('--memory-cap', DEVICES))
  .option('--nnodes <m>', 'run every cell across m machines (torch; torchrun\'s c10d rendezvous): each machine runs the same command with its --node-rank')
  .option('--node-rank <k>', 'this machine\'s number, 0 to m-1 (node 0 hosts the rendezvous and writes the results)')
  .option('--rdzv-endpoint <host:port>', 'node 0\'s address and a free port on it, which every machine can reach')
  .option('--json', 'machine-readable output, no progress bar')
  .action(async (suiteFile: string, { memoryCap, nnodes, nodeRank, rdzvEndpoint, ...opts }) => {
    if (memoryCap !== undefined) opts.memoryCapBytes = memoryCap;
    // One flag, two meanings told apart by value: a torch device is where cells run, a GPU name what plans are checked against.
    if ((TORCH_DEVICES as readonly string[]).includes(opts.device)) {
      opts.torchDevice = opts.device;
      delete opts.device;
    }
    const { nodeSpan } = await import('./runner/nodes.ts');
    const nodes = nodeSpan({ nnodes, nodeRank, rdzvEndpoint });
    if (nodes) opts.nodes = nodes;
    const { runCommand } = await import('./cli/run-command.ts');
    process.exitCode = await runCommand({ suiteFile, ...opts });
  });

program
  .command('report')
  .description('write results.csv, summary.md, report.html and charts/*.png for a run')
  .argument('<run>', 'a run folder or its results.jsonl')
  .option('--out <dir>', 'where to write them (default: the run folder)')
  .action(async (input: string, opts: { out?: string }) => {
    const { reportCommand } = await import('./cli/report-command.ts');
    const { outDir, files } = await reportCommand(input, opts);
    console.log(`${files.length} files in ${outDir}`);
  });

program
  .command('compare')
  .description('compare a run with a baseline, or with the history (--history): exit 0 clean, 1 regression, 2 unusable input')
  .argument('<baseline>', 'a baseline file (baseline save) or a run folder; with --history, the current run')
  .argument('[current]', 'a run folder (not with --history)')
  .option('--markdown <file>', 'also write the verdict as Markdown (for a PR comment)')
  .option('--json', 'machine-readable output')
  .option('--allow-missing', 'a baseline cell missing from the current run warns instead of failing (a filtered or partial run)')
  .option('--threshold <metric=value>', 'tensor, gpu, rss, time (5, 5%, 16MiB or off), p=…, claims=off; repeatable', (v: string, prev: string[] = []) => [...prev, v])
  .option('--history <dir>', 'compare with the history folder (history add) instead of one baseline: per cell and metric, the last runs on this machine since the last change point')
  .option('--window <k>', 'with --history: at most this many runs per series (default 10, at least 5)', positiveInt('--window'))
  .action(async (baseline: string, current: string | undefined, opts) => {
    const { compareCommand } = await import('./cli/compare-command.ts');
    process.exitCode = await compareCommand(baseline, current, opts);
  });

const baselineCommand = program.command('baseline').description('baselines for compare');
baselineCommand
  .command('save')
  .description('save a compact baseline of a run (small enough to commit)')
  .argument('<run>', 'a run folder')
  .option('--to <file>', 'where (default: reports/baselines/<suite>.json)')
  .option('--force', 'replace an existing baseline file')
  .action(async (runDir: string, opts: { to?: string; force?: boolean }) => {
    const { baselineSaveCommand } = await import('./cli/baseline-command.ts');
    console.log(await baselineSaveCommand(runDir, opts));
  });

program
  .command('merge')
  .description('merge the shard run folders of one suite into one run')
  .argument('<runs...>', 'run folders')
  .requiredOption('--out <dir>', 'the merged run folder')
  .action(async (runDirs: string[], opts: { out: string }) => {
    const { mergeCommand } = await import('./cli/merge-command.ts');
    console.log(await mergeCommand(runDirs, opts));
  });

const historyCommand = program.command('history').description('results over commits: file runs by commit and machine, trends, change points');
historyCommand
  .command('add')
  .description('file a finished run under its commit and machine (one new file; a run filed before is refused)')
  .argument('<run>', 'a run folder')
  .requiredOption('--history <dir>', 'the history folder (made if new)')
  .action(async (runDir: string, opts: { history: string }) => {
    const { historyAddCommand } = await import('./cli/history-command.ts');
    console.log(historyAddCommand(runDir, opts));
  });
historyCommand
  .command('report')
  .description('render the trends as a static site and find the change points (E-Divisive means)')
  .argument('<dir>', 'the history folder')
  .option('--out <site>', 'write the site into this folder')
  .option('--json', 'print the change points as JSON')
  .option('--commit-url <template>', 'link commits to the forge, e.g. https://github.com/owner/repo/commit/{commit} (default: the site\'s commits page)')
  .action(async (dir: string, opts: { out?: string; json?: boolean; commitUrl?: string }) => {
    const { historyReportCommand } = await import('./cli/history-command.ts');
    console.log(await historyReportCommand(dir, opts));
  });

program
  .command('list')
  .description('the suites in ./suites, or the cells of one suite')
  .argument('[suite]', 'suite file')
  .action(async (suiteFile?: string) => {
    const { listCommand } = await import('./cli/run-command.ts');
    console.log(await listCommand(suiteFile));
  });

program
  .command('env')
  .description("which backends load here, the torch worker's Python, whether a GPU is seen, the environment a run records")
  .option('--python <path>', "the torch worker's interpreter to probe (default: $MOBIUS_PYTHON, else the first python3 with torch)")
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean; python?: string }) => {
    const { envReport, formatEnv } = await import('./cli/env-command.ts');
    const report = await envReport({ python: opts.python });
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatEnv(report));
  });

program
  .command('plan')
  .description('predict peak memory and FLOPs per step without a device, and what each mode saves against delta-serial: PyTorch\'s CUDA peak for torch cells (and a configuration from flags), TensorFlow.js buffers for the others')
  .argument('[suite]', 'suite file; or give --preset')
  .option('--filter <k=v,...>', "only the suite's cells matching")
  .option('--preset <name>', `network preset: ${PRESET_NAMES.join(', ')}`, oneOf('--preset', PRESET_NAMES))
  .option('--mode <mode>', `plan this tuning mode alone (default: every mode, side by side): ${MODES.join(', ')}`, oneOf('--mode', MODES))
  .option('--batch <n>', 'clips per micro-batch', positiveInt('--batch'))
  .option('--accum <n>', 'micro-batches per optimizer step', positiveInt('--accum'))
  .option('--frames <n>', 'frames per clip', positiveInt('--frames'))
  .option('--size <px>', 'image size in pixels', positiveInt('--size'))
  .option('--backend <name>', "for a cell from flags: 'torch' (default) predicts PyTorch's CUDA peak; a TensorFlow.js backend (wasm, …) its tensor buffers", oneOf('--backend', RUN_BACKENDS))
  .option('--precision <p>', `PyTorch's autocast precision (default fp32): ${PRECISIONS.join(', ')}`, oneOf('--precision', PRECISIONS))
  .option('--frozen-weights <p>', `PyTorch's dtype of the frozen weights (default fp32): ${PRECISIONS.join(', ')}`, oneOf('--frozen-weights', PRECISIONS))
  .option('--device <d>', 'a100-40gb, a100-80gb, v100-32gb, v100-16gb, h100-80gb or <N>gib', 'a100-40gb')
  .option('--gpus <n>', 'PyTorch only: data-parallel ranks; adds DDP\'s gradient buckets per rank and the bytes all-reduced per step', positiveInt('--gpus'))
  .option('--max-batch', 'also find the largest batch that fits, per mode')
  .option('--json', 'machine-readable output')
  .action(async (suite: string | undefined, opts) => {
    const { formatPlan, planCommand } = await import('./cli/plan-command.ts');
    const report = await planCommand({ suite, ...opts });
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatPlan(report, { fromFlags: suite === undefined }));
  });

program
  .command('fit')
  .description('measure the largest batch that trains without running out of memory, per configuration and mode, beside the planner\'s; exit 1 when a probe failed for another reason')
  .argument('<suite>', "suite file: its presets, modes, frames, sizes and accumulations (its batches are ignored)")
  .option('--filter <k=v,...>', 'only cells matching, e.g. mode=delta-serial|delta-parallel')
  .option('--memory-cap <size>', 'make every probe\'s device this small for real (e.g. 40GiB, a100-40gb; on the CPU an address-space limit)', memorySize('--memory-cap', DEVICES))
  .option('--max-batch <n>', 'no probe above this batch (default 64)', positiveInt('--max-batch'))
  .option('--backend <name>', `override the suite's backend: ${RUN_BACKENDS.join(', ')}`, oneOf('--backend', RUN_BACKENDS))
  .option('--python <path>', "the torch worker's interpreter (as for run)")
  .option('--steps <n>', 'measured steps per probe (default 1, after 1 warm-up step)', positiveInt('--steps'))
  .option('--warmup <n>', 'warm-up steps per probe (default 1)', nonNegativeInt('--warmup'))
  .option('--out <dir>', 'where probes.jsonl and fit.json go (default: reports/fit-<suite>-<timestamp>/)')
  .option('--json', 'print, per configuration and mode: the largest batch that fit, the first that did not, the planner\'s prediction')
  .action(async (suiteFile: string, { memoryCap, ...opts }) => {
    const { fitCommand } = await import('./cli/fit-command.ts');
    process.exitCode = await fitCommand({ suiteFile, ...opts, memoryCapBytes: memoryCap ?? null });
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; bad flags were already printed by commander.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UserError) {
    console.error(`mobius-bench: ${err.message}`);
    process.exit(2);
  }
  // A path that cannot be written or read is the user's to fix, not a bug (and exit 1 would read as a regression).
  const ioProblem = fsErrorMessage(err);
  if (ioProblem) {
    console.error(`mobius-bench: ${ioProblem}`);
    process.exit(2);
  }
  // A bug: print the stack (never the wasm module's source, which Node prints for uncaught errors).
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
}
