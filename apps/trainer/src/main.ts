import { resolve } from 'node:path';
import { type RunConfig, resolveConfig } from './config.js';
import { EXIT, exitCodeFor, UsageError } from './exit-codes.js';
import { flagsHelp, PATH_FLAGS, parseTrainFlags, type TrainFlags } from './flags.js';
import { hasCheckpoint, readSavedConfig, runTraining } from './run.js';

const USAGE = `Usage: fmnist-train [options]

${flagsHelp()}

Exit codes: 0 done; 2 bad command line or config; 3 data or checkpoint missing, unreadable or failing
its checksum; 130 stopped by Ctrl-C or SIGTERM (checkpoint saved).`;

/** The CLI without process wiring: returns the exit code; `stop()` true asks training to checkpoint and stop. */
export async function main(argv: string[], stop: () => boolean = () => false): Promise<number> {
  // `pnpm train -- --limit 2000` (the npm habit) passes the separator through: it ends no options here.
  if (argv[0] === '--') argv = argv.slice(1);
  let flags: TrainFlags;
  try {
    flags = parseTrainFlags(argv);
  } catch (error) {
    console.error(`fmnist-train: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  // Paths are relative to where the user typed the command (pnpm runs scripts from the package directory).
  const base = process.env.INIT_CWD ?? process.cwd();
  for (const key of PATH_FLAGS) {
    const value = flags[key];
    if (typeof value === 'string') (flags as Record<string, unknown>)[key] = resolve(base, value);
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
