import { CallbackError } from '@fmnist/callbacks';
import { DatasetError } from '@fmnist/dataset';
import { IoError } from '@fmnist/io';
import { OnnxError } from '@fmnist/onnx';

/**
 * Exit codes of every fmnist command, as changesets' CLI and most Unix tools use them; a stopped run's
 * are 128 + the signal's number, what a shell reports for a process that signal ended.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  data: 3,
  /** A service the command needs (a sweep's Redis) cannot be reached: sysexits.h's EX_UNAVAILABLE. */
  unavailable: 69,
  interrupted: 130,
  terminated: 143,
} as const;

/** The exit code of a run stopped by each signal: Ctrl-C, and a process manager's or a container's stop. */
export const SIGNAL_EXIT = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

/** A bad command line or config: exit code 2, before any work starts. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A service the command needs cannot be reached (a sweep's Redis): exit code 69, before any work starts. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/**
 * The exit code of a failure: 2 for a bad command line (ours, or node:util's parseArgs), 3 for data,
 * files or checkpoints that are missing, unreadable or fail their checksum, and for models that do not
 * export (an OnnxError), 69 for an unreachable service, else 1 (a bug: its stack).
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS'))
    return EXIT.usage;
  if (
    error instanceof DatasetError ||
    error instanceof CallbackError ||
    error instanceof IoError ||
    error instanceof OnnxError
  )
    return EXIT.data;
  if (error instanceof UnavailableError) return EXIT.unavailable;
  return EXIT.failure;
}

/** Runs a command's `main` as the process: known failures print one line `name: message`, then exit. */
export function runCommand(name: string, main: (argv: string[]) => Promise<number>): void {
  let argv = process.argv.slice(2);
  // `pnpm <script> -- --flag` (the npm habit) passes the separator through: it ends no options here.
  if (argv[0] === '--') argv = argv.slice(1);
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const code = exitCodeFor(error);
      console.error(code === EXIT.failure ? error : `${name}: ${(error as Error).message}`);
      process.exit(code);
    },
  );
}
