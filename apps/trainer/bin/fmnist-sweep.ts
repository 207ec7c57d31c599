#!/usr/bin/env -S node --import tsx --conditions=fmnist-source
import { runCommand, SIGNAL_EXIT } from '../src/cli/exit-codes.js';
import { main } from '../src/commands/sweep/main.js';

// A signal stops the trials (each checkpoints, as fmnist-train does on SIGTERM), then the sweep exits.
const stop = new AbortController();
let signalled: keyof typeof SIGNAL_EXIT | undefined;
for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[])
  process.on(signal, () => {
    if (signalled) process.exit(SIGNAL_EXIT[signalled]);
    signalled = signal;
    console.error(`\n${signal}: stopping the trials (each saves a checkpoint); again to quit at once`);
    stop.abort();
  });

runCommand('fmnist-sweep', async (argv) => {
  const code = await main(argv, stop.signal).catch((error: unknown) => {
    if (signalled) return SIGNAL_EXIT[signalled];
    throw error;
  });
  return signalled ? SIGNAL_EXIT[signalled] : code;
});
