import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { integerFlag, numberFlag } from '../../cli/flags.js';
import { runSweep } from './embedded.js';
import { writeEnsemble } from './ensemble.js';
import { parseQueueUrl } from './queue/queue-url.js';
import { SWEEP_FLAGS, type SweepFlags } from './sweep-flags.js';
import { loadSweepPlan } from './sweep-plan.js';

const USAGE = `Usage: fmnist-sweep run SWEEP.json --out DIR [--parallel N] [--ensemble K]
       fmnist-sweep run SWEEP.json --queue redis://HOST:PORT/NAME --store DIR [--ensemble K]
       fmnist-sweep worker --queue redis://HOST:PORT/NAME --store DIR

${SWEEP_FLAGS.help()}

Exit codes: 0 done; 2 bad command line, sweep file or store; 69 Redis unreachable; 130 Ctrl-C, 143 SIGTERM.`;

/** The CLI without process wiring: returns the exit code; `signal` aborts on Ctrl-C or SIGTERM. */
export async function main(argv: string[], signal?: AbortSignal): Promise<number> {
  let flags: SweepFlags;
  let positionals: string[];
  try {
    ({ values: flags, positionals } = SWEEP_FLAGS.parse(argv));
  } catch (error) {
    console.error(`fmnist-sweep: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const [command, file, ...rest] = positionals;
  if (command === 'worker') {
    if (file !== undefined) throw new UsageError(`worker takes no sweep file (found '${file}')`);
    if (!flags.queue || !flags.store) throw new UsageError('worker needs --queue and --store');
    const { runWorker } = await import('./queue/worker.js');
    await runWorker({
      ...common(flags),
      queue: parseQueueUrl(flags.queue),
      store: flags.store,
      untilEmpty: flags['until-empty'],
      signal,
    });
    return EXIT.ok;
  }
  if (command !== 'run' || !file || rest.length)
    throw new UsageError(
      `expected 'run SWEEP.json' or 'worker', found '${positionals.join(' ')}'\n\n${USAGE}`,
    );
  const ensemble = integerFlag('ensemble', flags.ensemble, 1);
  if (flags.queue ? flags.out || !flags.store : !flags.out || flags.store)
    throw new UsageError('run needs either --out DIR (this machine) or --queue URL with --store DIR');
  const queue = flags.queue ? parseQueueUrl(flags.queue) : undefined;
  const plan = await loadSweepPlan(file);
  const started = performance.now();
  let ranked: Awaited<ReturnType<typeof runSweep>>;
  let sweepDir: string;
  if (queue) {
    const { coordinate } = await import('./queue/coordinator.js');
    ({ ranked, sweepDir } = await coordinate(plan, { ...common(flags), queue, store: flags.store!, signal }));
  } else {
    sweepDir = flags.out!;
    const parallel = integerFlag('parallel', flags.parallel, 1)!;
    ranked = await runSweep(plan, { ...common(flags), out: sweepDir, parallel, signal });
  }
  const trialMinutes = ranked.reduce((sum, r) => sum + r.seconds, 0) / 60;
  console.log(
    `sweep: ${((performance.now() - started) / 60_000).toFixed(1)} min this run; the trials took ${trialMinutes.toFixed(1)} min one after another`,
  );
  console.log(`results: ${sweepDir}/results.md, ${sweepDir}/results.html`);
  if (ranked[0]?.status === 'complete') console.log(`best: ${ranked[0].id}, ${sweepDir}/best`);
  if (ensemble) {
    const teacher = await writeEnsemble(sweepDir, ranked, ensemble);
    console.log(`ensemble of ${ensemble}: fmnist-train --teacher ${teacher}`);
  }
  return EXIT.ok;
}

function common(flags: SweepFlags) {
  const workers = flags.workers;
  return {
    threads:
      workers === undefined || workers === 'auto'
        ? (workers as 'auto' | undefined)
        : integerFlag('workers', workers, 1),
    dataDir: flags['data-dir'],
    checkpointMinutes: numberFlag(
      'checkpoint-minutes',
      flags['checkpoint-minutes'],
      (n) => n >= 0,
      'a number of minutes ≥ 0',
    ),
  };
}
