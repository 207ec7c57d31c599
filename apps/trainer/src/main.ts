import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Flags, type RunConfig, resolveConfig } from './config.js';
import { EXIT, exitCodeFor, UsageError } from './exit-codes.js';
import { hasCheckpoint, readSavedConfig, runTraining } from './run.js';

const USAGE = `Usage: fmnist-train [options]

  --recipe NAME        seed | seed-bn | quick (default quick)
  --config FILE        JSON file of recipe fields to override
  --epochs N           --batch-size N     --lr X     --val-split F
  --augment / --no-augment
  --backend B          auto | tensorflow | wasm | cpu (default auto)
  --workers N|auto     threads computing gradients (default auto: one per core)
  --seed N             (default 42)
  --data-dir DIR       use the Fashion-MNIST files there (default: search the usual places)
  --no-download        never download the data
  --limit N            train on the first N images (smoke runs)
  --out DIR            run directory (default runs/<timestamp>)
  --checkpoint-minutes M  also checkpoint mid-epoch every M minutes (default 10)
  --teacher DIR|shipped  distill from this model (repeatable: their mean); targets mix its
                       flip-and-shift-averaged probabilities with the labels
  --distill-alpha A    weight of the teachers' probabilities in the targets (default 0.5)
 --tensorboard DIR    write TensorBoard logs there (default OUT/tensorboard; view with
                       tensorboard --logdir DIR)
  --no-tensorboard     write none
  --resume DIR         continue the run in DIR from its last checkpoint
  --help

Exit codes: 0 done; 2 bad command line or config; 3 data or checkpoint missing, unreadable or failing
its checksum;
130 stopped by Ctrl-C or SIGTERM (checkpoint saved).`;

/** The CLI without process wiring: returns the exit code; `stop()` true asks training to checkpoint and stop. */
export async function main(argv: string[], stop: () => boolean = () => false): Promise<number> {
  // `pnpm train -- --limit 2000` (the npm habit) passes the separator through: it ends no options here.
  if (argv[0] === '--') argv = argv.slice(1);
  let flags: Flags & { resume?: string; help?: boolean };
  try {
    flags = parseArgs({
      args: argv,
      strict: true,
      options: {
        recipe: { type: 'string' },
        config: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        augment: { type: 'boolean' },
        'no-augment': { type: 'boolean' },
        'val-split': { type: 'string' },
        backend: { type: 'string' },
        workers: { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        'no-download': { type: 'boolean' },
        limit: { type: 'string' },
        out: { type: 'string' },
        'checkpoint-minutes': { type: 'string' },
        teacher: { type: 'string', multiple: true },
        tensorboard: { type: 'string' },
        'no-tensorboard': { type: 'boolean' },
        'distill-alpha': { type: 'string' },
        resume: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values as Flags & { resume?: string; help?: boolean };
  } catch (error) {
    console.error(`fmnist-train: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  // Paths are relative to where the user typed the command (pnpm runs scripts from the package directory).
  const base = process.env.INIT_CWD ?? process.cwd();
  for (const key of ['out', 'resume', 'config', 'data-dir', 'tensorboard'] as const) {
    if (flags[key]) flags[key] = resolve(base, flags[key]);
  }
  if (flags.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  try {
    let config: RunConfig;
    if (flags.resume) {
      if (!hasCheckpoint(flags.resume)) throw new UsageError(`--resume ${flags.resume}: no checkpoint there`);
      // The run directory may have moved since it was created: it is where the checkpoint is now.
      config = { ...(await readSavedConfig(flags.resume)), out: flags.resume };
    } else {
      config = { ...resolveConfig(flags), command: `fmnist-train ${argv.join(' ')}`.trim() };
    }
    const result = await runTraining(config, { resume: Boolean(flags.resume), stop });
    if (result.interrupted) {
      console.error(`stopped; checkpoint saved. Resume with: pnpm train --resume ${config.out}`);
      return EXIT.interrupted;
    }
    return EXIT.ok;
  } catch (error) {
    // A damaged checkpoint is bad data too: the message names the file.
    const code = exitCodeFor(error);
    if (code === EXIT.failure) throw error;
    console.error(`fmnist-train: ${(error as Error).message}`);
    return code;
  }
}
