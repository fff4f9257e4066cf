// The command line: wiring only. Errors the user can fix print one line and
// exit 2; anything else is a bug and keeps its stack.
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES } from './backend/select.ts';
import { PRESET_NAMES } from './model/config.ts';
import { MODES } from './train/modes.ts';
import { UserError } from './user-error.ts';
import { nonNegativeInt, oneOf, positiveInt } from './cli/options.ts';
import { formatParams, paramsReport } from './cli/params-command.ts';
import { formatStep, runStepCommand } from './cli/step-command.ts';

const program = new Command('mobius-bench')
  .description('Benchmark serial vs parallel (Mobius) 3D-UNet training: memory and time per step')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str.replace(/^error: /, 'mobius-bench: ')) });

program
  .command('params')
  .description('parameter counts per group (spatial, temporal, parallel-only), from the config alone')
  .addOption(new Option('--preset <name>', 'network preset').choices(PRESET_NAMES).makeOptionMandatory())
  .option('--json', 'machine-readable output')
  .action((opts: { preset: string; json?: boolean }) => {
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
  .option('--json', 'machine-readable output')
  .action(async (opts) => {
    const report = await runStepCommand(opts);
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatStep(report));
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
  // A bug: print the stack (never the wasm module's source, which Node prints for uncaught errors).
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
}
