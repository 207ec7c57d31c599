import { EXIT, exitCodeFor, SIGNAL_EXIT, UsageError } from '../../cli/exit-codes.js';
import { type RunConfig, resolveConfig } from './config.js';
import { hasCheckpoint, readSavedConfig, runTraining } from './run.js';
import type { StopControl } from './stop-request.js';
import { TRAIN_FLAGS, type TrainFlags } from './train-flags.js';

const USAGE = `Usage: fmnist-train [options]

${TRAIN_FLAGS.help()}

Exit codes: 0 done; 2 bad command line or config; 3 data or checkpoint missing, unreadable or failing
its checksum; 130 stopped by Ctrl-C, 143 by SIGTERM (with a checkpoint once training has started).`;

/** The CLI without process wiring: returns the exit code; a signal in `stop` asks training to checkpoint and stop. */
export async function main(
  argv: string[],
  stop: StopControl = { requested: () => undefined },
): Promise<number> {
  // `pnpm train -- --limit 2000` (the npm habit) passes the separator through: it ends no options here.
  if (argv[0] === '--') argv = argv.slice(1);
  let flags: TrainFlags;
  try {
    flags = TRAIN_FLAGS.parse(argv).values;
  } catch (error) {
    console.error(`fmnist-train: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  try {
    let config: RunConfig;
    if (flags.resume) {
      if (!(await hasCheckpoint(flags.resume)))
        throw new UsageError(`--resume ${flags.resume}: no checkpoint there`);
      // The run directory may have moved since it was created: it is where the checkpoint is now.
      config = { ...(await readSavedConfig(flags.resume)), out: flags.resume };
    } else {
      config = { ...resolveConfig(flags), command: `fmnist-train ${argv.join(' ')}`.trim() };
    }
    const result = await runTraining(config, {
      resume: Boolean(flags.resume),
      stop: () => stop.requested() !== undefined,
      onTrainingStart: () => stop.trainingStarted?.(),
    });
    if (result.interrupted) {
      console.error(`stopped; checkpoint saved. Resume with: pnpm train --resume ${config.out}`);
      return SIGNAL_EXIT[stop.requested() ?? 'SIGINT'];
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
