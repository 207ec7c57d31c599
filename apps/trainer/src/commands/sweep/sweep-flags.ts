import { defineFlags, type ParsedFlags, SHARED_FLAGS } from '../../cli/flags.js';

/** Every flag of fmnist-sweep's two commands (`run` and `worker`): parsing, help and defaults come from here. */
export const SWEEP_FLAGS = defineFlags(
  {
    out: {
      type: 'string',
      value: 'DIR',
      help: 'run: the sweep folder on this machine (embedded mode)',
      path: true,
    },
    queue: {
      type: 'string',
      value: 'URL',
      help: 'run, worker: redis://HOST:PORT/NAME, the BullMQ queue NAME on that Redis (queue mode)',
    },
    store: {
      type: 'string',
      value: 'DIR',
      help: 'run, worker (queue mode): the shared folder of every sweep, mounted on every machine (docs/sweeps.md)',
      path: true,
    },
    parallel: { type: 'string', value: 'N', help: 'run (embedded): trials at once', default: '1' },
    ensemble: {
      type: 'string',
      value: 'K',
      help: "run: the top K trials' models as one teacher folder (ensemble/) whose probabilities fmnist-train --teacher averages",
    },
    workers: {
      type: 'string',
      value: 'N|auto',
      help: 'fmnist-train --workers of each trial (default: the cores shared among --parallel trials; auto for a worker)',
    },
    'checkpoint-minutes': {
      type: 'string',
      value: 'M',
      help: "each trial's fmnist-train --checkpoint-minutes (what a lost worker costs)",
      default: '2',
    },
    'until-empty': {
      type: 'boolean',
      help: 'worker: exit once nothing is waiting or running on the queue (a batch job; default: until stopped)',
    },
    'data-dir': SHARED_FLAGS['data-dir'],
    help: SHARED_FLAGS.help,
  },
  { positionals: true, applyDefaults: true },
);

export type SweepFlags = ParsedFlags<typeof SWEEP_FLAGS.specs, true>;
